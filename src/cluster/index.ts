import { QorgauError } from '../errors.js';
import type { Result } from '../types.js';
import { fmix32, fnv1a, minhash, shingleHashes, similarAtLeast } from './minhash.js';
import { IntTable } from './int-table.js';
import { clusterSkeleton } from './skeleton.js';

export { clusterSkeleton } from './skeleton.js';
export { minhash, shingleHashes, similarity } from './minhash.js';

export interface ClusterOptions {
  /** Estimated Jaccard similarity of two posts' shingle sets at or above which they are near-duplicates. Default 0.5. */
  readonly threshold?: number;
  /** Characters per shingle. Default 5. */
  readonly shingleSize?: number;
  /** MinHash functions per post. Default 96. */
  readonly hashes?: number;
  /** LSH bands; `hashes` must be a multiple. More bands find less similar pairs at more cost. Default 32. */
  readonly bands?: number;
}

export interface ResolvedClusterOptions {
  readonly threshold: number;
  readonly shingleSize: number;
  readonly hashes: number;
  readonly bands: number;
}

export const DEFAULT_CLUSTER_OPTIONS: ResolvedClusterOptions = { threshold: 0.5, shingleSize: 5, hashes: 96, bands: 32 };

export function resolveClusterOptions(options: ClusterOptions = {}): ResolvedClusterOptions {
  const o = { ...DEFAULT_CLUSTER_OPTIONS, ...options };
  const fail = (what: string, value: unknown): never => {
    throw new QorgauError('bad_options', `Expected \`cluster.${what}\`, got \`${String(value)}\`.`);
  };
  if (typeof o.threshold !== 'number' || !(o.threshold > 0 && o.threshold <= 1)) fail('threshold` to be a number in (0, 1]', o.threshold);
  if (!Number.isInteger(o.shingleSize) || o.shingleSize < 1 || o.shingleSize > 32) fail('shingleSize` to be an integer from 1 to 32', o.shingleSize);
  if (!Number.isInteger(o.hashes) || o.hashes < 1 || o.hashes > 1024) fail('hashes` to be an integer from 1 to 1024', o.hashes);
  if (!Number.isInteger(o.bands) || o.bands < 1 || o.hashes % o.bands !== 0) fail(`bands\` to be a positive divisor of \`hashes\` (${o.hashes})`, o.bands);
  return o;
}

/** Where one post landed: `cluster` is the index of the cluster's representative, `size` its member count. */
export interface ClusterAssignment {
  readonly cluster: number;
  readonly size: number;
}

/**
 * What the clusterer keeps of a post: a 53-bit hash of its skeleton (exact repeats) and its MinHash signature;
 * undefined when the skeleton is empty (nothing but contacts, numbers and emoji: the post stays alone).
 */
export interface ClusterKey {
  readonly key: number;
  readonly signature: Uint32Array;
}

export function clusterKey(text: string, options: ClusterOptions = {}, out?: Uint32Array<ArrayBuffer>): ClusterKey | undefined {
  const { shingleSize, hashes } = resolveClusterOptions(options);
  const skeleton = clusterSkeleton(text);
  if (skeleton.length === 0) return undefined;
  return { key: skeletonKey(skeleton), signature: minhash(shingleHashes(skeleton, shingleSize), hashes, out) };
}

// 53-bit key from two independent hashes: collisions among millions of skeletons stay unlikely.
function skeletonKey(skeleton: string): number {
  return fnv1a(skeleton) * 0x200000 + (fnv1a(skeleton, 0, skeleton.length, 0x2545f491) & 0x1fffff);
}

export interface Clusterer {
  /** Adds a post; returns its index (0, 1, 2, … in call order). Higher `priority` wins the representative role. */
  add(text: string, priority?: number): number;
  /** Adds a post by its `clusterKey` (computed elsewhere, or read back from disk): the same as `add` of its text. */
  addKey(key: ClusterKey | undefined, priority?: number): number;
  /** Posts added so far. */
  readonly size: number;
  /** One assignment per added post, by index. The representative is the highest-priority member, then the earliest. */
  assignments(): ClusterAssignment[];
}

// A bucket of one LSH band never needs more than a few members per cluster; the cap bounds the cost of
// pathological inputs (thousands of distinct posts sharing one band value).
const MAX_BUCKET = 64;

/**
 * Incremental near-duplicate clustering: MinHash over character shingles of each post's skeleton, LSH bands
 * to find candidate pairs, verification of the estimated Jaccard similarity, union-find to join clusters
 * (single linkage). Exact skeleton repeats skip the MinHash work. Memory grows with the posts added (one
 * signature per distinct skeleton), never with anything else.
 */
