import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { clusterKey, createClusterer, resolveClusterOptions, type ClusterKey, type ClusterOptions, type ResolvedClusterOptions } from './index.js';
import { fmix32, similarAtLeast } from './minhash.js';
import { unwritable } from '../errors.js';

/** Cluster of each post by index: its representative's index and the cluster's size. */
export interface ClusterTable {
  readonly rep: Int32Array;
  readonly size: Int32Array;
}

/** Clusters in a table: the posts that represent themselves. */
export function clusterCount(table: ClusterTable): number {
  let roots = 0;
  for (let i = 0; i < table.rep.length; i += 1) if (table.rep[i] === i) roots += 1;
  return roots;
}

/**
 * Up to this many posts are clustered by the incremental clusterer in memory (about 1.5 KB a post); past it,
 * from LSH buckets sorted on disk. Both compare the same signatures in the same LSH bands.
 */
export const IN_MEMORY_CLUSTER_POSTS = 50_000;

// Per post on disk: priority (f64), skeleton key (f64, NaN for an empty skeleton), signature (hashes × u32).
const HEAD = 16;
// Band entries sorted per run: 4M × 8 bytes.
const BAND_RUN = 1 << 22;
const MAX_BUCKET = 64;

export interface SignatureStoreOptions extends ClusterOptions {
  /** Folder for `signatures.bin` and the band runs (a function: asked on the first spill only); created then. */
  readonly dir: string | (() => string);
  /** Bytes held in memory before they are appended to the file. Default 8 MB. */
  readonly maxBytes?: number;
  /** Up to this many posts are clustered in memory. Default `IN_MEMORY_CLUSTER_POSTS`. */
  readonly inMemoryPosts?: number;
  /** Posts already in `signatures.bin` (a resumed run): the file is cut back to them. */
  readonly resumeCount?: number;
}

/**
 * The clustering input of every candidate (priority, skeleton key, MinHash signature), appended in candidate
 * order to a file once it outgrows `maxBytes`, and clustered at the end: in memory when there are few, else
 * from sorted band files, so memory stays bounded by a few arrays of one number per candidate.
 */
export class SignatureStore {
  readonly options: ResolvedClusterOptions;
  private readonly record: number;
  private buffer: Buffer;
  private used = 0;
  private flushed = 0;
  private fd: number | undefined;
  private readonly scratch: Uint32Array<ArrayBuffer>;
  private fileName: string | undefined;

  constructor(private readonly opts: SignatureStoreOptions) {
    this.options = resolveClusterOptions(opts);
    this.record = HEAD + 4 * this.options.hashes;
    this.buffer = Buffer.alloc(Math.max(this.record, Math.floor((opts.maxBytes ?? 8 << 20) / this.record) * this.record));
    this.scratch = new Uint32Array(this.options.hashes);
    if (opts.resumeCount !== undefined && opts.resumeCount > 0) {
      this.fd = openSync(this.file, 'r+');
      ftruncateSync(this.fd, opts.resumeCount * this.record);
      this.flushed = opts.resumeCount;
    }
  }

  get dir(): string {
    return typeof this.opts.dir === 'string' ? this.opts.dir : this.opts.dir();
  }

  get file(): string {
    return (this.fileName ??= join(this.dir, 'signatures.bin'));
  }

  /** Candidates added so far. */
  get count(): number {
    return this.flushed + this.used / this.record;
  }

  add(text: string, priority: number): void {
    const k = clusterKey(text, this.options, this.scratch);
    if (this.used + this.record > this.buffer.length) this.flush();
    const at = this.used;
    this.buffer.writeDoubleLE(priority, at);
    this.buffer.writeDoubleLE(k ? k.key : Number.NaN, at + 8);
    if (k) for (let i = 0; i < k.signature.length; i += 1) this.buffer.writeUInt32LE(k.signature[i]!, at + HEAD + 4 * i);
    this.used += this.record;
  }

