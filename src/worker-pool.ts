import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { QorgauError, describeError } from './errors.js';
import { errorRecord } from './ingest/records.js';
import { disableOnnxTelemetry } from './model/transformers.js';
import type { ResolvedOptions } from './options.js';
import { PACKAGE_ROOT } from './paths.js';
import type { ErrorCode, ErrorRecord, Output, Post } from './types.js';
import { isErrorRecord } from './types.js';

/** What an analyzer is without `analyze()`, which both paths build on `analyzeStream`. */
export interface AnalyzerCore {
  analyzeStream(input: AsyncIterable<Post | ErrorRecord> | Iterable<Post | ErrorRecord>): AsyncGenerator<Output>;
  readonly info: { readonly rules: number; readonly model: string | null; readonly linear?: string | null };
  close(): Promise<void>;
}

/** The resolved options a worker builds its analyzer from: everything but the functions, which cannot cross. */
export type WorkerOptions = Omit<ResolvedOptions, 'classifier' | 'onNotice'>;

export interface WorkerData {
  readonly options: WorkerOptions;
  /** Float64 × 3, indexed by PROGRESS: what the worker is scoring, written by it, read by the watchdog. */
  readonly progress: SharedArrayBuffer;
}

/** Slots of the shared progress record: the batch id being scored (-1: none), the post's index in it (-1: none, or the model's turn), since when (ms since the epoch). */
export const PROGRESS = { batch: 0, index: 1, since: 2 } as const;

export type ToWorker = { readonly type: 'batch'; readonly id: number; readonly seq: number; readonly posts: readonly Post[] };

export type FromWorker =
  | { readonly type: 'ready'; readonly info: AnalyzerCore['info'] }
  | { readonly type: 'init_failed'; readonly code: ErrorCode; readonly message: string }
  | { readonly type: 'notice'; readonly message: string }
  /** Sent just before `done`, so a `done` that cannot be received is still known by its id. */
  | { readonly type: 'reply'; readonly id: number }
  | { readonly type: 'done'; readonly id: number; readonly outputs: readonly Output[] }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
  | { readonly type: 'undelivered'; readonly seq: number; readonly message: string };

// Compiled JS even when the caller runs the TypeScript sources (vitest): `npm test` builds dist first.
export const WORKER_SCRIPT = join(PACKAGE_ROOT, 'dist', 'worker.js');

/** How one try of a batch on a worker ended. */
type Outcome =
  | { readonly type: 'done'; readonly outputs: readonly Output[] }
  /** Failed on this worker: it died or threw while scoring the batch, answered `failed`, or could not receive it. */
  | { readonly type: 'failed'; readonly message: string; readonly undeliverable?: boolean }
  /** The worker was stopped because post `index` ran over the time budget. */
  | { readonly type: 'timeout'; readonly index: number; readonly seconds: number }
  /** The worker died while the batch waited behind another: nothing is known against it. */
  | { readonly type: 'requeue' };

interface Pending {
  readonly seq: number;
  readonly posts: readonly Post[];
  resolve(outcome: Outcome): void;
}

interface Slot {
  worker: Worker;
  /** Resolves when the current worker has loaded; rejects when it could not. */
  ready: Promise<void>;
  alive: boolean;
  sent: number;
  readonly pending: Map<number, Pending>;
  readonly progress: Float64Array;
  /** The batch whose outputs come next (the worker names it just before). */
  replying?: number;
  /** Set when the watchdog stopped this worker: the batch and post it blamed. */
  killed?: { readonly batch: number; readonly index: number; readonly seconds: number };
}

function scoringFailed(post: Post, message: string, code: ErrorCode = 'scoring_failed'): ErrorRecord {
  return errorRecord(post.source ?? 'input', post.line ?? 0, code, message, post.id);
}

/**
 * Old-generation heap of each worker thread. Left to itself V8 sizes a worker's heap from the machine's memory
 * and lets it creep up over a long run (a 1M-post scan with the model: 589 MB against 517 MB with this cap, on
 * the same loaded machine). A worker holds one batch (at most `batchChars` characters plus one post) and its
 * rules, so 256 MB leaves room; one that runs out dies, and the pool retries its batch as for any dead worker.
 */
export const WORKER_HEAP_MB = 256;

/**
 * Starts `opts.workers` worker threads, each with its own analyzer (rules + model), and waits until all are
 * loaded. Batches go to the worker with the fewest in flight; outputs come back in input order.
 *
 * No input can leave the pool waiting: a worker that dies or throws is replaced, and the batch it was scoring is
 * tried once more on the new one, then each of its posts becomes a `scoring_failed` record; a batch the worker
 * could not even receive (a post nested deeper than its stack) is tried again post by post; a post that keeps a
 * worker busy past `postTimeout` (twice over, so the worker's own check fires first) gets its worker stopped
 * and becomes a `scoring_timeout` record while the rest of its batch goes on elsewhere.
 */