export function createClusterer(options: ClusterOptions = {}): Clusterer {
  const { threshold, shingleSize, hashes, bands } = resolveClusterOptions(options);
  const rows = hashes / bands;
  let parent = new Int32Array(1024);
  let sigSlot = new Int32Array(1024);
  let priority = new Float64Array(1024);
  let sigs = new Uint32Array(1024 * hashes);
  // Per signature slot: the post that owns it, and per band the next slot in the same bucket (+1; 0 ends).
  let slotItem = new Int32Array(1024);
  let chain = new Int32Array(1024 * bands);
  let count = 0;
  let slots = 0;
  const exact = new Map<number, number>();
  // Band hash → first slot of its bucket (+1).
  const buckets = new IntTable();
  const scratch = new Uint32Array(hashes);
  // comparedBy[j] === idx + 1: post j was already compared with the post being added.
  let comparedBy = new Int32Array(1024);

  function grow(): void {
    const n = parent.length * 2;
    const p = new Int32Array(n);
    p.set(parent);
    parent = p;
    const s = new Int32Array(n);
    s.set(sigSlot);
    sigSlot = s;
    const q = new Float64Array(n);
    q.set(priority);
    priority = q;
    const c = new Int32Array(n);
    c.set(comparedBy);
    comparedBy = c;
  }

  function find(i: number): number {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[i] !== r) {
      const next = parent[i]!;
      parent[i] = r;
      i = next;
    }
    return r;
  }

  function union(a: number, b: number): void {
    const ra = find(a);
    const rb = find(b);
    // The earlier post stays root, so roots are stable and deterministic.
    if (ra < rb) parent[rb] = ra;
    else if (rb < ra) parent[ra] = rb;
  }

  /** Registers the next post; returns its index when its signature must be placed (not empty, not an exact repeat). */
  function begin(prio: number, key: number | undefined): number | undefined {
    if (count === parent.length) grow();
    const idx = count++;
    parent[idx] = idx;
    priority[idx] = prio;
    sigSlot[idx] = -1;
    if (key === undefined) return undefined;
    const twin = exact.get(key);
    if (twin !== undefined) {
      sigSlot[idx] = sigSlot[twin]!;
      union(idx, twin);
      return undefined;
    }
    exact.set(key, idx);
    return idx;
  }

  function add(text: string, prio = 0): number {
    const skeleton = clusterSkeleton(text);
    // Nothing but contacts, numbers and emoji: nothing to compare, so the post stays alone.
    const idx = begin(prio, skeleton.length === 0 ? undefined : skeletonKey(skeleton));
    if (idx === undefined) return count - 1;
    minhash(shingleHashes(skeleton, shingleSize), hashes, scratch);
    place(idx);
    return idx;
  }

  function addKey(key: ClusterKey | undefined, prio = 0): number {
    const idx = begin(prio, key?.key);
    if (idx === undefined) return count - 1;
    scratch.set(key!.signature);
    place(idx);
    return idx;
  }

  function place(idx: number): void {
    if (slots === slotItem.length) {
      const s = new Uint32Array(sigs.length * 2);
      s.set(sigs);
      sigs = s;
      const t = new Int32Array(slotItem.length * 2);
      t.set(slotItem);
      slotItem = t;
      const c = new Int32Array(chain.length * 2);
      c.set(chain);
      chain = c;
    }
    const slot = slots++;
    sigs.set(scratch, slot * hashes);
    sigSlot[idx] = slot;
    slotItem[slot] = idx;
    for (let b = 0; b < bands; b += 1) {
      let h = fmix32(0x9e3779b9 ^ b);
      for (let r = 0; r < rows; r += 1) h = fmix32(h ^ scratch[b * rows + r]!);
      const head = buckets.get(h);
      let present = false;
      let length = 0;
      for (let s = head; s !== 0; s = chain[(s - 1) * bands + b]!) {
        length += 1;
        const j = slotItem[s - 1]!;
        if (find(j) === find(idx)) {
          present = true;
          continue;
        }
        if (comparedBy[j] === idx + 1) continue;
        comparedBy[j] = idx + 1;
        if (similarAtLeast(sigs, slot * hashes, sigs, (s - 1) * hashes, hashes, threshold)) {
          union(idx, j);
          present = true;
        }
      }
      if (!present && length < MAX_BUCKET) {
        chain[slot * bands + b] = head;
        buckets.set(h, slot + 1);
      }
    }
  }

  return {
    add,
    addKey,
    get size() {
      return count;
    },
    assignments() {
      const best = new Int32Array(count).fill(-1);
      const size = new Int32Array(count);
      for (let i = 0; i < count; i += 1) {
        const r = find(i);
        size[r]! += 1;
        const b = best[r]!;
        if (b === -1 || priority[i]! > priority[b]!) best[r] = i;
      }
      const out: ClusterAssignment[] = new Array(count);
      for (let i = 0; i < count; i += 1) {
        const r = find(i);
        out[i] = { cluster: best[r]!, size: size[r]! };
      }
      return out;
    },
  };
}

/** A result with its near-duplicate cluster: `cluster` is the representative post's id. */
export type ClusteredResult = Result & { readonly cluster: string; readonly clusterSize: number };

/** Clusters results in memory and returns them, in the same order, with `cluster` and `clusterSize` set. */
export function clusterResults<T extends Result>(results: Iterable<T>, options: ClusterOptions = {}): (T & { cluster: string; clusterSize: number })[] {
  const clusterer = createClusterer(options);
  const list = [...results];
  for (const r of list) clusterer.add(r.text, r.priority);
  const assigned = clusterer.assignments();
  return list.map((r, i) => ({ ...r, cluster: list[assigned[i]!.cluster]!.id, clusterSize: assigned[i]!.size }));
}
