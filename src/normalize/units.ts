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
  /** What the text may contain (HAS_* bits), set by the unicode step; later steps are skipped when they cannot apply. */
  flags = 0;

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

  toString(): string {
    return unitsToString(this.codes, this.length);
  }
}

export const HAS_LATIN = 1;
export const HAS_CYRILLIC = 2;
/** Digits, @ or $: what the leet step rewrites. */
export const HAS_LEET = 4;
/** A one-character word followed by a separator: where the spaced-letters step starts. */
export const HAS_SPACED = 8;

/** A transform: reads `src`, writes `dst` from length 0. */
export type Transform = (src: Units, dst: Units) => void;

// Lone surrogates never reach here (the unicode step drops them), so decoding cannot replace anything.
const DECODER = new TextDecoder('utf-16le', { ignoreBOM: true });

export function unitsToString(codes: Uint16Array, length: number): string {
  if (length < 16) {
    let s = '';
    for (let i = 0; i < length; i += 1) s += String.fromCharCode(codes[i]!);
    return s;
  }
  return DECODER.decode(codes.subarray(0, length));
}

// Result maps are views into shared slabs: allocating a small typed array costs microseconds in V8 (an
// off-heap buffer each), a view of a slab a fraction of that. A slab lives while any result still uses it.
const SLAB = 1 << 18;
let slab = new Uint32Array(SLAB);
let slabUsed = 0;

/** A copy of the first `length` entries of `from`. */
export function copyOut(from: Uint32Array, length: number): Uint32Array {
  if (length > SLAB >> 3) return from.slice(0, length);
  if (slabUsed + length > SLAB) {
    slab = new Uint32Array(SLAB);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + length);
  slabUsed += length;
  for (let i = 0; i < length; i += 1) out[i] = from[i]!;
  return out;
}

/** For a one-in-one-out transform: makes `dst` a copy of `src` unless they are the same buffer (in place). */
export function copyIfApart(src: Units, dst: Units): void {
  if (src === dst) return;
  dst.length = 0;
  dst.reserve(src.length);
  dst.codes.set(src.codes.subarray(0, src.length));
  dst.starts.set(src.starts.subarray(0, src.length));
  dst.ends.set(src.ends.subarray(0, src.length));
  dst.length = src.length;
  dst.flags = src.flags;
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
