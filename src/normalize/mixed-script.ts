import { CYR, DIGIT, LAT, LETTER, classOf } from './chars.js';
import { copyIfApart, type Transform, type Units } from './units.js';

/**
 * Step 4, «mixed-script»: a word that mixes Cyrillic and Latin letters is written in one script. Letters that
 * have no lookalike in the other script decide («нaркoтики»: н р т и are only Cyrillic, so the Latin a and o
 * become а and о; «cаsino» with Cyrillic а becomes casino); a tie goes to the script most letters of the text
 * use. Runs before case folding because case matters for the look (Latin H is Cyrillic Н, Latin h is not).
 * One unit in, one unit out; safe in place.
 */

function pairs(list: string): Map<number, number> {
  const m = new Map<number, number>();
  for (let k = 0; k < list.length; k += 2) m.set(list.charCodeAt(k), list.charCodeAt(k + 1));
  return m;
}

// Latin letter → the Cyrillic letter it passes for (including italic lookalikes u→и, n→п, r→г, b→ь).
const LAT_TO_CYR = pairs('AАaаBВCСcсEЕeеHНKКkкMМmмOОoоPРpрTТXХxхYУyуIІiіuиnпrгbьÀАàаÁАáаÈЕèеÉЕéеËЁëёÓОóоÒОòоÝУýуÿу');
// Cyrillic letter → the Latin letter it passes for.
const CYR_TO_LAT = pairs('АAаaВBЕEеeКKкkМMНHОOоoРPрpСCсcТTХXхxУYуyІIіiЈJјjЅSѕsԁdԛqԝwҺHһhҮYүy');

const toCyr = new Uint16Array(65536);
const toLat = new Uint16Array(65536);
for (const [k, v] of LAT_TO_CYR) toCyr[k] = v;
for (const [k, v] of CYR_TO_LAT) toLat[k] = v;

function inWord(c: number): boolean {
  return (classOf(c) & (LETTER | DIGIT)) !== 0 || c === 0x40 || c === 0x24;
}

/** +1 when most letters of the text are Cyrillic, -1 when Latin. */
function majority(codes: Uint16Array, n: number): number {
  let cyr = 0;
  let lat = 0;
  for (let i = 0; i < n; i += 1) {
    const cls = classOf(codes[i]!);
    if (cls & CYR) cyr += 1;
    else if (cls & LAT) lat += 1;
  }
  return cyr >= lat ? 1 : -1;
}

export const unifyScript: Transform = (src: Units, dst: Units): void => {
  const n = src.length;
  copyIfApart(src, dst);
  const codes = src.codes;
  let textMajority = 0;
  let i = 0;
  while (i < n) {
    const c = codes[i]!;
    // Only words with a Latin letter can mix scripts: look for one (a cheap test), then take its word.
    const lower = c | 0x20;
    if (!((lower >= 0x61 && lower <= 0x7a) || (c >= 0xc0 && c <= 0x24f))) {
      i += 1;
      continue;
    }
    let a = i;
    while (a > 0 && inWord(codes[a - 1]!)) a -= 1;
    let j = a;
    let cyr = 0;
    let lat = 0;
    let cyrStrong = 0;
    let latStrong = 0;
    while (j < n && inWord(codes[j]!)) {
      const ch = codes[j]!;
      const cls = classOf(ch);
      if (cls & CYR) {
        cyr += 1;
        if (toLat[ch] === 0) cyrStrong += 1;
      } else if (cls & LAT) {
        lat += 1;
        if (toCyr[ch] === 0) latStrong += 1;
      }
      j += 1;
    }
    if (cyr > 0 && lat > 0) {
      let target = cyrStrong > latStrong ? 1 : latStrong > cyrStrong ? -1 : 0;
      if (target === 0) {
        if (textMajority === 0) textMajority = majority(codes, n);
        target = textMajority;
      }
      const table = target > 0 ? toCyr : toLat;
      for (let k = a; k < j; k += 1) {
        const mapped = table[codes[k]!]!;
        if (mapped !== 0) dst.codes[k] = mapped;
      }
    }
    i = j > i ? j : i + 1;
  }
};
