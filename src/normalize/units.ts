/**
 * The working buffer every transform reads and writes: UTF-16 units of the current text plus, per unit, the
 * ORIGINAL range [start, end) it came from. Typed arrays instead of strings so that a transform is one tight
 * loop with no per-character allocation.
 */
export class Units {
  codes: Uint16Array;
  starts: Uint32Array;
  ends: Uint32Array;
  length = 0;

  constructor(capacity: number) {
    this.codes = new Uint16Array(capacity);
    this.starts = new Uint32Array(capacity);
    this.ends = new Uint32Array(capacity);
  }

  /** Makes room for `needed` units in total, keeping what is written. */
  reserve(needed: number): void {
    if (needed <= this.codes.length) return;
    const cap = Math.max(needed, this.codes.length * 2, 64);
    const codes = new Uint16Array(cap);
    const starts = new Uint32Array(cap);
    const ends = new Uint32Array(cap);
    codes.set(this.codes.subarray(0, this.length));
    starts.set(this.starts.subarray(0, this.length));
    ends.set(this.ends.subarray(0, this.length));
    this.codes = codes;
    this.starts = starts;
    this.ends = ends;
  }

  /** Loads a string; every unit maps to itself. */
  load(text: string): void {
    this.length = 0;
    this.reserve(text.length);
    const { codes, starts, ends } = this;
    for (let i = 0; i < text.length; i += 1) {
      codes[i] = text.charCodeAt(i);
      starts[i] = i;
      ends[i] = i + 1;
    }
    this.length = text.length;
  }

  toString(): string {
    return unitsToString(this.codes, this.length);
  }
}

/** A transform: reads `src`, writes `dst` from length 0. */
export type Transform = (src: Units, dst: Units) => void;

const CHUNK = 8192;

export function unitsToString(codes: Uint16Array, length: number): string {
  if (length <= CHUNK) return String.fromCharCode.apply(null, codes.subarray(0, length) as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, codes.subarray(i, Math.min(length, i + CHUNK)) as unknown as number[]));
  }
  return parts.join('');
}

/** Copies unit i of `src` to the end of `dst` unchanged. */
export function copyUnit(src: Units, i: number, dst: Units): void {
  const o = dst.length;
  dst.codes[o] = src.codes[i]!;
  dst.starts[o] = src.starts[i]!;
  dst.ends[o] = src.ends[i]!;
  dst.length = o + 1;
}

/** Writes `code` to the end of `dst`, mapped to whatever `src` units [from, to) came from. */
export function emitUnit(dst: Units, code: number, src: Units, from: number, to: number): void {
  const o = dst.length;
  dst.codes[o] = code;
  dst.starts[o] = src.starts[from]!;
  dst.ends[o] = src.ends[to - 1]!;
  dst.length = o + 1;
}