export async function startWorkers(opts: ResolvedOptions): Promise<AnalyzerCore> {
  if (!existsSync(WORKER_SCRIPT)) {
    throw new QorgauError('bad_options', `Expected ${WORKER_SCRIPT} for \`workers\` above 1, but it is missing: run npm run build (or use workers 1).`);
  }
  // Set here, on the main thread: a worker's process.env is its own copy, which onnxruntime does not read.
  if (opts.model !== false) disableOnnxTelemetry();
  const { classifier: _classifier, onNotice, ...rest } = opts;
  const options: WorkerOptions = { ...rest, workers: 1 };
  // Every worker reports the same notices ("running rules-only"): the user hears each one once.
  const noticed = new Set<string>();
  let closing = false;
  let fatal: QorgauError | undefined;
  let info: AnalyzerCore['info'] | undefined;
  // Senders waiting for a live worker (all of them restarting).
  let waiters: Array<() => void> = [];

  function startWorker(slot: Omit<Slot, 'worker' | 'ready'> & Partial<Pick<Slot, 'worker' | 'ready'>>, number: number): Slot {
    const worker = new Worker(WORKER_SCRIPT, {
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      workerData: { options, progress: slot.progress.buffer as SharedArrayBuffer } satisfies WorkerData,
    });
    const s = slot as Slot;
    s.worker = worker;
    s.alive = false;
    s.sent = 0;
    delete s.killed;
    delete s.replying;
    s.progress.fill(-1);
    let crash: Error | undefined;
    s.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            info ??= message.info;
            s.alive = true;
            resolve();
            wakeWaiters();
            break;
          case 'init_failed':
            reject(new QorgauError(message.code, message.message));
            break;
          case 'notice':
            if (!noticed.has(message.message)) {
              noticed.add(message.message);
              onNotice(message.message);
            }
            break;
          case 'reply':
            s.replying = message.id;
            break;
          case 'undelivered': {
            for (const [id, p] of s.pending) {
              if (p.seq !== message.seq) continue;
              s.pending.delete(id);
              p.resolve({ type: 'failed', undeliverable: true, message: `the worker could not receive the batch (${message.message}): is the meta nested too deep?` });
            }
            break;
          }
          default: {
            const p = s.pending.get(message.id);
            s.pending.delete(message.id);
            delete s.replying;
            p?.resolve(message.type === 'done' ? { type: 'done', outputs: message.outputs } : { type: 'failed', message: message.message });
          }
        }
      });
      worker.on('messageerror', (error) => {
        const p = s.replying === undefined ? undefined : s.pending.get(s.replying);
        if (!p || s.replying === undefined) return;
        s.pending.delete(s.replying);
        p.resolve({ type: 'failed', undeliverable: true, message: `its outputs could not be received (${describeError(error)}): is the meta nested too deep?` });
      });
      worker.on('error', (error) => {
        crash = error;
      });
      worker.on('exit', (code) => {
        s.alive = false;
        const why = `worker thread ${number} stopped (exit code ${code}${crash ? `: ${crash.message}` : ''})`;
        reject(new QorgauError('scoring_failed', `Worker thread ${number} of ${opts.workers} could not start: ${why}.`, { cause: crash }));
        const busy = s.progress[PROGRESS.batch];
        const killed = s.killed;
        const pending = [...s.pending.entries()];
        s.pending.clear();
        if (closing) {
          for (const [, p] of pending) p.resolve({ type: 'failed', message: 'the analyzer was closed while posts were being scored' });
          return;
        }
        // The batch it was scoring is the suspect; batches queued behind it only move to the next worker.
        for (const [id, p] of pending) {
          if (killed && killed.batch === id) p.resolve({ type: 'timeout', index: killed.index, seconds: killed.seconds });
          else if (id === busy) p.resolve({ type: 'failed', message: why });
          else p.resolve({ type: 'requeue' });
        }
        startWorker(s, number).ready.catch((error: unknown) => {
          fatal ??= error instanceof QorgauError ? error : new QorgauError('scoring_failed', describeError(error), { cause: error });
          wakeWaiters();
        });
        wakeWaiters();
      });
    });
    // Observed here; `send` and startup await it where it matters.
    s.ready.catch(() => {});
    return s;
  }

  const slots: Slot[] = [];
  for (let index = 0; index < opts.workers; index += 1) {
    slots.push(startWorker({ alive: false, sent: 0, pending: new Map(), progress: new Float64Array(new SharedArrayBuffer(3 * 8)) }, index + 1));
  }
  try {
    await Promise.all(slots.map((s) => s.ready));
  } catch (error) {
    closing = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw error;
  }

  function wakeWaiters(): void {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  }

  async function liveSlot(): Promise<Slot> {
    for (;;) {
      if (fatal) throw fatal;
      if (closing) throw new QorgauError('scoring_failed', 'The analyzer was closed while posts were being scored.');
      const live = slots.filter((s) => s.alive);
      if (live.length > 0) return live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }

  let nextId = 0;
  async function send(posts: readonly Post[]): Promise<Outcome> {
    const slot = await liveSlot();
    const id = nextId++;
    const seq = slot.sent++;
    const outcome = new Promise<Outcome>((resolve) => slot.pending.set(id, { seq, posts, resolve }));
    try {
      slot.worker.postMessage({ type: 'batch', id, seq, posts } satisfies ToWorker);
    } catch (error) {
      // Not sent (a post that cannot be copied: a function in meta, or nested past this thread's stack). The
      // worker never sees it, so the sequence number is handed back.
      slot.pending.delete(id);
      slot.sent -= 1;
      return { type: 'failed', undeliverable: true, message: describeError(error) };
    }
    return outcome;
  }

  /** Outputs for `posts` in order, whatever happens to the workers on the way. */
  async function score(posts: readonly Post[], attempt: number): Promise<Output[]> {
    if (posts.length === 0) return [];
    const outcome = await send(posts);
    switch (outcome.type) {
      case 'done':
        return [...outcome.outputs];
      case 'requeue':
        return score(posts, attempt);
      case 'timeout': {
        const late = posts[outcome.index]!;
        const rest = await score([...posts.slice(0, outcome.index), ...posts.slice(outcome.index + 1)], attempt);
        rest.splice(
          outcome.index,
          0,
          scoringFailed(
            late,
            `Scoring the post took more than ${outcome.seconds} s (twice postTimeout) without stopping: its worker was stopped and the run went on. Raise --post-timeout if such posts are expected.`,
            'scoring_timeout',
          ),
        );
        return rest;
      }
      case 'failed': {
        if (attempt >= 1) return posts.map((p) => scoringFailed(p, `Could not score the post: ${outcome.message} (tried twice).`));
        // A batch that could not be received fails as a whole; sent one by one, only the post at fault does.
        if (outcome.undeliverable && posts.length > 1) return (await Promise.all(posts.map((p) => score([p], 1)))).flat();
        return score(posts, attempt + 1);
      }
    }
  }

  async function dispatch(items: readonly (Post | ErrorRecord)[]): Promise<Output[]> {
    const posts = items.filter((r): r is Post => !isErrorRecord(r));
    if (posts.length === 0) return items as ErrorRecord[];
    const outputs = await score(posts, 0);
    let k = 0;
    return items.map((r) => (isErrorRecord(r) ? r : outputs[k++]!));
  }

  // The watchdog: a worker whose current post has run past the hard limit is stopped (its exit handler turns
  // that post into a scoring_timeout record and moves the rest on). Twice the budget, so that the worker's own
  // check, which keeps the worker, fires first on anything that checks the clock.
  const hardLimitMs = opts.postTimeout * 2;
  const watchdog = setInterval(
    () => {
      const now = performance.timeOrigin + performance.now();
      for (const s of slots) {
        const batch = s.progress[PROGRESS.batch]!;
        const index = s.progress[PROGRESS.index]!;
        const since = s.progress[PROGRESS.since]!;
        if (!s.alive || s.killed || batch < 0 || index < 0 || now - since <= hardLimitMs) continue;
        s.killed = { batch, index, seconds: Math.round(hardLimitMs / 100) / 10 };
        void s.worker.terminate();
      }
    },
    Math.min(1000, Math.max(50, hardLimitMs / 4)),
  );
  watchdog.unref();

  async function* analyzeStream(input: AsyncIterable<Post | ErrorRecord> | Iterable<Post | ErrorRecord>): AsyncGenerator<Output> {
    // Two batches per worker: one being scored, one queued behind it, so no worker waits on the main thread
    // while memory stays bounded whatever the input size.
    const maxInFlight = slots.length * 2;
    const inFlight: Promise<Output[]>[] = [];
    const queue = (items: readonly (Post | ErrorRecord)[]): void => {
      const p = dispatch(items);
      // Handled here so a batch that fails before its turn is not an unhandled rejection; awaited in order below.
      p.catch(() => {});
      inFlight.push(p);
    };
    let items: (Post | ErrorRecord)[] = [];
    let posts = 0;
    let chars = 0;
    for await (const record of input) {
      items.push(record);
      if (!isErrorRecord(record)) {
        posts += 1;
        chars += record.text.length;
      }
      if (posts >= opts.batchSize || items.length >= opts.batchSize * 4 || chars >= opts.batchChars) {
        queue(items);
        items = [];
        posts = 0;
        chars = 0;
        while (inFlight.length >= maxInFlight) yield* await inFlight.shift()!;
      }
    }
    if (items.length > 0) queue(items);
    while (inFlight.length > 0) yield* await inFlight.shift()!;
  }

  return {
    info: info!,
    analyzeStream,
    async close() {
      closing = true;
      clearInterval(watchdog);
      wakeWaiters();
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
