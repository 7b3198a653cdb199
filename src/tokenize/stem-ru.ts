/**
 * The Snowball Russian stemmer (snowballstem.org, algorithms/russian), ported to TypeScript. Chosen over
 * natural's PorterStemmerRu: the same algorithm family, but natural as a dependency installs 52 packages /
 * 77 MB (mongoose, pg, redis) and its package root loads `.env` into `process.env`; this port has none of that.
 * Input: one lower-case word, ё already written е.
 */

const VOWELS = new Set('аеиоуыэюя');

type Entry = readonly [suffix: string, needsAYa: boolean];
/** Suffixes by their last letter, longest first: a word is only compared with the few that can match. */
type Among = ReadonlyMap<string, readonly Entry[]>;

function among(group1: string, group2: string): Among {
  const list: Entry[] = [
    ...group1.split(' ').filter(Boolean).map((s): Entry => [s, true]),
    ...group2.split(' ').filter(Boolean).map((s): Entry => [s, false]),
  ].sort((a, b) => b[0].length - a[0].length);
  const byLast = new Map<string, Entry[]>();
  for (const e of list) {
    const last = e[0][e[0].length - 1]!;
    byLast.set(last, [...(byLast.get(last) ?? []), e]);
  }
  return byLast;
}

const PERFECTIVE_GERUND = among('в вши вшись', 'ив ивши ившись ыв ывши ывшись');
const ADJECTIVE = among('', 'ее ие ые ое ими ыми ей ий ый ой ем им ым ом его ого ему ому их ых ую юю ая яя ою ею');
const PARTICIPLE = among('ем нн вш ющ щ', 'ивш ывш ующ');
const REFLEXIVE = among('', 'ся сь');
const VERB = among(
  'ла на ете йте ли й л ем н ло но ет ют ны ть ешь нно',
  'ила ыла ена ейте уйте ите или ыли ей уй ил ыл им ым ен ило ыло ено ят ует уют ит ыт ены ить ыть ишь ую ю',
);
const NOUN = among('', 'а ев ов ие ье е иями ями ами еи ии и ией ей ой ий й иям ям ием ем ам ом о у ах иях ях ы ь ию ью ю ия ья я');
const SUPERLATIVE = among('', 'ейш ейше');
const DERIVATIONAL = among('', 'ост ость');

/** RV: after the first vowel. R2: the region after the second vowel–consonant pair. */
function regions(w: string): { rv: number; r2: number } {
  const n = w.length;
  let i = 0;
  while (i < n && !VOWELS.has(w[i]!)) i += 1;
  if (i >= n) return { rv: n, r2: n };
  const rv = i + 1;
  const steps = [false, true, false];
  let j = rv;
  for (const wantVowel of steps) {
    while (j < n && VOWELS.has(w[j]!) !== wantVowel) j += 1;
    if (j >= n) return { rv, r2: n };
    j += 1;
  }
  return { rv, r2: j };
}

/**
 * Snowball's `[substring] among (...)`: the longest listed suffix inside the region; a group-1 suffix also needs
 * а or я (inside the region) before it. Returns the new word, or null when the longest suffix does not qualify.
 */
function strip(w: string, lo: number, among: Among): string | null {
  const list = among.get(w[w.length - 1] ?? '');
  if (!list) return null;
  for (const [suffix, needsAYa] of list) {
    if (w.length - suffix.length < lo || !w.endsWith(suffix)) continue;
    const at = w.length - suffix.length;
    if (needsAYa) {
      const before = w[at - 1];
      if (at - 1 < lo || (before !== 'а' && before !== 'я')) return null;
    }
    return w.slice(0, at);
  }
  return null;
}

export function stemRussian(word: string): string {
  const { rv, r2 } = regions(word);
  let w = word;
  // Step 1.
  const gerund = strip(w, rv, PERFECTIVE_GERUND);
  if (gerund !== null) w = gerund;
  else {
    w = strip(w, rv, REFLEXIVE) ?? w;
    const adjective = strip(w, rv, ADJECTIVE);
    if (adjective !== null) w = strip(adjective, rv, PARTICIPLE) ?? adjective;
    else w = strip(w, rv, VERB) ?? strip(w, rv, NOUN) ?? w;
  }
  // Step 2.
  if (w.length - 1 >= rv && w.endsWith('и')) w = w.slice(0, -1);
  // Step 3.
  w = strip(w, Math.max(rv, r2), DERIVATIONAL) ?? w;
  // Step 4: undouble н, drop a superlative (then undouble), or drop ь.
  const superlative = strip(w, rv, SUPERLATIVE);
  if (superlative !== null) {
    w = superlative;
    if (w.length - 2 >= rv && w.endsWith('нн')) w = w.slice(0, -1);
  } else if (w.length - 2 >= rv && w.endsWith('нн')) w = w.slice(0, -1);
  else if (w.length - 1 >= rv && w.endsWith('ь')) w = w.slice(0, -1);
  return w;
}
