import type { NormalizedText } from '../types.js';

/** Maps a span of the normalized text [start, end) to the original text's [start, end). */
export function toOriginalSpan(mapped: NormalizedText, start: number, end: number): { start: number; end: number } {
  if (mapped.text.length === 0) return { start: 0, end: 0 };
  const s = Math.min(Math.max(start, 0), mapped.text.length - 1);
  const e = Math.min(Math.max(end - 1, s), mapped.text.length - 1);
  return { start: mapped.starts[s]!, end: mapped.ends[e]! };
}