  /** Appends what is held to the file (so that a checkpoint can name a count that is on disk). */
  flush(): void {
    if (this.used === 0) return;
    try {
      if (this.fd === undefined) {
        if (!existsSync(this.dir)) mkdirSync(this.dir, { recursive: true });
        this.fd = openSync(this.file, 'w+');
      }
      let off = 0;
      while (off < this.used) off += writeSync(this.fd, this.buffer, off, this.used - off, this.flushed * this.record + off);
    } catch (error) {
      throw unwritable(this.file, error);
    }
    this.flushed += this.used / this.record;
    this.used = 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Every record in order: from memory when nothing was flushed, else from the file. The key's signature is one
   * array reused for every record (copy it to keep it): millions of small typed arrays would each hold memory
   * outside the JS heap until a collection.
   */
  private async *records(): AsyncGenerator<{ index: number; priority: number; key: ClusterKey | undefined }> {
    const signature = new Uint32Array(this.options.hashes);
    const decode = (buf: Buffer, at: number, index: number) => {
      const priority = buf.readDoubleLE(at);
      const key = buf.readDoubleLE(at + 8);
      if (Number.isNaN(key)) return { index, priority, key: undefined };
      for (let i = 0; i < signature.length; i += 1) signature[i] = buf.readUInt32LE(at + HEAD + 4 * i);
      return { index, priority, key: { key, signature } };
    };
    let index = 0;
    if (this.flushed > 0) {
      this.flush();
      // One buffer of whole records, read into again and again: no stream chunks to collect.
      const buf = Buffer.alloc(this.record * 2560);
      const fd = openSync(this.file, 'r');
      try {
        for (let pos = 0; ; ) {
          let got = 0;
          while (got < buf.length) {
            const n = readSync(fd, buf, got, buf.length - got, pos + got);
            if (n === 0) break;
            got += n;
          }
          for (let at = 0; at + this.record <= got; at += this.record) yield decode(buf, at, index++);
          if (got < buf.length) break;
          pos += got;
        }
      } finally {
        closeSync(fd);
      }
      return;
    }
    for (let at = 0; at < this.used; at += this.record) yield decode(this.buffer, at, index++);
  }

  /** Clusters every candidate added; call once, after the last `add`. */
  async cluster(): Promise<ClusterTable> {
    const n = this.count;
    if (n <= (this.opts.inMemoryPosts ?? IN_MEMORY_CLUSTER_POSTS)) {
      const clusterer = createClusterer(this.options);
      for await (const r of this.records()) clusterer.addKey(r.key, r.priority);
      const assigned = clusterer.assignments();
      const rep = new Int32Array(n);
      const size = new Int32Array(n);
      assigned.forEach((a, i) => {
        rep[i] = a.cluster;
        size[i] = a.size;
      });
      return { rep, size };
    }
    return this.clusterOnDisk(n);
  }

  /**
   * LSH from sorted files: every (band hash, post) pair is written, sorted in runs of 4M and merged, so the
   * posts of one bucket arrive together, in index order. In a bucket each post is compared with up to 64
   * earlier members not yet in its cluster (the in-memory clusterer's rule) and joined when similar enough.
   */
  private async clusterOnDisk(n: number): Promise<ClusterTable> {
    const { hashes, bands, threshold } = this.options;
    const rows = hashes / bands;
    // Signatures are read back by position: all of them must be in the file.
    this.flush();
    const priority = new Float64Array(n);
    const runFiles: string[] = [];
    const entries = new BigUint64Array(BAND_RUN);
    const halves = new Uint32Array(entries.buffer);
    let filled = 0;
    const writeRun = (): void => {
      if (filled === 0) return;
      const view = entries.subarray(0, filled);
      view.sort();
      const file = join(this.dir, `bands-${runFiles.length}.bin`);
      const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      try {
        const fd = openSync(file, 'w');
        try {
          let off = 0;
          while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        } finally {
          closeSync(fd);
        }
      } catch (error) {
        throw unwritable(file, error);
      }
      runFiles.push(file);
      filled = 0;
    };
    for await (const r of this.records()) {
      priority[r.index] = r.priority;
      if (!r.key) continue;
      const sig = r.key.signature;
      for (let b = 0; b < bands; b += 1) {
        let h = fmix32(0x9e3779b9 ^ b);
        for (let k = 0; k < rows; k += 1) h = fmix32(h ^ sig[b * rows + k]!);
        // Little-endian: the high half is the band hash, the low half the post, so a numeric sort groups buckets.
        halves[2 * filled] = r.index;
        halves[2 * filled + 1] = h;
        filled += 1;
        if (filled === BAND_RUN) writeRun();
      }
    }
    writeRun();

    const parent = new Int32Array(n);
    for (let i = 0; i < n; i += 1) parent[i] = i;
    const find = (i: number): number => {
      let r = i;
      while (parent[r] !== r) r = parent[r]!;
      while (parent[i] !== r) {
        const next = parent[i]!;
        parent[i] = r;
        i = next;
      }
      return r;
    };
    const union = (a: number, b: number): void => {
      const ra = find(a);
      const rb = find(b);
      if (ra < rb) parent[rb] = ra;
      else if (rb < ra) parent[ra] = rb;
    };
    const sigFd = openSync(this.file, 'r');
    const recordBuf = Buffer.alloc(4 * hashes);
    const readSig = (i: number, into: Uint32Array): Uint32Array => {
      readSync(sigFd, recordBuf, 0, recordBuf.length, i * this.record + HEAD);
      for (let k = 0; k < hashes; k += 1) into[k] = recordBuf.readUInt32LE(4 * k);
      return into;
    };
    const ownScratch = new Uint32Array(hashes);
    try {
      let bucket = -1;
      let members: { index: number; sig: Uint32Array }[] = [];
      for (const [hash, index] of mergeBandRuns(runFiles)) {
        if (hash !== bucket) {
          bucket = hash;
          members = [];
        }
        let present = false;
        let own: Uint32Array | undefined;
        for (const m of members) {
          if (find(m.index) === find(index)) {
            present = true;
            continue;
          }
          own ??= readSig(index, ownScratch);
          if (similarAtLeast(own, 0, m.sig, 0, hashes, threshold)) {
            union(index, m.index);
            present = true;
          }
        }
        if (!present && members.length < MAX_BUCKET) members.push({ index, sig: own ? Uint32Array.from(own) : readSig(index, new Uint32Array(hashes)) });
      }
    } finally {
      closeSync(sigFd);
      for (const f of runFiles) unlinkSync(f);
    }

    const best = new Int32Array(n).fill(-1);
    const size = new Int32Array(n);
    for (let i = 0; i < n; i += 1) {
      const r = find(i);
      size[r]! += 1;
      const b = best[r]!;
      if (b === -1 || priority[i]! > priority[b]!) best[r] = i;
    }
    const rep = new Int32Array(n);
    const sizes = new Int32Array(n);
    for (let i = 0; i < n; i += 1) {
      const r = find(i);
      rep[i] = best[r]!;
      sizes[i] = size[r]!;
    }
    return { rep, size: sizes };
  }

  /** Removes the file; the store is unusable afterwards. */
  remove(): void {
    this.close();
    if (this.fileName !== undefined && existsSync(this.fileName)) unlinkSync(this.fileName);
  }
}

/** Merges sorted band run files (u64: band hash << 32 | post) into one ascending stream of [hash, post]. */
function* mergeBandRuns(files: readonly string[]): Generator<[number, number]> {
  const BLOCK = 1 << 16;
  const runs = files.map((file) => ({
    fd: openSync(file, 'r'),
    left: statSync(file).size / 8,
    buf: new Uint32Array(2 * BLOCK),
    at: 0,
    end: 0,
  }));
  const fill = (r: (typeof runs)[number]): boolean => {
    if (r.left === 0) return false;
    const take = Math.min(BLOCK, r.left);
    const bytes = Buffer.from(r.buf.buffer, 0, take * 8);
    let off = 0;
    while (off < bytes.length) off += readSync(r.fd, bytes, off, bytes.length - off, null);
    r.left -= take;
    r.at = 0;
    r.end = take;
    return true;
  };
  try {
    // A binary heap of runs by their current head (hash, then post).
    const heap = runs.filter((r) => fill(r));
    const less = (a: (typeof runs)[number], b: (typeof runs)[number]): boolean => {
      const ah = a.buf[2 * a.at + 1]!;
      const bh = b.buf[2 * b.at + 1]!;
      return ah < bh || (ah === bh && a.buf[2 * a.at]! < b.buf[2 * b.at]!);
    };
    const down = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) return;
        const t = heap[i]!;
        heap[i] = heap[m]!;
        heap[m] = t;
        i = m;
      }
    };
    for (let i = (heap.length >> 1) - 1; i >= 0; i -= 1) down(i);
    while (heap.length > 0) {
      const r = heap[0]!;
      yield [r.buf[2 * r.at + 1]!, r.buf[2 * r.at]!];
      r.at += 1;
      if (r.at === r.end && !fill(r)) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      if (heap.length > 0) down(0);
    }
  } finally {
    for (const r of runs) closeSync(r.fd);
  }
}
