import type { Analyzer } from '../analyzer.js';
import { describeError } from '../errors.js';
import { errorRecord } from '../ingest/records.js';
import { isErrorRecord, type ErrorRecord, type Output, type Post } from '../types.js';

/** Thrown by `score` when the queue holds `capacity` posts already: the caller answers 429. */
export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('The scoring queue is full.');
    this.name = 'QueueFullError';
  }
}

export interface ScoringQueue {
  /**
   * Scores records in order: one output per record. Rejects with QueueFullError when admitting them would
   * put more than `capacity` posts in the queue, unless `wait` is set (a stream already admitted waits).
   */
  score(items: readonly (Post | ErrorRecord)[], options?: { readonly wait?: boolean }): Promise<Output[]>;
  /** Posts waiting to be handed to the analyzer. */
  readonly queued: number;
  /** Posts being scored now. */
  readonly inFlight: number;
  readonly capacity: number;
  /** Seconds a rejected client should wait: the queue's length over the recent scoring rate, 1 to 60. */
  retryAfterSeconds(): number;
  /** Observes every batch handed to the analyzer (for metrics). */
  onBatch?: (posts: number, seconds: number) => void;
}

interface Job {
  readonly items: readonly (Post | ErrorRecord)[];
  readonly outputs: Output[];
  /** Items handed to the analyzer so far, and items whose output came back. */
  sent: number;
  done: number;
  readonly resolve: (outputs: Output[]) => void;
}

const postCount = (items: readonly (Post | ErrorRecord)[]): number => items.reduce((n, r) => n + (isErrorRecord(r) ? 0 : 1), 0);

/**
 * Gathers the posts of concurrent requests into analyzer batches (at most `batchSize` each, `maxInFlight` at
 * once). A batch starts as soon as a slot is free, so a lone request waits for nothing while requests that
 * arrive during a batch share the next one: under load many one-post requests become one model call.
 */
/** `maxInFlight` counts analyzer batches; `capacity` counts posts waiting for one. */
export function createScoringQueue(analyzer: Analyzer, options: { readonly capacity: number; readonly batchSize: number; readonly maxInFlight: number }): ScoringQueue {
  const jobs: Job[] = [];
  const waiters: (() => void)[] = [];
  let queued = 0;
  let inFlight = 0;
  let running = 0;
  let batches = 0;
  // Posts per second, smoothed over recent batches; 0 until the first batch finishes.
  let rate = 0;

  const queue: ScoringQueue = {
    get queued() {
      return queued;
    },
    get inFlight() {
      return inFlight;
    },
    capacity: options.capacity,
    retryAfterSeconds() {
      if (rate <= 0) return 1;
      return Math.min(60, Math.max(1, Math.ceil((queued + inFlight) / rate)));
    },
    async score(items, { wait = false } = {}) {
      const posts = postCount(items);
      // A request larger than the whole queue still goes through once the queue is empty.
      const fits = (): boolean => queued === 0 || queued + posts <= options.capacity;
      while (!fits()) {
        if (!wait) throw new QueueFullError(queue.retryAfterSeconds());
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      if (items.length === 0) return [];
      return new Promise<Output[]>((resolve) => {
        jobs.push({ items, outputs: new Array<Output>(items.length), sent: 0, done: 0, resolve });
        queued += posts;
        pump();
      });
    },
  };

  function pump(): void {
    while (running < options.maxInFlight && jobs.some((j) => j.sent < j.items.length)) {
      const slices: { job: Job; start: number; end: number }[] = [];
      let posts = 0;
      for (const job of jobs) {
        if (posts >= options.batchSize) break;
        if (job.sent === job.items.length) continue;
        const start = job.sent;
        let end = start;
        while (end < job.items.length && posts < options.batchSize) {
          if (!isErrorRecord(job.items[end]!)) posts += 1;
          end += 1;
        }
        job.sent = end;
        slices.push({ job, start, end });
      }
      queued -= posts;
      inFlight += posts;
      running += 1;
      void run(slices, posts);
      release();
    }
  }

  function release(): void {
    // Wake every waiter: each re-checks whether it fits now.
    for (const w of waiters.splice(0)) w();
  }

  async function run(slices: readonly { job: Job; start: number; end: number }[], posts: number): Promise<void> {
    const items = slices.flatMap((s) => s.job.items.slice(s.start, s.end));
    const started = performance.now();
    let outputs: Output[];
    try {
      outputs = [];
      for await (const out of analyzer.analyzeStream(items)) outputs.push(out);
      if (outputs.length !== items.length) throw new Error(`the analyzer returned ${outputs.length} outputs for ${items.length} records`);
    } catch (error) {
      // A worker crash rejects the batch: every post in it still gets its own record.
      const message = `Could not score the post: ${describeError(error)}`;
      outputs = items.map((r) => (isErrorRecord(r) ? r : errorRecord(r.source ?? 'request', r.line ?? 0, 'scoring_failed', message, r.id)));
    }
    const seconds = (performance.now() - started) / 1000;
    if (posts > 0 && seconds > 0) {
      const now = posts / seconds;
      rate = batches === 0 ? now : rate * 0.8 + now * 0.2;
      batches += 1;
    }
    queue.onBatch?.(posts, seconds);
    let k = 0;
    for (const s of slices) {
      for (let i = s.start; i < s.end; i += 1) s.job.outputs[i] = outputs[k++]!;
      s.job.done += s.end - s.start;
      if (s.job.done === s.job.items.length) {
        jobs.splice(jobs.indexOf(s.job), 1);
        s.job.resolve(s.job.outputs);
      }
    }
    inFlight -= posts;
    running -= 1;
    pump();
    release();
  }

  return queue;
}
