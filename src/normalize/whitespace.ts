import type { Transform, Units } from './units.js';

/**
 * Step 2, «whitespace»: a run of spaces becomes one ' ', or one '\n' when it holds a line break (sentences and
 * list items stay apart for language ID); leading and trailing whitespace goes. Spans then do not depend on layout.
 * Safe in place (src === dst): it only ever writes at or before the unit it reads.
 */
export const collapseWhitespace: Transform = (src: Units, dst: Units): void => {
  const n = src.length;
  dst.reserve(n);
  const codes = src.codes;
  const starts = src.starts;
  const ends = src.ends;
  const out = dst.codes;
  const outStarts = dst.starts;
  const outEnds = dst.ends;
  const same = src === dst;
  let o = 0;
  let i = 0;
  while (i < n && (codes[i] === 0x20 || codes[i] === 0x0a)) i += 1;
  while (i < n) {
    const c = codes[i]!;
    if (c !== 0x20 && c !== 0x0a) {
      if (!same || o !== i) {
        out[o] = c;
        outStarts[o] = starts[i]!;
        outEnds[o] = ends[i]!;
      }
      o += 1;
      i += 1;
      continue;
    }
    let j = i;
    let newline = false;
    while (j < n && (codes[j] === 0x20 || codes[j] === 0x0a)) {
      if (codes[j] === 0x0a) newline = true;
      j += 1;
    }
    if (j < n) {
      const s = starts[i]!;
      const e = ends[j - 1]!;
      out[o] = newline ? 0x0a : 0x20;
      outStarts[o] = s;
      outEnds[o] = e;
      o += 1;
    }
    i = j;
  }
  dst.length = o;
};
