import { isKazakhWord } from '../lang/lexicon.js';
import { DIGIT, EMOJI, KK, LAT, LETTER, MARK, TABLE, classOf, isAstralEmoji } from '../normalize/chars.js';
import type { Language, MappedToken, NormalizedText, SentenceLanguage, Token, TokenType } from '../types.js';
import { emojiName } from './emoji.js';
import { stemKazakh } from './stem-kk.js';
import { stemRussian } from './stem-ru.js';

export { stemKazakh } from './stem-kk.js';
export { stemRussian } from './stem-ru.js';
export { emojiName, EMOJI_NAMES } from './emoji.js';

export interface TokenizeOptions {
  /**
   * The text's language, for choosing a stemmer: `kk` stems every Cyrillic word as Kazakh, `mixed` the words
   * that are Kazakh by letters or by the word list, `ru` (default) only words with Kazakh letters.
   */
  readonly lang?: Language;
  /** For a mixed text, each sentence's language (as detectLanguage gives them): words are stemmed by it. */
  readonly sentences?: readonly SentenceLanguage[];
  /** Set `false` to skip stemming (then `stem` is the token text). Default true. */
  readonly stem?: boolean;
}

/**
 * Typed tokens with offsets into `text` (normally the normalized text): a one-pass scanner over character
 * classes. URLs (with or without a scheme, for known top-level domains), t.me links, @handles, bot names,
 * e-mail addresses, phone numbers (+7/8 and ten digits), prices with a currency (₸ тг тенге руб $ € k к),
 * numbers, dates and times, hashtags and emoji become one token each; words keep inner hyphens and apostrophes.
 */
export function tokenize(text: string, options: TokenizeOptions = {}): Token[] {
  const tokens: Token[] = [];
  scan(text, options, (type, start, end, stem) => tokens.push({ type, text: text.slice(start, end), start, end, stem }));
  return tokens;
}

/** Tokens of a normalized text with their spans in the original text too. */
export function tokenizeNormalized(normalized: NormalizedText, options: TokenizeOptions = {}): MappedToken[] {
  const tokens: MappedToken[] = [];
  const { text, starts, ends } = normalized;
  scan(text, options, (type, start, end, stem) =>
    tokens.push({ type, text: text.slice(start, end), start, end, stem, originalStart: starts[start]!, originalEnd: ends[end - 1]! }),
  );
  return tokens;
}

type Emit = (type: TokenType, start: number, end: number, stem: string) => void;

const TLDS = new Set(
  'kz ru com net org io me xyz top site online shop store bet casino cc biz info su uz kg by ua club pro app link live ws to gg tv win vip fun space website ly co in eu de uk us tk ml ga cf gq pw cam icu best'.split(' '),
);
const URL_STOP = new Set([...' \n\t<>"«»'].map((c) => c.charCodeAt(0)));
const TRAILING = new Set([...'.,;:!?)]\'"…'].map((c) => c.charCodeAt(0)));
const PHONE_SEP = new Set([...' -()'].map((c) => c.charCodeAt(0)));
// Currencies after a number, longest first; each must not run on into a letter.
const CURRENCIES = ['тенге', 'тнг', 'тг', '₸', 'руб', 'р.', 'р', 'usd', 'eur', 'kzt', 'rub', '$', '€', 'кк', 'к', 'k'];
const MULTIPLIERS = ['тыс.', 'тыс', 'млн', 'млрд'];
const CURRENCY_PREFIX = new Set([0x24, 0x20ac, 0x20b8]);

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAsciiWord(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigitCode(c) || c === 0x5f;
}

function isWordCode(c: number): boolean {
  const v = TABLE[c]!;
  return ((v !== 0 ? v : classOf(c)) & (LETTER | DIGIT | MARK)) !== 0;
}

function startsWithAt(s: string, i: number, prefix: string): boolean {
  if (i + prefix.length > s.length) return false;
  for (let k = 0; k < prefix.length; k += 1) {
    let c = s.charCodeAt(i + k);
    if (c >= 0x41 && c <= 0x5a) c += 32;
    if (c !== prefix.charCodeAt(k)) return false;
  }
  return true;
}

/** End of a URL that starts at i: up to whitespace, without trailing punctuation. */
function urlEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && !URL_STOP.has(s.charCodeAt(j))) j += 1;
  while (j > i && TRAILING.has(s.charCodeAt(j - 1))) j -= 1;
  return j;
}

function linkType(s: string, start: number, end: number): TokenType {
  const url = s.slice(start, end).toLowerCase();
  const m = /(?:^|\/\/|\.)(?:t|telegram)\.me\/(?:s\/)?([a-z0-9_+]+)/.exec(url);
  if (!m) return 'url';
  return m[1]!.endsWith('bot') ? 'bot' : 'telegram';
}

