import { CYR, DIGIT, LAT, LETTER, classOf } from './chars.js';
import { copyIfApart, type Transform, type Units } from './units.js';

/**
 * Step 6, «leet»: digits and symbols that stand for letters inside a word become those letters.
 * In Cyrillic words (two or more Cyrillic letters, more than Latin): 0→о 3→з 4→ч 6→б 8→в @→а $→с, inside
 * the word («з@кл@дки», «c0ль», «д0ңыз»), at its start when one character precedes two or more letters that
 * are not a unit or an ordinal ending («3акладки», «$оль», but not «3шт», «10кг», «5ый»), at its end only when
 * the word already had a substitution inside. In Latin words (three or more Latin letters): one digit or $
 * between letters, 0→o 1→i 3→e 4→a 5→s 7→t $→s («c4sino», «k0ks»); @ stays (e-mail addresses). Numbers, prices,
 * phones, times, dates and codes such as «mp3», «rtx4090», «iphone15» do not change.
 */

function pairs(list: string): Map<number, number> {
  const m = new Map<number, number>();
  for (let k = 0; k < list.length; k += 2) m.set(list.charCodeAt(k), list.charCodeAt(k + 1));
  return m;
}

const CYR_MAP = pairs('0о3з4ч6б8в@а$с');
const LAT_MAP = pairs('0o1i3e4a5s7t$s');

// Letters that follow a number as a unit or an ordinal ending: «3шт», «5мин», «2ой», «4ех».
const UNIT_PREFIXES = [
  'шт', 'кг', 'гр', 'мг', 'мл', 'км', 'см', 'мм', 'ми', 'се', 'ча', 'дн', 'де', 'не', 'ме', 'ле', 'го', 'ра', 'ру', 'ты', 'тг', 'те', 'мл',
  'ти', 'ый', 'ой', 'ий', 'ая', 'ое', 'ые', 'ех', 'их', 'ух', 'ым', 'ом', 'ем', 'ам', 'ью', 'ко', 'кв', 'эт', 'со', 'кл', 'ку', 'ст', 'ша',
  'па', 'по', 'ме', 'га', 'лт', 'ли', 'ка', 'мб', 'гб', 'тб', 'кб', 'мп', 'шк', 'нд', 'ин', 'ын', 'ші', 'шы',
];
const UNIT_SET = new Set(UNIT_PREFIXES.map((p) => p.charCodeAt(0) * 65536 + p.charCodeAt(1)));

function inWord(c: number): boolean {
  return (classOf(c) & (LETTER | DIGIT)) !== 0 || c === 0x40 || c === 0x24;
}

function isLetterCode(c: number): boolean {
  return (classOf(c) & LETTER) !== 0;
}

export const replaceLeet: Transform = (src: Units, dst: Units): void => {
  const n = src.length;
  copyIfApart(src, dst);
  // In place is safe: a word is read before its units change, and a changed unit is not read again as a digit.
  const codes = src.codes;
  const out = dst.codes;
  let i = 0;
  while (i < n) {
    const c = codes[i]!;
    // Only words with a digit, @ or $ can change: look for those, then take the word around them.
    if (c > 0x40 || !((c >= 0x30 && c <= 0x39) || c === 0x40 || c === 0x24)) {
      i += 1;
      continue;
    }
    let a = i;
    while (a > 0 && inWord(codes[a - 1]!)) a -= 1;
    let j = i + 1;
    while (j < n && inWord(codes[j]!)) j += 1;
    let cyr = 0;
    let lat = 0;
    for (let k = a; k < j; k += 1) {
      const cls = classOf(codes[k]!);
      if (cls & CYR) cyr += 1;
      else if (cls & LAT) lat += 1;
    }
    if (cyr >= 2 && cyr > lat) rewriteCyrillic(codes, out, a, j, cyr);
    else if (lat >= 3 && lat > cyr) rewriteLatin(codes, out, a, j);
    i = j;
  }
};

/** Converts non-letter runs [a, b) inside [i, j) of a Cyrillic word. */
function rewriteCyrillic(codes: Uint16Array, out: Uint16Array, i: number, j: number, letters: number): void {
  let first = i;
  while (first < j && !isLetterCode(codes[first]!)) first += 1;
  let last = j - 1;
  while (last >= i && !isLetterCode(codes[last]!)) last -= 1;
  let inner = false;
  let k = first;
  while (k <= last) {
    if (isLetterCode(codes[k]!)) {
      k += 1;
      continue;
    }
    let e = k;
    while (e <= last && !isLetterCode(codes[e]!)) e += 1;
    if ((e - k <= 2 || onlySymbols(codes, k, e)) && mapAll(codes, out, k, e, CYR_MAP)) inner = true;
    k = e;
  }
  if (first > i && first - i === 1 && letters >= 2) {
    const c = codes[i]!;
    const symbol = c === 0x40 || c === 0x24;
    const unit = UNIT_SET.has(codes[first]! * 65536 + (codes[first + 1] ?? 0));
    if (symbol || !unit) mapAll(codes, out, i, first, CYR_MAP);
  }
  if (last < j - 1 && (inner || onlySymbols(codes, last + 1, j))) mapAll(codes, out, last + 1, j, CYR_MAP);
}

function rewriteLatin(codes: Uint16Array, out: Uint16Array, i: number, j: number): void {
  for (let k = i + 1; k < j - 1; k += 1) {
    const c = codes[k]!;
    if (isLetterCode(c) || c === 0x40) continue;
    if (isLetterCode(codes[k - 1]!) && isLetterCode(codes[k + 1]!)) {
      const m = LAT_MAP.get(c);
      if (m !== undefined) out[k] = m;
    }
  }
}

function onlySymbols(codes: Uint16Array, a: number, b: number): boolean {
  for (let k = a; k < b; k += 1) if (codes[k] !== 0x40 && codes[k] !== 0x24) return false;
  return true;
}

/** Maps every unit of [a, b) if all of them have a mapping; says whether it did. */
function mapAll(codes: Uint16Array, out: Uint16Array, a: number, b: number, map: Map<number, number>): boolean {
  for (let k = a; k < b; k += 1) if (!map.has(codes[k]!)) return false;
  for (let k = a; k < b; k += 1) out[k] = map.get(codes[k]!)!;
  return true;
}
