import { francAll } from 'franc';
import { CYR, LAT, LETTER, classOf } from '../normalize/chars.js';
import { looksKazakhLatin, kazakhLatinToCyrillic } from '../normalize/index.js';
import type { Language, LanguageGuess, SentenceLanguage } from '../types.js';
import { KAZAKH_PLAIN_WORDS, KAZAKH_WORDS, RUSSIAN_WORDS } from './lexicon.js';

export { isKazakhWord, plainKazakh, KAZAKH_WORDS, RUSSIAN_WORDS } from './lexicon.js';

/**
 * ru / kk / mixed / other. Evidence, as log-odds for Kazakh against Russian: Kazakh letters (ә ғ қ ң ө ұ ү һ і)
 * are decisive; then frequent Kazakh words, also typed without Kazakh letters (бугин, жаксы, рахмет); Russian
 * function words and letters Kazakh only borrows (щ ъ э); typical endings of each; and franc's trigram model
 * restricted to Russian and Kazakh. Kazakh in Latin letters is transliterated first. A post whose sentences
 * are confidently in different languages is `mixed`, with each sentence's language in `sentences`.
 */

const KK_LETTER = /[әғқңөұүһі]/;
const RU_LETTER = /[щъэ]/;
const RU_ENDING = /(?:ого|его|ому|ему|ать|ять|еть|ешь|ишь|ются|ется|ться|ция|ции|ние|ния|ость|ство|ская|ский|ской|ные|ный|ная|ое|ую|ая|ие|ии|ой|ей|ий|ым|ом|ах|ях|ями|ами)$/;
const KK_ENDING = /(?:лар|лер|дар|дер|тар|тер|ның|нің|дың|дің|тың|тің|нын|нин|дын|дин|тын|тин|мыз|міз|миз|сыз|сіз|сиз|мын|мін|мин|сың|сің|сын|син|ған|ген|қан|кен|ган|кан|ды|ді|ты|ті|да|де|та|те|ға|ге|қа|ке|га|ка|дан|ден|тан|тен|нан|нен|мен|бен|пен|ып|іп|ип|уы|у)$/;
const WORD = /\p{L}+(?:['-]\p{L}+)*/gu;
const LATIN_WORD = /^[\p{Script=Latin}'-]+$/u;
const SENTENCE_END = /[.!?…\n]+/g;
// Links, addresses and handles are Latin whatever the language of the post around them. Each run starts only
// where the one before it could not (the look-behinds), so a long run of address characters («a1a1…», «1.2.…»)
// is scanned once, not once per character.
const ADDRESSES = /\]\([^()\]]*\)|(?:https?:\/\/|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+|@\w+|(?<![\w-])[\w-]+\.(?:kz|ru|com|net|org|io|me|ph)\b\S*/gu;

const W_KK_LETTERS = 4;
const W_KK_WORD = 2.2;
const W_RU_WORD = 2;
const W_RU_LETTERS = 1.5;
const W_RU_ENDING = 0.5;
const W_KK_ENDING = 0.6;
const W_FRANC = 2.5;
// franc is the slowest evidence: it is asked only when the rest leaves the post in this band.
const FRANC_BAND = 2.5;
// How sure a sentence must be, both ways, before a post counts as mixed.
const MIXED_MARGIN = 1;

interface Evidence {
  /** Log-odds of Kazakh against Russian. */
  readonly score: number;
  readonly cyrillic: number;
  readonly latin: number;
  readonly other: number;
  readonly words: number;
  /** Latin words of the post read as Kazakh. */
  readonly kazakhLatin: boolean;
  /** Whether anything pointed to Kazakh: only then can a post be mixed, so only then is it split into sentences. */
  readonly kazakhSeen: boolean;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function lettersOf(text: string): { cyrillic: number; latin: number; other: number } {
  let cyrillic = 0;
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i += 1) {
    const cls = classOf(text.charCodeAt(i));
    if (cls & CYR) cyrillic += 1;
    else if (cls & LAT) latin += 1;
    else if (cls & LETTER) other += 1;
  }
  return { cyrillic, latin, other };
}

function francScore(text: string): number {
  if (text.length < 3) return 0;
  const scores = francAll(text, { only: ['rus', 'kaz'], minLength: 1 });
  let kaz = 0;
  let rus = 0;
  for (const [code, s] of scores) {
    if (code === 'kaz') kaz = s;
    else if (code === 'rus') rus = s;
  }
  return kaz - rus;
}

/** Kazakh-vs-Russian evidence of a piece of text; Latin-script Kazakh words are read in Cyrillic. */
function evidence(text: string): Evidence {
  const lower = (/[/@.]/.test(text) ? text.replace(ADDRESSES, ' ') : text).toLowerCase().replace(/ё/g, 'е');
  const letters = lettersOf(lower);
  let words: string[] = lower.match(WORD) ?? [];
  let kazakhLatin = false;
  if (letters.latin > 0) {
    const latinWords = words.filter((w) => LATIN_WORD.test(w));
    if (latinWords.length > 0 && looksKazakhLatin(latinWords)) {
      kazakhLatin = true;
      words = words.map((w) => (LATIN_WORD.test(w) ? kazakhLatinToCyrillic(w) : w));
    }
  }
  let score = 0;
  let kkLetterWords = 0;
  let cyrWords = 0;
  let kkSeen = false;
  for (const w of words) {
    if ((classOf(w.charCodeAt(0)) & CYR) === 0) continue;
    cyrWords += 1;
    if (KK_LETTER.test(w)) {
      kkLetterWords += 1;
      continue;
    }
    if (RUSSIAN_WORDS.has(w)) score -= W_RU_WORD;
    else if (KAZAKH_WORDS.has(w) || KAZAKH_PLAIN_WORDS.has(w)) {
      score += W_KK_WORD;
      kkSeen = true;
    } else {
      if (RU_LETTER.test(w)) score -= W_RU_LETTERS;
      if (w.length >= 4 && RU_ENDING.test(w)) score -= W_RU_ENDING;
      if (w.length >= 5 && KK_ENDING.test(w)) score += W_KK_ENDING;
    }
  }
  if (kkLetterWords > 0) kkSeen = true;
  // One Kazakh letter settles a short post; in a long Russian post a Kazakh name weighs less.
  if (kkLetterWords > 0) score += W_KK_LETTERS + W_KK_LETTERS * 2 * (kkLetterWords / Math.max(1, cyrWords));
  if (cyrWords > 0 && Math.abs(score) < FRANC_BAND) score += W_FRANC * francScore(words.join(' '));
  return { score, cyrillic: letters.cyrillic, latin: letters.latin, other: letters.other, words: cyrWords, kazakhSeen: kkSeen, kazakhLatin };
}

function decide(e: Evidence, kazakhLatin = e.kazakhLatin): LanguageGuess {
  const total = e.cyrillic + e.latin + e.other;
  if (total === 0) return { lang: 'other', confidence: 0.9 };
  const cyrillicLike = e.cyrillic + (kazakhLatin ? e.latin : 0);
  // Russian tech posts are full of English terms: a post is «other» only when Cyrillic is a small part.
  if (cyrillicLike < total * 0.3 || e.words === 0) return { lang: 'other', confidence: round(1 - cyrillicLike / total) };
  if (e.score === 0) return { lang: 'ru', confidence: 0.5 };
  return { lang: e.score > 0 ? 'kk' : 'ru', confidence: round(sigmoid(Math.abs(e.score))) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}


/** Sentences of a text with their offsets. */
function sentences(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let start = 0;
  for (const m of text.matchAll(SENTENCE_END)) {
    const end = m.index + m[0].length;
    if (/\p{L}/u.test(text.slice(start, end))) out.push({ start, end });
    start = end;
  }
  if (start < text.length && /\p{L}/u.test(text.slice(start))) out.push({ start, end: text.length });
  return out;
}

/** ru / kk / mixed / other with a confidence in [0, 1]; `mixed` posts list each sentence's language. */
export function detectLanguage(text: string): LanguageGuess {
  const all = evidence(text);
  const kazakhLatin = all.kazakhLatin;
  const whole = decide(all);
  if (whole.lang === 'other' || !all.kazakhSeen) return whole;
  const parts = sentences(text);
  if (parts.length < 2) return whole;
  const perSentence: SentenceLanguage[] = [];
  let kkLetters = 0;
  let ruLetters = 0;
  for (const p of parts) {
    const piece = text.slice(p.start, p.end);
    const e = evidence(piece);
    const guess = decide(e, kazakhLatin);
    perSentence.push({ start: p.start, end: p.end, lang: guess.lang, confidence: guess.confidence });
    if (e.score > MIXED_MARGIN) kkLetters += e.cyrillic + e.latin;
    else if (e.score < -MIXED_MARGIN) ruLetters += e.cyrillic + e.latin;
  }
  if (kkLetters > 0 && ruLetters > 0 && Math.min(kkLetters, ruLetters) / (kkLetters + ruLetters) >= 0.15) {
    // A loop, not Math.min(...): a post of a million sentences would overflow the argument list.
    let least = 1;
    for (const s of perSentence) if ((s.lang === 'kk' || s.lang === 'ru') && s.confidence < least) least = s.confidence;
    const confidence = round(least);
    return { lang: 'mixed' as Language, confidence, sentences: perSentence };
  }
  return whole;
}
