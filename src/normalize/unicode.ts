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
  // Greek letters pass for Latin ones in the mixed-script step («Дσход»), so they enable it.
  return cls & CYR ? HAS_CYRILLIC : cls & LAT || (c >= 0x370 && c <= 0x3ff) ? HAS_LATIN : 0;
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

/** The unicode step straight from a string (the first step never needs a map to compose with). */
export function unicodeFoldText(text: string, dst: Units): void {
  const n = text.length;
  dst.length = 0;
  dst.reserve(n);
  let out = dst.codes;
  let outStarts = dst.starts;
  let outEnds = dst.ends;
  let o = 0;
  let flags = 0;
  for (let i = 0; i < n; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x60) {
      out[o] = c;
      outStarts[o] = i;
      outEnds[o] = i + 1;
      o += 1;
      flags |= ASCII_FLAGS[c]!;
      continue;
    }
    const kind = KIND[c] || computeKind(c);
    if (kind === KEEP || kind === REPLACE || kind === SPACE_KIND || kind === NEWLINE_KIND) {
      const code = kind === KEEP ? c : kind === REPLACE ? CODE[c]! : kind === SPACE_KIND ? 0x20 : 0x0a;
      out[o] = code;
      outStarts[o] = i;
      outEnds[o] = i + 1;
      o += 1;
      flags |= code < 0x80 ? ASCII_FLAGS[code]! : scriptFlag(code);
    } else if (kind === MARK_KIND) {
      if (o > 0) {
        const composed = compose(out[o - 1]!, c);
        // The composed letter folds like any other (а + ◌̆ = ӑ → а), so a second pass changes nothing.
        if (composed >= 0) {
          const kind = KIND[composed] || computeKind(composed);
          if (kind === KEEP) out[o - 1] = composed;
          else if (kind === REPLACE) out[o - 1] = CODE[composed]!;
        }
        // Composed or not, the mark belongs to the letter before it: its span covers the mark (❄️, з̶).
        if (out[o - 1] !== 0x20 && out[o - 1] !== 0x0a) outEnds[o - 1] = i + 1;
      }
    } else if (kind === MULTI || kind === HIGH) {
      let expansion: string;
      let end = i + 1;
      if (kind === MULTI) expansion = EXPANSION.get(c)!;
      else {
        const low = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (!isLowSurrogate(low)) continue;
        expansion = foldAstral(((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
        end = i + 2;
      }
      dst.length = o;
      dst.reserve(o + expansion.length + (n - end));
      out = dst.codes;
      outStarts = dst.starts;
      outEnds = dst.ends;
      for (let k = 0; k < expansion.length; k += 1) {
        const code = expansion.charCodeAt(k);
        out[o] = code;
        outStarts[o] = i;
        outEnds[o] = end;
        o += 1;
        flags |= code < 0x80 ? ASCII_FLAGS[code]! : scriptFlag(code);
      }
      i = end - 1;
    }
  }
  dst.length = o;
  dst.flags = flags;
}

/** The unicode step on a mapped text: runs on its string, then composes the maps. */
export const unicodeFold: Transform = (src: Units, dst: Units): void => {
  unicodeFoldText(src.toString(), dst);
  for (let k = 0; k < dst.length; k += 1) {
    const s = dst.starts[k]!;
    const e = dst.ends[k]!;
    dst.starts[k] = src.starts[s]!;
    dst.ends[k] = src.ends[e - 1]!;
  }
};
