import type { NormalizedText } from '../types.js';
import { foldCase } from './case.js';
import { kazakhLatin } from './kazakh-latin.js';
import { replaceLeet } from './leet.js';
import { unifyScript } from './mixed-script.js';
import { collapseRepeats } from './repeats.js';
import { joinSpacedLetters } from './spaced-letters.js';
import { unicodeFold, unicodeFoldText } from './unicode.js';
import { HAS_CYRILLIC, HAS_LATIN, HAS_LEET, Units, copyOut, unitsToString, type Transform } from './units.js';
import { collapseWhitespace } from './whitespace.js';

export { toOriginalSpan } from './mapped.js';
export { transliterate as kazakhLatinToCyrillic, looksKazakhLatin } from './kazakh-latin.js';
export { Units, type Transform } from './units.js';

/**
 * The transforms, in the order they run. The order is part of the contract: rules and the model see the
 * output of all of them, and each step relies on the ones before it (spaced letters are joined before the
 * script of the joined word is unified; case is folded after the mixed-script step, which needs it; digits
 * become letters only once the word's script is known; repeats collapse after leet so «з@@@кл@дки» works).
 * `needs`: HAS_* bits the text must have for the step to change anything (the unicode step sets them); a
 * step that cannot apply is skipped. Every step but unicode runs in place and writes nothing until it changes
 * something, so a step with nothing to do only reads.
 */
export const TRANSFORMS: ReadonlyArray<{ readonly name: string; readonly run: Transform; readonly needs: number; readonly inPlace: boolean }> = [
  { name: 'unicode', run: unicodeFold, needs: 0, inPlace: false },
  { name: 'whitespace', run: collapseWhitespace, needs: 0, inPlace: true },
  { name: 'spaced-letters', run: joinSpacedLetters, needs: 0, inPlace: true },
  { name: 'mixed-script', run: unifyScript, needs: HAS_LATIN | HAS_CYRILLIC, inPlace: true },
  { name: 'case', run: foldCase, needs: 0, inPlace: true },
  { name: 'leet', run: replaceLeet, needs: HAS_LEET, inPlace: true },
  { name: 'repeats', run: collapseRepeats, needs: HAS_CYRILLIC, inPlace: true },
  { name: 'kazakh-latin', run: kazakhLatin, needs: HAS_LATIN, inPlace: true },
];

// Buffers reused across calls: the unicode step fills `front` from the string, the other steps rewrite it in
// place (`back` serves a step that could not).
let front = new Units(1024);
let back = new Units(1024);
const SHRINK_ABOVE = 1 << 22;

function run(text: string, onStep?: (name: string, units: Units) => void): Units {
  front.flags = 0;
  for (const t of TRANSFORMS) {
    if (t.run === unicodeFold) {
      // The first step reads the string directly instead of a loaded identity map.
      unicodeFoldText(text, front);
    } else if ((front.flags & t.needs) === t.needs) {
      if (t.inPlace) t.run(front, front);
      else {
        // Only the unicode step can lengthen the text; it writes the other buffer and sets the flags.
        t.run(front, back);
        const swap = front;
        front = back;
        back = swap;
      }
    }
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
    starts: copyOut(out.starts, out.length),
    ends: copyOut(out.ends, out.length),
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
