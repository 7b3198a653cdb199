import { isKazakhWord } from '../lang/lexicon.js';
import { DIGIT, LAT, LETTER, classOf } from './chars.js';
import { copyIfApart, copyUnit, emitUnit, type Transform, type Units } from './units.js';

/**
 * Step 8, «kazakh-latin»: when a text is Kazakh written in Latin letters (the 2021 alphabet, the 2017
 * apostrophe and 2018 acute variants, or informal spelling), its Latin words become Kazakh Cyrillic so that
 * the same rules match both: Esirtki → есірткі, Şymkent → шымкент, Qazaqstan → қазақстан, sa'lem → сәлем.
 * A text counts as Kazakh when its Latin words carry Kazakh-only letters (ä ö ü ū ğ ş ñ ı á ó ú ǵ ń ý), an
 * apostrophe letter (a' g' n' …), a q not followed by u, or are frequent Kazakh words, more than they look
 * English. Words that look English (w, x, c, th, ee, oo, common English words) and parts of links, handles
 * and e-mail addresses stay as they are. Output is never longer than input: safe in place.
 */

const APOSTROPHE = 0x27;
const SINGLE: Record<string, string> = {
  a: 'а', ä: 'ә', á: 'ә', b: 'б', c: 'с', ç: 'ч', d: 'д', e: 'е', é: 'е', f: 'ф', g: 'г', ğ: 'ғ', ǵ: 'ғ', h: 'х', ı: 'і',
  i: 'і', í: 'и', j: 'ж', k: 'к', l: 'л', m: 'м', n: 'н', ñ: 'ң', ń: 'ң', ŋ: 'ң', o: 'о', ö: 'ө', ó: 'ө', p: 'п', q: 'қ',
  r: 'р', s: 'с', ş: 'ш', t: 'т', u: 'у', ū: 'ұ', ü: 'ү', ú: 'ү', v: 'в', w: 'у', x: 'х', y: 'ы', ý: 'у', z: 'з',
};
const WITH_APOSTROPHE: Record<string, string> = { a: 'ә', o: 'ө', u: 'ү', y: 'у', g: 'ғ', n: 'ң', s: 'ш', c: 'ч', i: 'и' };
const DIGRAPHS: Record<string, string> = { sh: 'ш', ch: 'ч', zh: 'ж' };
const KAZAKH_ONLY = new Set([...'äöüūğşñıáóúǵńýŋ'].map((c) => c.charCodeAt(0)));
const CYR_VOWELS = new Set([...'аәеоөуұүы'].map((c) => c.charCodeAt(0)));
const ENGLISH = new Set(
  `the and of to in is for on with you your this that it are be at by from or an as we our not all new free now get buy best
  shop online more click here link app download only sale price order delivery bot hello hi ok love like good top no yes my
  me so do can will just if about what when how who out up one time people use work day way see make know take come think
  look want give find tell ask seem feel try leave call its his her him she he they them their was were has have had been
  is are am but men women man woman bar pub club news sport game play team win cash money card bank pay faq iraq qatar qr iq sql`
    .split(/\s+/)
    .filter(Boolean),
);
// Kazakh words that are English words too: they count half.
const AMBIGUOUS = new Set(['men', 'bar', 'sen', 'ol', 'ne', 'da', 'de', 'ta', 'te', 'on', 'al', 'bir', 'bes']);
const ENGLISH_SHAPES = /[wx]|c(?![h'])|th|ee|oo|ou|ph|ck|qu|n't/;

function isLatinLetter(c: number): boolean {
  return (classOf(c) & LAT) !== 0;
}

interface Word {
  readonly start: number;
  readonly end: number;
}

/** Latin words of the text (letters plus an apostrophe between letters), not glued to digits or other scripts. */
function latinWords(codes: Uint16Array, n: number): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < n) {
    if (!isLatinLetter(codes[i]!)) {
      i += 1;
      continue;
    }
    let j = i + 1;
    while (j < n && (isLatinLetter(codes[j]!) || (codes[j] === APOSTROPHE && j + 1 < n && isLatinLetter(codes[j + 1]!)))) j += 1;
    if (!(i > 0 && isGlued(codes[i - 1]!)) && !(j < n && isGlued(codes[j]!))) words.push({ start: i, end: j });
    i = j;
  }
  return words;
}

// A Latin run glued to digits, Cyrillic or other letters is not a Latin word of its own.
function isGlued(c: number): boolean {
  const cls = classOf(c);
  return (cls & (LETTER | DIGIT)) !== 0 && (cls & LAT) === 0;
}

function wordText(codes: Uint16Array, w: Word): string {
  let s = '';
  for (let k = w.start; k < w.end; k += 1) s += String.fromCharCode(codes[k]!);
  return s;
}

/** A word inside a link, a handle or an e-mail address. */
function inAddress(codes: Uint16Array, n: number, w: Word): boolean {
  const before = w.start > 0 ? codes[w.start - 1]! : 0x20;
  const after = w.end < n ? codes[w.end]! : 0x20;
  if (before === 0x40 || before === 0x2f || before === 0x3a || before === 0x5f || after === 0x5f || after === 0x40 || after === 0x2f) return true;
  if (after === 0x3a && w.end + 1 < n && codes[w.end + 1] === 0x2f) return true;
  if (before === 0x2e && w.start > 1 && isLatinLetter(codes[w.start - 2]!)) return true;
  return after === 0x2e && w.end + 1 < n && isLatinLetter(codes[w.end + 1]!);
}

