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

// Latin letter → the Cyrillic letter it passes for (including italic lookalikes u→и, n→п, r→г, b→ь), then the
// small capitals and Greek letters real Telegram spam writes inside Russian words («Дσход», «ᴄтαвки», «нαγчим»,
// «Πишите»). Greek letters count as Latin here: the step only ever touches words that mix them with Cyrillic.
const LAT_TO_CYR = pairs(
  'AАaаBВCСcсEЕeеHНKКkкMМmмOОoоPРpрTТXХxхYУyуIІiіuиnпrгbьÀАàаÁАáаÈЕèеÉЕéеËЁëёÓОóоÒОòоÝУýуÿу' +
    'ᴀаʙвᴄсᴅдᴇеʜнᴋкᴍмᴏоᴘрᴩрᴛтᴜиʏуᴦгᴨпᴫлɯшʍм' +
    'αаβвγуεеηпκкοоπпρрσоςсτтυиχхϲсΑАΒВΓГΕЕΗНΚКΛЛΜМΟОΠПΡРΤТΥУΦФΧХ',
);
// Greek letter → the Latin letter it passes for, for the rare Latin word with a Greek letter («cαsino»).
const GREEK_TO_LAT = pairs('αaβbεeηnιiκkοoρpσoτtυuχxΑAΒBΕEΗHΙIΚKΜMΝNΟOΡPΤTΥYΧX');

/** Greek and Coptic block: letters the step treats as lookalikes of the Latin ones. */
function isGreek(c: number): boolean {
  return c >= 0x370 && c <= 0x3ff;
}
// Cyrillic letter → the Latin letter it passes for.
const CYR_TO_LAT = pairs('АAаaВBЕEеeКKкkМMНHОOоoРPрpСCсcТTХXхxУYуyІIіiЈJјjЅSѕsԁdԛqԝwҺHһhҮYүy');

const toCyr = new Uint16Array(65536);
const toLat = new Uint16Array(65536);
for (const [k, v] of LAT_TO_CYR) toCyr[k] = v;
for (const [k, v] of CYR_TO_LAT) toLat[k] = v;
for (const [k, v] of GREEK_TO_LAT) toLat[k] = v;

function inWord(c: number): boolean {
  return (classOf(c) & (LETTER | DIGIT)) !== 0 || c === 0x40 || c === 0x24;
}

/** Words inside links, handles and file names keep their letters: contacts are read from this text. */
function partOfLink(codes: Uint16Array, a: number, j: number, n: number): boolean {
  const before = a > 0 ? codes[a - 1]! : 0x20;
  const after = j < n ? codes[j]! : 0x20;
  return before === 0x2f || before === 0x2e || before === 0x5f || before === 0x3a || after === 0x2e || after === 0x5f || after === 0x2f || after === 0x3a;
}

// Letters that look exactly like a Cyrillic one, upright: only words made of these are read as Cyrillic whole
// (the italic twins u n r b m would turn English «run», «Pro», «bunny» into Cyrillic).
const TWINS = 'AaBCcEeHKkMOoPpTXxYy';
function exactTwins(codes: Uint16Array, a: number, j: number): boolean {
  for (let k = a; k < j; k += 1) if (!TWINS.includes(String.fromCharCode(codes[k]!))) return false;
  return true;
}

/** «XXI век», «III квартал»: Roman numerals are Latin on purpose. */
function romanNumeral(codes: Uint16Array, a: number, j: number): boolean {
  for (let k = a; k < j; k += 1) if (!'ivxlcdmIVXLCDM'.includes(String.fromCharCode(codes[k]!))) return false;
  return true;
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
    if (!((lower >= 0x61 && lower <= 0x7a) || (c >= 0xc0 && c <= 0x2af) || isGreek(c) || (c >= 0x1d00 && c <= 0x1d2b))) {
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
      } else if (cls & LAT || isGreek(ch)) {
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
    } else if (cyr === 0 && lat >= 3 && latStrong === 0 && j - a === lat && exactTwins(codes, a, j) && !partOfLink(codes, a, j, n) && !romanNumeral(codes, a, j)) {
      // A whole word typed in Latin lookalikes inside Russian text («pacc», «xopo», «BCEM»): spam writes
      // them so; English words almost always hold a letter with no Cyrillic twin (t, s, l, d …).
      if (textMajority === 0) textMajority = majority(codes, n);
      if (textMajority > 0) for (let k = a; k < j; k += 1) dst.codes[k] = toCyr[codes[k]!]!;
    }
    i = j > i ? j : i + 1;
  }
};