/** End of host.tld[/path] starting at i when the last label is a known top-level domain, else -1. */
function domainEnd(s: string, i: number): number {
  let j = i;
  let lastLabel = -1;
  let labels = 0;
  for (;;) {
    const labelStart = j;
    while (j < s.length && (isAsciiWord(s.charCodeAt(j)) || s.charCodeAt(j) === 0x2d)) j += 1;
    if (j === labelStart) return -1;
    labels += 1;
    lastLabel = labelStart;
    if (s.charCodeAt(j) === 0x2e && j + 1 < s.length && isAsciiWord(s.charCodeAt(j + 1))) j += 1;
    else break;
  }
  if (labels < 2 || !TLDS.has(s.slice(lastLabel, j).toLowerCase())) return -1;
  if (j < s.length && isWordCode(s.charCodeAt(j))) return -1;
  if (s.charCodeAt(j) === 0x2f) return urlEnd(s, j);
  return j;
}

/** End of a +7/8 phone number with ten more digits, or -1. */
function phoneEnd(s: string, i: number): number {
  let j = i;
  if (s.charCodeAt(j) === 0x2b) j += 1;
  const first = s.charCodeAt(j);
  if (first !== 0x37 && !(first === 0x38 && j === i)) return -1;
  let digits = 0;
  let seps = 0;
  let lastDigit = j;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (isDigitCode(c)) {
      digits += 1;
      seps = 0;
      lastDigit = j;
      if (digits === 11) break;
    } else if (PHONE_SEP.has(c) && seps < 2 && digits > 0) seps += 1;
    else break;
    j += 1;
  }
  if (digits !== 11) return -1;
  const after = s.charCodeAt(lastDigit + 1);
  if (isDigitCode(after)) return -1;
  return lastDigit + 1;
}

/** End of a number at i: digit groups joined by . , : / and space-separated thousands. */
function numberEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && isDigitCode(s.charCodeAt(j))) j += 1;
  const firstGroup = j - i;
  for (;;) {
    const c = s.charCodeAt(j);
    if ((c === 0x2e || c === 0x2c || c === 0x3a || c === 0x2f) && isDigitCode(s.charCodeAt(j + 1))) {
      j += 1;
      while (j < s.length && isDigitCode(s.charCodeAt(j))) j += 1;
    } else if (c === 0x20 && firstGroup <= 3 && isThousands(s, j + 1)) j += 4;
    else break;
  }
  return j;
}

function isThousands(s: string, i: number): boolean {
  for (let k = 0; k < 3; k += 1) if (!isDigitCode(s.charCodeAt(i + k))) return false;
  return !isDigitCode(s.charCodeAt(i + 3)) && !(s.charCodeAt(i + 3) === 0x2e && isDigitCode(s.charCodeAt(i + 4)));
}

/** End of a currency (optionally after one space and a multiplier) at i, or -1. */
function currencyEnd(s: string, i: number): number {
  let j = i;
  if (s.charCodeAt(j) === 0x20) j += 1;
  for (const m of MULTIPLIERS) {
    if (startsWithAt(s, j, m) && !isWordCode(s.charCodeAt(j + m.length))) {
      const after = currencyAt(s, j + m.length + (s.charCodeAt(j + m.length) === 0x20 ? 1 : 0));
      return after;
    }
  }
  return currencyAt(s, j);
}

function currencyAt(s: string, j: number): number {
  for (const cur of CURRENCIES) {
    if (!startsWithAt(s, j, cur)) continue;
    const end = j + cur.length;
    if (end < s.length && isWordCode(s.charCodeAt(end)) && !cur.endsWith('.')) continue;
    return end;
  }
  return -1;
}

/** A bot's user name without @ (shop_bot, kladmen24bot): Latin, digits or _ before a final «bot». */
function isBotName(s: string, start: number, end: number): boolean {
  if (end - start < 5 || !startsWithAt(s, end - 3, 'bot')) return false;
  const before = s.charCodeAt(end - 4);
  return before === 0x5f || isDigitCode(before) || s.slice(start, end - 3).includes('_');
}

