import { CYR, LAT, classOf, isHighSurrogate, isLowSurrogate } from './chars.js';
import { HAS_CYRILLIC, HAS_LATIN, HAS_LEET, Units, type Transform } from './units.js';

/**
 * Step 1, «unicode»: compatibility forms to plain ones (NFKC: fullwidth, mathematical, circled letters, ligatures),
 * invisible characters removed (zero-width, bidi controls, soft hyphen, variation selectors, tag characters, Hangul
 * fillers), combining marks composed when Unicode has the letter (и + ◌̆ → й) and dropped otherwise (strike-through,
 * stress marks, zalgo), lookalike punctuation unified (dashes → -, quotes → " and ', bullets → .), every space
 * → ' ' and every line break → '\n'. Case is kept: the mixed-script step needs it (Latin H looks like Н).
 */

const KEEP = 1;
const REPLACE = 2;
const DELETE = 3;
const MULTI = 4;
const SPACE_KIND = 5;
const NEWLINE_KIND = 6;
const MARK_KIND = 7;
const HIGH = 8;

const KIND = new Uint8Array(65536);
const CODE = new Uint16Array(65536);
const EXPANSION = new Map<number, string>();

const PUNCT: ReadonlyArray<readonly [string, string]> = [
  ['\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\uFE58\uFE63\uFF0D', '-'],
  ['\u2018\u2019\u201A\u201B\u2032\u2035\u02BC\u02BB\u02B9\u0060\u00B4\uFF07', "'"],
  ['\u201C\u201D\u201E\u201F\u00AB\u00BB\u2033\u301D\u301E\uFF02\u2039\u203A', '"'],
  ['\u00B7\u2022\u2219\u2027\u22C5\u30FB\uFF65', '.'],
  ['\u2217\u204E\u2731\u2732\u2733\u274B\uFF0A', '*'],
  ['\u2044\u2215\uFF0F', '/'],
];
const PUNCT_MAP = new Map<number, number>();
for (const [from, to] of PUNCT) for (const ch of from) PUNCT_MAP.set(ch.charCodeAt(0), to.charCodeAt(0));

// Invisible letters (\p{Lo} by category, blank on screen): used to pad or split words.
const INVISIBLE_LETTERS = new Set([0x115f, 0x1160, 0x3164, 0xffa0]);
// NFKC would turn these into ASCII that changes how Russian text reads (№ → No).
const NO_NFKC = new Set([0x2116]);
const IS_FORMAT = /[\p{Cf}\p{Cc}]/u;
const IS_SPACE = /\s/u;
const IS_MARK = /\p{M}/u;
const MARKS = /\p{M}/gu;

function foldExpansion(s: string): string {
  let out = '';
  for (const ch of s.replace(MARKS, '')) {
    const p = PUNCT_MAP.get(ch.charCodeAt(0));
    out += p !== undefined ? String.fromCharCode(p) : ch;
  }
  return out;
}

function computeKind(c: number): number {
  let kind: number;
  const ch = String.fromCharCode(c);
  if (isHighSurrogate(c)) kind = HIGH;
  else if (isLowSurrogate(c)) kind = DELETE;
  else if (c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029) kind = NEWLINE_KIND;
  else if (IS_SPACE.test(ch) || c === 0x2800) kind = SPACE_KIND;
  else if (IS_FORMAT.test(ch) || INVISIBLE_LETTERS.has(c)) kind = DELETE;
  else if (IS_MARK.test(ch)) kind = MARK_KIND;
  else if (PUNCT_MAP.has(c)) {
    kind = REPLACE;
    CODE[c] = PUNCT_MAP.get(c)!;
  } else if (NO_NFKC.has(c)) kind = KEEP;
  else {
    let n = ch.normalize('NFKC');
    // Cyrillic letters with diacritics Russian and Kazakh do not use (ѐ ӑ ӧ ӱ ї ў) are lookalikes of plain ones.
    if (n.length === 1 && c >= 0x400 && c <= 0x52f && c !== 0x439 && c !== 0x419 && c !== 0x451 && c !== 0x401) {
      const base = n.normalize('NFD').replace(MARKS, '');
      if (base.length === 1) n = base;
    }
    if (n === ch) kind = KEEP;
    else {
      const folded = foldExpansion(n);
      if (folded.trim().length === 0) kind = DELETE;
      else if (folded.length === 1) {
        kind = REPLACE;
        CODE[c] = folded.charCodeAt(0);
      } else {
        kind = MULTI;
        EXPANSION.set(c, folded);
      }
    }
  }
  KIND[c] = kind;
  return kind;
}

const ASTRAL = new Map<number, string>();

