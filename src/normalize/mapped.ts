import type { NormalizedText } from '../types.js';

/** Start of a mapped text: every unit maps to itself. */
export function identity(text: string): NormalizedText {
  const starts = new Uint32Array(text.length);
  const ends = new Uint32Array(text.length);
  for (let i = 0; i < text.length; i += 1) {
    starts[i] = i;
    ends[i] = i + 1;
  }
  return { original: text, text, starts, ends };
}

/**
 * Builds the next mapped text from the previous one. A transform appends output pieces, each naming the
 * input range [from, to) it came from; composition keeps the map pointing at the ORIGINAL text.
 */
export class MappedBuilder {
  private out = '';
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(private readonly input: NormalizedText) {}

  /** Appends `text` produced from input units [from, to). Empty `text` deletes that range. */
  push(text: string, from: number, to: number): void {
    if (text.length === 0) return;
    const last = Math.max(from, to - 1);
    const s = this.input.starts[from] ?? this.input.original.length;
    const e = this.input.ends[last] ?? s;
    if (to - from === text.length) {
      // One-to-one: keep the finer per-unit map.
      for (let k = 0; k < text.length; k += 1) {
        this.starts.push(this.input.starts[from + k]!);
        this.ends.push(this.input.ends[from + k]!);
      }
    } else {
      for (let k = 0; k < text.length; k += 1) {
        this.starts.push(s);
        this.ends.push(e);
      }
    }
    this.out += text;
  }

  build(): NormalizedText {
    return {
      original: this.input.original,
      text: this.out,
      starts: Uint32Array.from(this.starts),
      ends: Uint32Array.from(this.ends),
    };
  }
}

/** Maps a span of the normalized text [start, end) to the original text's [start, end). */
export function toOriginalSpan(mapped: NormalizedText, start: number, end: number): { start: number; end: number } {
  if (mapped.text.length === 0) return { start: 0, end: 0 };
  const s = Math.min(Math.max(start, 0), mapped.text.length - 1);
  const e = Math.min(Math.max(end - 1, s), mapped.text.length - 1);
  return { start: mapped.starts[s]!, end: mapped.ends[e]! };
}
