import { copyIfApart, type Transform, type Units } from './units.js';

/** Step 5, «case»: lower case, ё → е (Russian writes both for one letter), İ → i. One unit in, one unit out; safe in place. */

const LOWER = new Uint16Array(65536);

function lower(c: number): number {
  let v = LOWER[c]!;
  if (v === 0) {
    const s = String.fromCharCode(c).toLowerCase();
    v = s.length === 1 ? s.charCodeAt(0) : s.charCodeAt(0) === 0x69 ? 0x69 : c;
    if (v === 0x451) v = 0x435;
    LOWER[c] = v;
  }
  return v;
}

export const foldCase: Transform = (src: Units, dst: Units): void => {
  const n = src.length;
  copyIfApart(src, dst);
  const codes = src.codes;
  const out = dst.codes;
  for (let i = 0; i < n; i += 1) {
    const c = codes[i]!;
    if (c < 0x41 || (c > 0x5a && c < 0xc0)) continue;
    out[i] = c <= 0x5a ? c + 32 : lower(c);
  }
};
