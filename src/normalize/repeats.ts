import { CYR, classOf } from './chars.js';
import type { Transform, Units } from './units.js';

/**
 * Step 7, «repeats»: three or more of the same Cyrillic letter in a row become one («сууукаааа» → «сука»,
 * «дааа» → «да»). Doubles stay (касса, ванна), and so do exactly three е (длинношеее); Latin is left alone
 * (www, xxx, roman numerals). Safe in place.
 */
export const collapseRepeats: Transform = (src: Units, dst: Units): void => {
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
  while (i < n) {
    const c = codes[i]!;
    let j = i + 1;
    if (c >= 0x400 && j + 1 < n && codes[j] === c && codes[j + 1] === c && (classOf(c) & CYR) !== 0) {
      while (j < n && codes[j] === c) j += 1;
      // Exactly three е is a real spelling (длинношеее, змееед).
      if (j - i === 3 && c === 0x435) j = i + 1;
    }
    if (!same || o !== i || j !== i + 1) {
      const s = starts[i]!;
      const e = ends[j - 1]!;
      out[o] = c;
      outStarts[o] = s;
      outEnds[o] = e;
    }
    o += 1;
    i = j;
  }
  dst.length = o;
};
