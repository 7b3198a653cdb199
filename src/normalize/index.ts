import type { NormalizedText } from '../types.js';
import { MappedBuilder, identity } from './mapped.js';

export { identity, toOriginalSpan, MappedBuilder } from './mapped.js';

const ZERO_WIDTH = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/;

/** Per-code-point rewrite: NFKC, lower case, ё→е, zero-width and soft hyphen removed, spaces unified. */
function basicFold(input: NormalizedText): NormalizedText {
  const b = new MappedBuilder(input);
  const text = input.text;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const ch = text.slice(i, i + len);
    let out: string;
    if (ZERO_WIDTH.test(ch)) out = '';
    else if (/\s/.test(ch)) out = ' ';
    else out = ch.normalize('NFKC').toLowerCase().replace(/ё/g, 'е');
    b.push(out, i, i + len);
    i += len;
  }
  return b.build();
}

/** Runs of spaces become one space, so that spans and tokens do not depend on layout. */
function collapseSpaces(input: NormalizedText): NormalizedText {
  const b = new MappedBuilder(input);
  const text = input.text;
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      let j = i + 1;
      while (j < text.length && text[j] === ' ') j += 1;
      b.push(' ', i, j);
      i = j;
    } else {
      b.push(text[i]!, i, i + 1);
      i += 1;
    }
  }
  return b.build();
}

/** The transforms, in the order they run. Each maps NormalizedText → NormalizedText and keeps the map. */
export const TRANSFORMS: ReadonlyArray<{ readonly name: string; readonly run: (t: NormalizedText) => NormalizedText }> = [
  { name: 'basic-fold', run: basicFold },
  { name: 'collapse-spaces', run: collapseSpaces },
];

/** Normalizes a post's text for matching and for the model, keeping a map back to the original. */
export function normalize(text: string): NormalizedText {
  let current = identity(text);
  for (const t of TRANSFORMS) current = t.run(current);
  return current;
}