const EVIDENCE = new Map<string, number>();
const MAX_WORD = 64;

/** Kazakh evidence of one Latin word: 1 strong, 0.5 ambiguous, 0 none, -1 English-looking. */
export function kazakhLatinEvidence(word: string): number {
  let v = EVIDENCE.get(word);
  if (v === undefined) {
    v = evidence(word);
    if (EVIDENCE.size > 50_000) EVIDENCE.clear();
    EVIDENCE.set(word, v);
  }
  return v;
}

function evidence(word: string): number {
  for (let k = 0; k < word.length; k += 1) if (KAZAKH_ONLY.has(word.charCodeAt(k))) return 1;
  if (ENGLISH.has(word)) return AMBIGUOUS.has(word) ? 0.5 : -1;
  if (ENGLISH_SHAPES.test(word)) return -1;
  if (/[aougnsciy]'[a-z]/.test(word)) return 1;
  if (/q(?!u)/.test(word)) return 1;
  if (AMBIGUOUS.has(word)) return 0.5;
  // No dictionary word is that long: a run of a million letters is not looked up (nor transliterated).
  return word.length <= MAX_WORD && isKazakhWord(transliterate(word)) ? 1 : 0;
}

/** Whether a list of Latin words reads as Kazakh. */
export function looksKazakhLatin(words: readonly string[]): boolean {
  let kazakh = 0;
  let english = 0;
  let neutral = 0;
  for (const w of words) {
    const e = kazakhLatinEvidence(w);
    if (e > 0) kazakh += e;
    else if (e < 0) english += 1;
    else neutral += 1;
  }
  return kazakh >= 1 && kazakh > english && (kazakh >= 2 || kazakh * 2 >= kazakh + neutral);
}

/** Kazakh Latin (lower case) → Kazakh Cyrillic, one word. */
export function transliterate(word: string): string {
  let out = '';
  // The last letter written, kept aside: reading it back from `out` would flatten the string at every «i».
  let last = '';
  for (let k = 0; k < word.length; k += 1) {
    const ch = word[k]!;
    const next = word[k + 1];
    let piece: string;
    if (next === "'" && WITH_APOSTROPHE[ch]) {
      piece = WITH_APOSTROPHE[ch];
      k += 1;
    } else if (next !== undefined && DIGRAPHS[ch + next]) {
      piece = DIGRAPHS[ch + next]!;
      k += 1;
    } else if (ch === 'i' && last !== '' && CYR_VOWELS.has(last.charCodeAt(last.length - 1))) piece = 'й';
    else piece = SINGLE[ch] ?? ch;
    out += piece;
    last = piece;
  }
  return out;
}

export const kazakhLatin: Transform = (src: Units, dst: Units): void => {
  const n = src.length;
  const codes = src.codes;
  const words = latinWords(codes, n);
  // Decide everything before writing: in place, the units around a word may already be overwritten.
  const addresses = words.map((w) => inAddress(codes, n, w));
  const texts = words.map((w) => wordText(codes, w));
  const convert = words.length > 0 && looksKazakhLatin(texts.filter((_, k) => !addresses[k]));
  if (!convert) {
    copyIfApart(src, dst);
    return;
  }
  dst.reserve(n);
  dst.length = 0;
  let w = 0;
  let i = 0;
  while (i < n) {
    const word = words[w];
    if (!word || i < word.start) {
      copyUnit(src, i, dst);
      i += 1;
      continue;
    }
    if (addresses[w] || kazakhLatinEvidence(texts[w]!) < 0) {
      for (let k = word.start; k < word.end; k += 1) copyUnit(src, k, dst);
    } else emitTransliterated(src, dst, word);
    w += 1;
    i = word.end;
  }
};

/** Transliterates src[word] into dst, mapping each Cyrillic letter to the Latin unit(s) it came from. */
function emitTransliterated(src: Units, dst: Units, word: Word): void {
  const codes = src.codes;
  for (let k = word.start; k < word.end; k += 1) {
    const ch = String.fromCharCode(codes[k]!);
    const next = k + 1 < word.end ? String.fromCharCode(codes[k + 1]!) : undefined;
    let out: string | undefined;
    let used = 1;
    if (next === "'" && WITH_APOSTROPHE[ch]) {
      out = WITH_APOSTROPHE[ch];
      used = 2;
    } else if (next !== undefined && DIGRAPHS[ch + next]) {
      out = DIGRAPHS[ch + next];
      used = 2;
    } else if (ch === 'i' && dst.length > 0 && k > word.start && CYR_VOWELS.has(dst.codes[dst.length - 1]!)) out = 'й';
    else out = SINGLE[ch];
    if (out === undefined) {
      if (ch !== "'") copyUnit(src, k, dst);
      continue;
    }
    emitUnit(dst, out.charCodeAt(0), src, k, k + used);
    k += used - 1;
  }
}