function scan(s: string, options: TokenizeOptions, emit: Emit): void {
  const n = s.length;
  const stemming = options.stem !== false;
  const sentences = options.sentences ?? [];
  let sentence = 0;
  const lang = options.lang ?? 'ru';
  // The language of the sentence at i (positions only grow).
  const langAt = (i: number): Language => {
    if (sentences.length === 0) return lang;
    while (sentence < sentences.length - 1 && sentences[sentence]!.end <= i) sentence += 1;
    return sentences[sentence]!.lang;
  };
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x0a) {
      i += 1;
      continue;
    }
    // Most tokens are non-Latin words, which cannot start a link, a handle, a number or an emoji.
    if (c >= 0x400 && c < 0x530) {
      const v = TABLE[c]!;
      if (((v !== 0 ? v : classOf(c)) & LETTER) !== 0) {
        i = word(s, i, false, langAt(i), stemming, emit);
        continue;
      }
    }
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0x20;
    const atWordStart = !isWordCode(prev) && prev !== 0x2e && prev !== 0x2f && prev !== 0x40;
    // Links with a scheme, www. or t.me/.
    if (atWordStart && (c === 0x68 || c === 0x77 || c === 0x74 || c === 0x48 || c === 0x57 || c === 0x54)) {
      if (startsWithAt(s, i, 'http://') || startsWithAt(s, i, 'https://') || startsWithAt(s, i, 'www.') || startsWithAt(s, i, 't.me/') || startsWithAt(s, i, 'telegram.me/')) {
        const end = urlEnd(s, i);
        const type = linkType(s, i, end);
        emit(type, i, end, s.slice(i, end));
        i = end;
        continue;
      }
    }
    if (c === 0x40 && atWordStart) {
      let j = i + 1;
      while (j < n && isAsciiWord(s.charCodeAt(j))) j += 1;
      if (j - i - 1 >= 3 && !isWordCode(s.charCodeAt(j))) {
        emit(startsWithAt(s, j - 3, 'bot') ? 'bot' : 'handle', i, j, s.slice(i, j));
        i = j;
        continue;
      }
    }
    if (c === 0x23) {
      let j = i + 1;
      while (j < n && (isWordCode(s.charCodeAt(j)) || s.charCodeAt(j) === 0x5f)) j += 1;
      if (j > i + 1) {
        emit('hashtag', i, j, s.slice(i, j));
        i = j;
        continue;
      }
    }
    if ((c === 0x2b || isDigitCode(c)) && !isWordCode(prev)) {
      const phone = phoneEnd(s, i);
      if (phone > 0) {
        emit('phone', i, phone, s.slice(i, phone));
        i = phone;
        continue;
      }
    }
    if (isDigitCode(c) || (CURRENCY_PREFIX.has(c) && isDigitCode(s.charCodeAt(i + 1)))) {
      const numStart = CURRENCY_PREFIX.has(c) ? i + 1 : i;
      const end = numberEnd(s, numStart);
      const cur = numStart > i ? end : currencyEnd(s, end);
      const type = numStart > i || cur > 0 ? 'price' : 'number';
      const stop = numStart > i ? end : cur > 0 ? cur : end;
      emit(type, i, stop, s.slice(i, stop));
      i = stop;
      continue;
    }
    const cls = classOf(c);
    if (cls & LETTER) {
      i = word(s, i, atWordStart, langAt(i), stemming, emit);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const cp = s.codePointAt(i)!;
      if (isAstralEmoji(cp)) {
        let end = i + 2;
        // A flag is two regional-indicator letters.
        if (cp >= 0x1f1e6 && cp <= 0x1f1ff) {
          const next = s.codePointAt(end);
          if (next !== undefined && next >= 0x1f1e6 && next <= 0x1f1ff) end += 2;
        }
        const e = s.slice(i, end);
        emit('emoji', i, end, emojiName(e));
        i = end;
        continue;
      }
      i += 2;
      continue;
    }
    if (cls & EMOJI) {
      const e = s[i]!;
      emit('emoji', i, i + 1, emojiName(e));
      i += 1;
      continue;
    }
    i += 1;
  }
}

function word(s: string, i: number, atWordStart: boolean, lang: Language, stemming: boolean, emit: Emit): number {
  const n = s.length;
  let j = i;
  let ascii = true;
  let kazakh = false;
  let latin = false;
  let digits = false;
  while (j < n) {
    const c = s.charCodeAt(j);
    const v = TABLE[c]!;
    const cls = v !== 0 ? v & 0xff : classOf(c);
    if (cls & (LETTER | DIGIT | MARK)) {
      if (c >= 0x80) ascii = false;
      if (cls & KK) kazakh = true;
      if (cls & LAT) latin = true;
      if (cls & DIGIT) digits = true;
      j += 1;
    } else if ((c === 0x2d || c === 0x27) && j > i && j + 1 < n && (classOf(s.charCodeAt(j + 1)) & LETTER) !== 0) j += 1;
    else if (c === 0x5f && ascii && j + 1 < n && isAsciiWord(s.charCodeAt(j + 1))) j += 1;
    else break;
  }
  if (ascii && atWordStart) {
    const next = s.charCodeAt(j);
    if (next === 0x2e) {
      const end = domainEnd(s, i);
      if (end > 0) {
        emit(linkType(s, i, end), i, end, s.slice(i, end));
        return end;
      }
    } else if (next === 0x40) {
      const end = domainEnd(s, j + 1);
      if (end > 0) {
        emit('email', i, end, s.slice(i, end));
        return end;
      }
    }
    if (isBotName(s, i, j)) {
      emit('bot', i, j, s.slice(i, j));
      return j;
    }
  }
  const text = s.slice(i, j);
  let stem = text;
  if (stemming && !digits && !latin) stem = stemWord(text, kazakh || lang === 'kk' || (lang === 'mixed' && isKazakhWord(text)));
  emit('word', i, j, stem);
  return j;
}

const RU_CACHE = new Map<string, string>();
const KK_CACHE = new Map<string, string>();
const CACHE_LIMIT = 200_000;

/** Stems one lower-case Cyrillic word, hyphenated parts separately (кто-то → кто-то). */
function stemWord(w: string, kazakh: boolean): string {
  const cache = kazakh ? KK_CACHE : RU_CACHE;
  let stem = cache.get(w);
  if (stem === undefined) {
    const stemmer = kazakh ? stemKazakh : stemRussian;
    stem = w.includes('-') ? w.split('-').map(stemmer).join('-') : stemmer(w);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(w, stem);
  }
  return stem;
}

