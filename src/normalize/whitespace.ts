import type { Transform, Units } from './units.js';

/**
 * Step 2, «whitespace»: a run of spaces becomes one ' ', or one '\n' when it holds a line break (sentences and
 * list items stay apart for language ID); leading and trailing whitespace goes. Spans then do not depend on layout.
 */
export const collapseWhitespace: Transform = (src: Units, dst: Units): void => {
  dst.length = 0;
  dst.reserve(src.length);
  const n = src.length;
  const codes = src.codes;
  let i = 0;
  while (i < n && (codes[i] === 0x20 || codes[i] === 0x0a)) i += 1;
  while (i < n) {
    const c = codes[i]!;
    if (c !== 0x20 && c !== 0x0a) {
      const o = dst.length;
      dst.codes[o] = c;
      dst.starts[o] = src.starts[i]!;
      dst.ends[o] = src.ends[i]!;
      dst.length = o + 1;
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
      const o = dst.length;
      dst.codes[o] = newline ? 0x0a : 0x20;
      dst.starts[o] = src.starts[i]!;
      dst.ends[o] = src.ends[j - 1]!;
      dst.length = o + 1;
    }
    i = j;
  }
};
