import type { NormalizedText } from '../types.js';
import { foldCase } from './case.js';
import { kazakhLatin } from './kazakh-latin.js';
import { replaceLeet } from './leet.js';
import { unifyScript } from './mixed-script.js';
import { collapseRepeats } from './repeats.js';
import { joinSpacedLetters } from './spaced-letters.js';
import { unicodeFold } from './unicode.js';
import { Units, unitsToString, type Transform } from './units.js';
import { collapseWhitespace } from './whitespace.js';

export { identity, toOriginalSpan, MappedBuilder } from './mapped.js';
export { transliterate as kazakhLatinToCyrillic, looksKazakhLatin } from './kazakh-latin.js';
export { Units, type Transform } from './units.js';

/**
 * The transforms, in the order they run. The order is part of the contract: rules and the model see the
 * output of all of them, and each step relies on the ones before it (spaced letters are joined before the
 * script of the joined word is unified; case is folded after the mixed-script step, which needs it; digits
 * become letters only once the word's script is known; repeats collapse after leet so «з@@@кл@дки» works).
 */
export const TRANSFORMS: ReadonlyArray<{ readonly name: string; readonly run: Transform }> = [
  { name: 'unicode', run: unicodeFold },
  { name: 'whitespace', run: collapseWhitespace },
  { name: 'spaced-letters', run: joinSpacedLetters },
  { name: 'mixed-script', run: unifyScript },
  { name: 'case', run: foldCase },
  { name: 'leet', run: replaceLeet },
  { name: 'repeats', run: collapseRepeats },
  { name: 'kazakh-latin', run: kazakhLatin },
];

// Two buffers reused across calls: a transform reads one and writes the other.
let front = new Units(1024);
let back = new Units(1024);
const SHRINK_ABOVE = 1 << 22;

function run(text: string, onStep?: (name: string, units: Units) => void): Units {
  front.load(text);
  for (const t of TRANSFORMS) {
    t.run(front, back);
    const swap = front;
    front = back;
    back = swap;
    onStep?.(t.name, front);
  }
  return front;
}

function release(): void {
  if (front.codes.length > SHRINK_ABOVE) front = new Units(1024);
  if (back.codes.length > SHRINK_ABOVE) back = new Units(1024);
}

/** Normalizes a post's text for matching and for the model, keeping a map back to the original. */
export function normalize(text: string): NormalizedText {
  const out = run(text);
  const result: NormalizedText = {
    original: text,
    text: unitsToString(out.codes, out.length),
    starts: out.starts.slice(0, out.length),
    ends: out.ends.slice(0, out.length),
  };
  release();
  return result;
}

/** The text after each transform, for `qorgau inspect --steps` and for debugging a rule. */
export function normalizeSteps(text: string): Array<{ readonly name: string; readonly text: string }> {
  const steps: Array<{ name: string; text: string }> = [];
  run(text, (name, units) => steps.push({ name, text: unitsToString(units.codes, units.length) }));
  release();
  return steps;
}