function foldAstral(cp: number): string {
  let v = ASTRAL.get(cp);
  if (v !== undefined) return v;
  if ((cp >= 0xe0000 && cp <= 0xe007f) || (cp >= 0xe0100 && cp <= 0xe01ef) || (cp >= 0x1f3fb && cp <= 0x1f3ff)) v = '';
  else if ((cp >= 0x1f150 && cp <= 0x1f169) || (cp >= 0x1f170 && cp <= 0x1f189)) v = String.fromCharCode(0x41 + ((cp - 0x1f150) % 32));
  else if (cp >= 0x1f1e6 && cp <= 0x1f1ff) v = String.fromCodePoint(cp);
  else {
    const ch = String.fromCodePoint(cp);
    const n = ch.normalize('NFKC');
    v = n === ch ? ch : foldExpansion(n);
  }
  ASTRAL.set(cp, v);
  return v;
}

const ASCII_FLAGS = new Uint8Array(128);
for (let c = 0x41; c <= 0x5a; c += 1) ASCII_FLAGS[c] = ASCII_FLAGS[c + 32] = HAS_LATIN;
for (let c = 0x30; c <= 0x39; c += 1) ASCII_FLAGS[c] = HAS_LEET;
ASCII_FLAGS[0x40] = ASCII_FLAGS[0x24] = HAS_LEET;

function scriptFlag(c: number): number {
  const cls = classOf(c);
  return cls & CYR ? HAS_CYRILLIC : cls & LAT ? HAS_LATIN : 0;
}

const COMPOSED = new Map<number, number>();

/** The single letter that `base` + combining `mark` compose to, or -1. */
function compose(base: number, mark: number): number {
  const key = base * 65536 + mark;
  let v = COMPOSED.get(key);
  if (v === undefined) {
    const s = String.fromCharCode(base, mark).normalize('NFC');
    v = s.length === 1 ? s.charCodeAt(0) : -1;
    COMPOSED.set(key, v);
  }
  return v;
}

export const unicodeFold: Transform = (src: Units, dst: Units): void => {
  dst.length = 0;
  dst.reserve(src.length);
  const n = src.length;
  const codes = src.codes;
  const inStarts = src.starts;
  const inEnds = src.ends;
  let flags = 0;
  for (let i = 0; i < n; i += 1) {
    const c = codes[i]!;
    if (c >= 0x20 && c < 0x7f && c !== 0x60) {
      const o = dst.length;
      dst.codes[o] = c;
      dst.starts[o] = inStarts[i]!;
      dst.ends[o] = inEnds[i]!;
      dst.length = o + 1;
      flags |= ASCII_FLAGS[c]!;
      continue;
    }
    const kind = KIND[c] || computeKind(c);
    if (kind === KEEP || kind === REPLACE || kind === SPACE_KIND || kind === NEWLINE_KIND) {
      const o = dst.length;
      const out = kind === KEEP ? c : kind === REPLACE ? CODE[c]! : kind === SPACE_KIND ? 0x20 : 0x0a;
      dst.codes[o] = out;
      dst.starts[o] = inStarts[i]!;
      dst.ends[o] = inEnds[i]!;
      dst.length = o + 1;
      flags |= out < 0x80 ? ASCII_FLAGS[out]! : scriptFlag(out);
    } else if (kind === MARK_KIND) {
      const last = dst.length - 1;
      if (last >= 0) {
        const composed = compose(dst.codes[last]!, c);
        // Composed or not, the mark belongs to the letter before it: its span covers the mark (❄️, з̶).
        if (composed >= 0) dst.codes[last] = composed;
        if (dst.codes[last] !== 0x20 && dst.codes[last] !== 0x0a) dst.ends[last] = inEnds[i]!;
      }
    } else if (kind === MULTI) {
      flags |= emitString(dst, EXPANSION.get(c)!, src, i, i + 1, n);
    } else if (kind === HIGH) {
      const low = i + 1 < n ? codes[i + 1]! : 0;
      if (!isLowSurrogate(low)) continue;
      const cp = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
      flags |= emitString(dst, foldAstral(cp), src, i, i + 2, n);
      i += 1;
    }
  }
  dst.flags = flags;
};

/** Appends `s`, every unit mapped to src [from, to); returns the HAS_* bits of what it wrote. */
function emitString(dst: Units, s: string, src: Units, from: number, to: number, n: number): number {
  let flags = 0;
  dst.reserve(dst.length + s.length + (n - to));
  const start = src.starts[from]!;
  const end = src.ends[to - 1]!;
  for (let k = 0; k < s.length; k += 1) {
    const o = dst.length;
    const c = s.charCodeAt(k);
    dst.codes[o] = c;
    dst.starts[o] = start;
    dst.ends[o] = end;
    dst.length = o + 1;
    flags |= c < 0x80 ? ASCII_FLAGS[c]! : scriptFlag(c);
  }
  return flags;
}
