/** murmur3's finalizer: a cheap 32-bit mix with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 units of s[start, end); another `basis` gives an independent hash. */
export function fnv1a(s: string, start = 0, end = s.length, basis = 0x811c9dc5): number {
  let h = basis;
  for (let i = start; i < end; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Hashes of the character k-grams of `s`; a string shorter than k is one shingle. Repeats are kept: MinHash
 * takes minima, so they change nothing, and skipping the dedupe is cheaper than doing it.
 */
export function shingleHashes(s: string, k: number): Uint32Array {
  if (s.length === 0) return new Uint32Array(0);
  if (s.length <= k) return Uint32Array.of(fnv1a(s));
  const out = new Uint32Array(s.length - k + 1);
  for (let i = 0; i < out.length; i += 1) out[i] = fnv1a(s, i, i + k);
  return out;
}

const paramCache = new Map<number, Uint32Array>();

/** a_i (odd) and b_i of the n hash functions h_i(x) = a_i·x + b_i mod 2^32, interleaved. */
function params(n: number): Uint32Array {
  let p = paramCache.get(n);
  if (!p) {
    p = new Uint32Array(2 * n);
    for (let i = 0; i < n; i += 1) {
      p[2 * i] = fmix32(0x9e3779b9 + Math.imul(i + 1, 0x7f4a7c15)) | 1;
      p[2 * i + 1] = fmix32(0x85ebca6b ^ Math.imul(i + 1, 0x27d4eb2f));
    }
    paramCache.set(n, p);
  }
  return p;
}

/**
 * MinHash signature: for each of n hash functions the smallest hash over the shingles. The share of equal
 * positions between two signatures estimates the Jaccard similarity of their shingle sets. Each shingle
 * hash is mixed once; the n functions are then one multiply-add each, which is what keeps this cheap.
 */
export function minhash(shingles: Uint32Array, n: number, out = new Uint32Array(n)): Uint32Array {
  const p = params(n);
  out.fill(0xffffffff);
  for (let j = 0; j < shingles.length; j += 1) {
    const x = fmix32(shingles[j]!);
    for (let i = 0; i < n; i += 1) {
      const v = (Math.imul(p[2 * i]!, x) + p[2 * i + 1]!) >>> 0;
      if (v < out[i]!) out[i] = v;
    }
  }
  return out;
}

/** Estimated Jaccard similarity of the signatures a[ai, ai+n) and b[bi, bi+n). */
export function similarity(a: Uint32Array, ai: number, b: Uint32Array, bi: number, n: number): number {
  let same = 0;
  for (let i = 0; i < n; i += 1) if (a[ai + i] === b[bi + i]) same += 1;
  return same / n;
}

/** Whether the estimated similarity reaches `threshold`; stops as soon as the answer is known. */
export function similarAtLeast(a: Uint32Array, ai: number, b: Uint32Array, bi: number, n: number, threshold: number): boolean {
  const maxMiss = n - Math.ceil(threshold * n - 1e-9);
  let miss = 0;
  for (let i = 0; i < n; i += 1) if (a[ai + i] !== b[bi + i] && ++miss > maxMiss) return false;
  return true;
}
