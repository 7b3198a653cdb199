import { CYR, classOf } from './chars.js';
import type { Transform, Units } from './units.js';

/**
 * Step 7, «repeats»: three or more of the same Cyrillic letter in a row become one («сууукаааа» → «сука»,
 * «дааа» → «да»). Doubles stay (касса, ванна), and so do exactly three е (длинношеее); Latin is left alone (www, xxx, roman numerals).
 */
export const collapseRepeats: Transform = (src: Units, dst: Units): void => {
  dst.length = 0;
  dst.reserve(src.length);
  const n = src.length;
  const codes = src.codes;
  let i = 0;
  while (i < n) {
    const c = codes[i]!;
    let j = i + 1;
    if (c >= 0x400 && codes[j] === c && (classOf(c) & CYR) !== 0) {
      while (j < n && codes[j] === c) j += 1;
      // Exactly three е is a real spelling (длинношеее, змееед).
      if (j - i < 3 || (j - i === 3 && c === 0x435)) j = i + 1;
    }
    const o = dst.length;
    dst.codes[o] = c;
    dst.starts[o] = src.starts[i]!;
    dst.ends[o] = src.ends[j - 1]!;
    dst.length = o + 1;
    i = j;
  }
};
