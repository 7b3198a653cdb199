import { once } from 'node:events';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unwritable } from '../errors.js';

/** One queued line with its sort key: priority (higher first), then sequence number (lower first). */
export interface Ranked {
  readonly priority: number;
  readonly seq: number;
  readonly line: string;
}

export function byRank(a: Ranked, b: Ranked): number {
  return b.priority - a.priority || a.seq - b.seq;
}

export interface RunQueueOptions {
  /** Folder for the sorted runs (a function: asked on the first spill only); created then. */
  readonly dir: string | (() => string);
  /** Characters held in memory before the held lines are sorted and written as a run. */
  readonly maxChars: number;
  /** Only the first `top` lines in rank order are ever wanted. */
  readonly top?: number;
  /** Runs already on disk (a resumed run). */
  readonly runs?: readonly string[];
}

/**
 * Lines ranked by (priority, seq), in memory until `maxChars`, then as sorted run files merged at the end:
 * memory stays bounded by `maxChars` whatever the number of lines. A run file holds `priority\tseq\tline` rows.
 */
export class RunQueue {
  private held: Ranked[] = [];
  private chars = 0;
  /** With `top`: the ranks of the best `top` lines added so far (see TopRanks). */
  private readonly best: TopRanks | undefined;
  readonly runs: string[];

  constructor(private readonly options: RunQueueOptions) {
    this.runs = [...(options.runs ?? [])];
    this.best = options.top !== undefined ? new TopRanks(options.top) : undefined;
  }

  get heldChars(): number {
    return this.chars;
  }

  add(item: Ranked): void {
    // `top` lines rank ahead of this one already: it can never come out, so it is neither held nor written.
    if (this.best && !this.best.admit(item)) return;
    this.held.push(item);
    this.chars += item.line.length + 24;
    const top = this.options.top;
    // With --top N only N can come out: trimming in memory is cheaper than a run.
    if (top !== undefined && this.held.length > 2 * top + 1024) {
      this.held.sort(byRank);
      this.held.length = top;
      this.chars = this.held.reduce((s, r) => s + r.line.length + 24, 0);
    }
    if (this.chars > this.options.maxChars) this.spill();
  }

  /** Writes what is held as one sorted run; returns its file (undefined when nothing was held). */
  spill(): string | undefined {
    if (this.held.length === 0) return undefined;
    this.held.sort(byRank);
    if (this.options.top !== undefined && this.held.length > this.options.top) this.held.length = this.options.top;
    const dir = typeof this.options.dir === 'string' ? this.options.dir : this.options.dir();
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    const file = join(dir, `run-${String(this.runs.length).padStart(5, '0')}.tsv`);
    let text = '';
    const parts: string[] = [];
    for (const r of this.held) {
      text += `${r.priority}\t${r.seq}\t${r.line}\n`;
      if (text.length > 1 << 20) {
        parts.push(text);
        text = '';
      }
    }
    parts.push(text);
    try {
      writeFileSync(file, parts.join(''));
    } catch (error) {
      throw unwritable(file, error);
    }
    this.runs.push(file);
    this.held = [];
    this.chars = 0;
    return file;
  }

  /** Every line in rank order (only the first `top`); call once, after the last `add`. */
  async *sorted(): AsyncGenerator<Ranked> {
    const top = this.options.top ?? Number.POSITIVE_INFINITY;
    if (this.runs.length === 0) {
      this.held.sort(byRank);
      let n = 0;
      for (const r of this.held) {
        if (n++ >= top) return;
        yield r;
      }
      return;
    }
    this.spill();
    // Past MAX_FAN_IN runs, groups are merged into temporary runs first, so that few files are open at once.
    // The runs themselves stay as they are: a checkpoint may name them.
    let files = [...this.runs];
    const temps: string[] = [];
    try {
      while (files.length > MAX_FAN_IN) {
        const next: string[] = [];
        for (let i = 0; i < files.length; i += MAX_FAN_IN) {
          const group = files.slice(i, i + MAX_FAN_IN);
          if (group.length === 1) {
            next.push(group[0]!);
            continue;
          }
          const file = `${group[0]!}.merged-${temps.length}`;
          temps.push(file);
          const out = createWriteStream(file);
          try {
            for await (const r of mergeRuns(group, top)) {
              if (!out.write(`${r.priority}\t${r.seq}\t${r.line}\n`)) await once(out, 'drain');
            }
            out.end();
            await once(out, 'finish');
          } catch (error) {
            out.destroy();
            throw unwritable(file, error);
          }
          next.push(file);
        }
        files = next;
      }
      yield* mergeRuns(files, top);
    } finally {
      for (const t of temps) rmSync(t, { force: true });
    }
  }
}

