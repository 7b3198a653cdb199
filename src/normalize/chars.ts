/**
 * Character classes for the transforms and the tokenizer, as a lazily filled table over UTF-16 units:
 * one array read per character instead of a RegExp test.
 */
export const CYR = 1;
export const LAT = 2;
/** Any letter (\p{L}), any script. */
export const LETTER = 4;
export const DIGIT = 8;
/** Combining mark (\p{M}). */
export const MARK = 16;
export const SPACE = 32;
/** Extended_Pictographic in the BMP (❄ ⚡ ☘ …); astral emoji are judged by code point. */
export const EMOJI = 64;
/** Letters of Kazakh Cyrillic that Russian lacks: ә ғ қ ң ө ұ ү һ і (either case). */
export const KK = 128;
const COMPUTED = 0x8000;

/** Class bits | 0x8000 once computed, 0 before: hot loops read it directly and call classOf() on a 0. */
export const TABLE = new Uint16Array(65536);
const IS_LETTER = /\p{L}/u;
const IS_CYR = /\p{Script=Cyrillic}/u;
const IS_LAT = /\p{Script=Latin}/u;
const IS_MARK = /\p{M}/u;
const IS_EMOJI = /\p{Extended_Pictographic}/u;
const IS_SPACE = /\s/u;
const KK_LETTERS = 'әғқңөұүһіӘҒҚҢӨҰҮҺІ';

function compute(c: number): number {
  let f = 0;
  if (c >= 0xd800 && c < 0xe000) return COMPUTED;
  const ch = String.fromCharCode(c);
  if (c >= 0x30 && c <= 0x39) f |= DIGIT;
  else if (IS_LETTER.test(ch)) {
    f |= LETTER;
    if (IS_CYR.test(ch)) f |= CYR;
    else if (IS_LAT.test(ch)) f |= LAT;
    if (KK_LETTERS.includes(ch)) f |= KK;
  } else if (IS_MARK.test(ch)) f |= MARK;
  else if (IS_SPACE.test(ch)) f |= SPACE;
  if (IS_EMOJI.test(ch)) f |= EMOJI;
  TABLE[c] = f | COMPUTED;
  return f;
}

/** Class bits of one UTF-16 unit (0 for surrogates and punctuation). */
export function classOf(c: number): number {
  const v = TABLE[c]!;
  return v === 0 ? compute(c) : v & 0xff;
}

export function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

export function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

const ASTRAL_EMOJI = new Map<number, boolean>();

/** Whether an astral code point is a pictograph (🍁 💊 🚀) or a regional-indicator flag letter. */
export function isAstralEmoji(cp: number): boolean {
  let v = ASTRAL_EMOJI.get(cp);
  if (v === undefined) {
    v = (cp >= 0x1f1e6 && cp <= 0x1f1ff) || IS_EMOJI.test(String.fromCodePoint(cp));
    ASTRAL_EMOJI.set(cp, v);
  }
  return v;
}
