import { DIGIT, LETTER, MARK, classOf } from './chars.js';
import type { Transform, Units } from './units.js';

/**
 * Step 3, «spaced-letters»: single letters split by one repeated separator are joined: «з а к л а д к и»,
 * «м.е.ф», «ш.и.ш.к.и», «к-л-а-д», «з_а_к_л_а_д», «з*а*к*л*а*д». Guards keep ordinary text apart: at least
 * three one-character cells, the same separator (at most three of . - _ * / | and space) between every pair,
 * for spaces no digits (so «в 3 ч» and phone numbers stay) and, for three cells, not mostly one-letter words
 * («а я в шоке»),
 * otherwise more letters than digits (dates and versions stay).
 */

const SEP = new Uint8Array(128);
for (const ch of ' .-_*/|') SEP[ch.charCodeAt(0)] = 1;
const AT = 0x40;
const DOLLAR = 0x24;
// Russian, Kazakh and English words of one letter: a row of them is a sentence, not a spelled-out word.
const ONE_LETTER_WORDS = new Set([...'абвжиксуяaiо'].map((c) => c.charCodeAt(0)).concat([...'АБВЖИКСУЯAIО'].map((c) => c.charCodeAt(0))));
const MAX_SEP = 3;

function isSep(c: number): boolean {
  return c < 128 && SEP[c] === 1;
}

function isCell(c: number): boolean {
  return (classOf(c) & (LETTER | DIGIT)) !== 0 || c === AT || c === DOLLAR;
}

function isWordish(c: number): boolean {
  return (classOf(c) & (LETTER | DIGIT | MARK)) !== 0 || c === AT || c === DOLLAR;
}

/** Length of the separator run at i (0 if none or too long). */
function sepLength(codes: Uint16Array, i: number, n: number): number {
  let j = i;
  while (j < n && j - i <= MAX_SEP && isSep(codes[j]!)) j += 1;
  const len = j - i;
  return len > MAX_SEP ? 0 : len;
}

function sameSep(codes: Uint16Array, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k += 1) if (codes[a + k] !== codes[b + k]) return false;
  return true;
}

const cells: number[] = [];

export const joinSpacedLetters: Transform = (src: Units, dst: Units): void => {
  const n = src.length;
  dst.reserve(n);
  const codes = src.codes;
  const inStarts = src.starts;
  const inEnds = src.ends;
  const out = dst.codes;
  const outStarts = dst.starts;
  const outEnds = dst.ends;
  const same = src === dst;
  let o = 0;
  let i = 0;
  while (i < n) {
    const next = i + 1 < n ? codes[i + 1]! : 0;
    if (next < 128 && SEP[next] === 1 && isCell(codes[i]!) && (i === 0 || !isWordish(codes[i - 1]!))) {
      const from = scanChain(codes, i, n);
      if (from >= 0) {
        // Cells before the first joinable suffix stay as they are, separators included.
        const first = cells[from]!;
        for (; i < first; i += 1, o += 1) {
          if (!same || o !== i) {
            out[o] = codes[i]!;
            outStarts[o] = inStarts[i]!;
            outEnds[o] = inEnds[i]!;
          }
        }
        // Cells lie at or after o, in order, so copying them forward in place never overwrites one unread.
        for (let m = from; m < cells.length; m += 1) {
          const k = cells[m]!;
          const c = codes[k]!;
          const s = inStarts[k]!;
          const e = inEnds[k]!;
          out[o] = c;
          outStarts[o] = s;
          outEnds[o] = e;
          o += 1;
        }
        i = cells[cells.length - 1]! + 1;
        continue;
      }
      if (cells.length > 1) {
        // No suffix of the chain joins, and a chain from any of its cells but the last is such a suffix: copy
        // up to the last cell, which may start a chain with another separator. Each unit is scanned once.
        const last = cells[cells.length - 1]!;
        for (; i < last; i += 1, o += 1) {
          if (!same || o !== i) {
            out[o] = codes[i]!;
            outStarts[o] = inStarts[i]!;
            outEnds[o] = inEnds[i]!;
          }
        }
        continue;
      }
    }
    if (!same || o !== i) {
      out[o] = codes[i]!;
      outStarts[o] = inStarts[i]!;
      outEnds[o] = inEnds[i]!;
    }
    o += 1;
    i += 1;
  }
  dst.length = o;
};

/**
 * Collects the cells of the chain starting at i into `cells` and returns the index (into `cells`) of the first
 * cell whose chain joins, or -1. The chain from a later cell of the same chain is a suffix of it (the same
 * separator follows every cell but the last), so judging each suffix here, with counts taken from the end,
 * gives what a fresh scan from each cell would, in one pass instead of one per cell.
 */
function scanChain(codes: Uint16Array, i: number, n: number): number {
  cells.length = 0;
  cells.push(i);
  const sepStart = i + 1;
  const len = sepLength(codes, sepStart, n);
  if (len === 0) return -1;
  let k = i + 1 + len;
  while (k < n && isCell(codes[k]!) && (k + 1 >= n || !isWordish(codes[k + 1]!))) {
    cells.push(k);
    const next = k + 1;
    if (next + len < n && sameSep(codes, sepStart, next, len) && !isSep(codes[next + len]!)) k = next + len;
    else break;
  }
  if (cells.length < 3) return -1;
  let spacesOnly = true;
  for (let k2 = 0; k2 < len; k2 += 1) if (codes[sepStart + k2] !== 0x20) spacesOnly = false;
  let letters = 0;
  let digits = 0;
  let words = 0;
  let found = -1;
  for (let m = cells.length - 1; m >= 0; m -= 1) {
    const cc = codes[cells[m]!]!;
    const cls = classOf(cc);
    if (cls & LETTER) {
      letters += 1;
      if (ONE_LETTER_WORDS.has(cc)) words += 1;
    } else if (cls & DIGIT) digits += 1;
    const count = cells.length - m;
    if (count >= 3 && joins(spacesOnly, count, letters, digits, words)) found = m;
  }
  return found;
}

function joins(spacesOnly: boolean, count: number, letters: number, digits: number, words: number): boolean {
  if (spacesOnly) {
    if (digits > 0 || letters < 2) return false;
    return !(count === 3 && letters - words < 2);
  }
  return letters >= 2 && letters > digits;
}