/** Whether (p, s) ranks after (q, t): lower priority, or the same priority and a later sequence number. */
const ranksAfter = (p: number, s: number, q: number, t: number): boolean => p < q || (p === q && s > t);

/**
 * The (priority, seq) of the best `size` lines seen, as a binary heap with the worst of them at the root: a new
 * line is admitted when fewer than `size` were seen or it ranks ahead of that root, which it then replaces.
 * Two numbers a line, so `--top 20000` costs 320 KB however many lines go by.
 */
export class TopRanks {
  private readonly priority: Float64Array;
  private readonly seq: Float64Array;
  private n = 0;

  constructor(private readonly size: number) {
    this.priority = new Float64Array(size);
    this.seq = new Float64Array(size);
  }

  /** True when `item` is among the best `size` so far (and is now counted as such). */
  admit({ priority: p, seq: s }: Pick<Ranked, 'priority' | 'seq'>): boolean {
    const { priority, seq } = this;
    let i: number;
    if (this.n < this.size) {
      // Sift up from the new leaf: parents that rank ahead of the line move down.
      i = this.n++;
      while (i > 0) {
        const up = (i - 1) >> 1;
        if (!ranksAfter(p, s, priority[up]!, seq[up]!)) break;
        priority[i] = priority[up]!;
        seq[i] = seq[up]!;
        i = up;
      }
    } else {
      if (this.size === 0 || !ranksAfter(priority[0]!, seq[0]!, p, s)) return false;
      // Replace the root and sift down: the worse child moves up while it ranks after the line.
      i = 0;
      for (let l = 1; l < this.n; l = 2 * i + 1) {
        const c = l + 1 < this.n && ranksAfter(priority[l + 1]!, seq[l + 1]!, priority[l]!, seq[l]!) ? l + 1 : l;
        if (!ranksAfter(priority[c]!, seq[c]!, p, s)) break;
        priority[i] = priority[c]!;
        seq[i] = seq[c]!;
        i = c;
      }
    }
    priority[i] = p;
    seq[i] = s;
    return true;
  }
}

/** Run files open at once in a merge. */
export const MAX_FAN_IN = 64;

function parseRow(row: string): Ranked {
  const a = row.indexOf('\t');
  const b = row.indexOf('\t', a + 1);
  return { priority: Number(row.slice(0, a)), seq: Number(row.slice(a + 1, b)), line: row.slice(b + 1) };
}

/**
 * The lines of a file, read block by block into one buffer: memory stays at one block per open run (readline's
 * iterator reads ahead of its consumer, and 60 runs read ahead at once are hundreds of MB).
 */
export function* fileLines(file: string, blockSize = 1 << 18): Generator<string> {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(blockSize);
  let carry: Buffer[] = [];
  try {
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      const view = buf.subarray(0, n);
      let start = 0;
      for (let nl = view.indexOf(0x0a, start); nl !== -1; nl = view.indexOf(0x0a, start)) {
        const piece = view.subarray(start, nl);
        yield carry.length > 0 ? Buffer.concat([...carry, piece]).toString('utf8') : piece.toString('utf8');
        carry = [];
        start = nl + 1;
      }
      if (start < n) carry.push(Buffer.from(view.subarray(start)));
    }
    if (carry.length > 0) yield Buffer.concat(carry).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** k-way merge of sorted run files through a binary heap. */
export async function* mergeRuns(files: readonly string[], top = Number.POSITIVE_INFINITY): AsyncGenerator<Ranked> {
  const readers = files.map((f) => fileLines(f));
  const heap: { item: Ranked; from: number }[] = [];
  const less = (x: number, y: number): boolean => byRank(heap[x]!.item, heap[y]!.item) < 0;
  const swap = (x: number, y: number): void => {
    const t = heap[x]!;
    heap[x] = heap[y]!;
    heap[y] = t;
  };
  const push = (entry: { item: Ranked; from: number }): void => {
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) break;
      swap(i, p);
      i = p;
    }
  };
  const pop = (): { item: Ranked; from: number } => {
    const first = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(l, m)) m = l;
        if (r < heap.length && less(r, m)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
    return first;
  };
  try {
    for (let k = 0; k < readers.length; k += 1) {
      const next = readers[k]!.next();
      if (!next.done) push({ item: parseRow(next.value), from: k });
    }
    let n = 0;
    while (heap.length > 0 && n < top) {
      const { item, from } = pop();
      n += 1;
      yield item;
      const next = readers[from]!.next();
      if (!next.done) push({ item: parseRow(next.value), from });
    }
  } finally {
    for (const r of readers) r.return(undefined);
  }
}
