import { findContacts } from '../tokenize/contacts.js';

// Reposts dodge filters and each other with look-alike letters, digits and symbols inside words; mapping
// them onto one Cyrillic letter makes «з@кл@дки», «zaкладки» and «закладки» one word for clustering.
const LOOKALIKE: Readonly<Record<string, string>> = {
  a: 'а', b: 'в', c: 'с', e: 'е', h: 'н', k: 'к', m: 'м', o: 'о', p: 'р', t: 'т', x: 'х', y: 'у', u: 'и', r: 'г', n: 'п',
  '0': 'о', '3': 'з', '4': 'ч', '6': 'б', '@': 'а', $: 'с', ё: 'е',
};
// The same table by UTF-16 code: 0 keeps the unit, -1 drops it (digits that are not look-alikes: prices and
// grams, «1г», «5к», carry no identity; NFKC has already turned other digit forms into ASCII ones).
const MAP = new Int32Array(0x500);
for (let d = 0x30; d <= 0x39; d += 1) MAP[d] = -1;
for (const [from, to] of Object.entries(LOOKALIKE)) MAP[from.charCodeAt(0)] = to.charCodeAt(0);

const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/g;
const WORD = /[\p{L}\p{M}\p{N}@$]+/gu;

const NOT_DIGIT = /[^0-9]/;

function canonicalWord(word: string): string {
  // Numbers (prices, quantities, years) change between reposts; only digits inside words are look-alikes.
  if (!NOT_DIGIT.test(word)) return '';
  const codes: number[] = [];
  let prev = -1;
  for (let i = 0; i < word.length; i += 1) {
    let c = word.charCodeAt(i);
    const m = c < MAP.length ? MAP[c]! : 0;
    if (m === -1) continue;
    if (m !== 0) c = m;
    // Stretched letters («мееееф») are a cheap edit between reposts.
    if (c === prev) continue;
    codes.push(c);
    prev = c;
  }
  // In slices: one spread of a million-letter word would overflow the argument list.
  let out = '';
  for (let k = 0; k < codes.length; k += 8192) out += String.fromCharCode(...codes.slice(k, k + 8192));
  return out;
}

/**
 * The part of a post that stays the same when a shop reposts it: case-folded words with contacts, numbers,
 * emoji and punctuation removed, look-alike characters mapped to Cyrillic, repeated letters squeezed, and
 * spaced-out letters («з а к л а д к и», «м.е.ф») joined. Clustering compares these, never the raw text.
 */
export function clusterSkeleton(text: string): string {
  // No offset map is needed here, so a whole-string fold is enough (and far cheaper than normalize()).
  let t = text.normalize('NFKC').toLowerCase().replace(INVISIBLE, '');
  // Handles, bots, links and phones change between reposts of one ad (and one shop runs many): drop them.
  const contacts = findContacts(t);
  if (contacts.length > 0) {
    let kept = '';
    let at = 0;
    for (const c of contacts) {
      kept += `${t.slice(at, c.start)} `;
      at = c.end;
    }
    t = kept + t.slice(at);
  }
  const words: string[] = [];
  let letters = '';
  let letterCount = 0;
  const flushLetters = (): void => {
    if (letterCount >= 3) words.push(letters);
    else for (const ch of letters) words.push(ch);
    letters = '';
    letterCount = 0;
  };
  for (const m of t.matchAll(WORD)) {
    const w = canonicalWord(m[0]);
    if (w.length === 0) continue;
    if (w.length === 1 || (w.length === 2 && w.codePointAt(0)! > 0xffff)) {
      letters += w;
      letterCount += 1;
      continue;
    }
    flushLetters();
    words.push(w);
  }
  flushLetters();
  return words.join(' ');
}
