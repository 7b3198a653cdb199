import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { QorgauError } from './errors.js';
import { errorRecord } from './ingest/records.js';
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

export type ToWorker = { readonly type: 'batch'; readonly id: number; readonly posts: readonly Post[] };

export type FromWorker =
  | { readonly type: 'ready'; readonly info: AnalyzerCore['info'] }
  | { readonly type: 'init_failed'; readonly code: ErrorCode; readonly message: string }
  | { readonly type: 'notice'; readonly message: string }
  | { readonly type: 'done'; readonly id: number; readonly outputs: readonly Output[] }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

// Compiled JS even when the caller runs the TypeScript sources (vitest): `npm test` builds dist first.
export const WORKER_SCRIPT = join(PACKAGE_ROOT, 'dist', 'worker.js');

interface Waiting {
  resolve(message: Extract<FromWorker, { type: 'done' | 'failed' }>): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly index: number;
  readonly waiting: Map<number, Waiting>;
}

function scoringFailed(post: Post, message: string): ErrorRecord {
  return errorRecord(post.source ?? 'input', post.line ?? 0, 'scoring_failed', `Could not score the post: ${message}`, post.id);
}

/**
 * Starts `opts.workers` worker threads, each with its own analyzer (rules + model), and waits until all are
 * loaded. Batches go to the worker with the fewest in flight; outputs come back in input order.
 */
export async function startWorkers(opts: ResolvedOptions): Promise<AnalyzerCore> {
  if (!existsSync(WORKER_SCRIPT)) {
    throw new QorgauError('bad_options', `Expected ${WORKER_SCRIPT} for \`workers\` above 1, but it is missing: run npm run build (or use workers 1).`);
  }
  const { classifier: _classifier, onNotice, ...rest } = opts;
  const workerData: WorkerOptions = { ...rest, workers: 1 };
  // Every worker reports the same notices ("running rules-only"): the user hears each one once.
  const noticed = new Set<string>();
  let closing = false;
  let fatal: QorgauError | undefined;

  const slots: Slot[] = [];
  const ready: Promise<AnalyzerCore['info']>[] = [];
  for (let index = 0; index < opts.workers; index += 1) {
    const worker = new Worker(WORKER_SCRIPT, { workerData });
    const slot: Slot = { worker, index, waiting: new Map() };
    slots.push(slot);
    let crash: Error | undefined;
    ready.push(
      new Promise((resolve, reject) => {
        worker.on('message', (message: FromWorker) => {
          switch (message.type) {
            case 'ready':
              resolve(message.info);
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
            default: {
              const waiting = slot.waiting.get(message.id);
              slot.waiting.delete(message.id);
              waiting?.resolve(message);
            }
          }
        });
        worker.on('error', (error) => {
          crash = error;
        });
        worker.on('exit', (code) => {
          const error = closing
            ? new QorgauError('scoring_failed', 'The analyzer was closed while posts were being scored.')
            : new QorgauError(
                'scoring_failed',
                `Worker thread ${index + 1} of ${opts.workers} stopped (exit code ${code}${crash ? `: ${crash.message}` : ''}); the run cannot go on. Try fewer workers or workers 1.`,
                { cause: crash },
              );
          if (!closing) fatal ??= error;
          reject(error);
          for (const w of slot.waiting.values()) w.reject(error);
          slot.waiting.clear();
        });
      }),
    );
  }

  let infos: AnalyzerCore['info'][];
  try {
    infos = await Promise.all(ready);
  } catch (error) {
    closing = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw error;
  }

  let nextId = 0;
  function dispatch(items: readonly (Post | ErrorRecord)[]): Promise<Output[]> {
    const posts = items.filter((r): r is Post => !isErrorRecord(r));
    if (posts.length === 0) return Promise.resolve(items as ErrorRecord[]);
    if (fatal) return Promise.reject(fatal);
    const slot = slots.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
    const id = nextId++;
    const reply = new Promise<Extract<FromWorker, { type: 'done' | 'failed' }>>((resolve, reject) => slot.waiting.set(id, { resolve, reject }));
    try {
      slot.worker.postMessage({ type: 'batch', id, posts } satisfies ToWorker);
    } catch (error) {
      // A post that cannot be copied (a function in meta, say) fails its batch, not the run.
      slot.waiting.delete(id);
      const message = error instanceof Error ? error.message : String(error);
      return Promise.resolve(items.map((r) => (isErrorRecord(r) ? r : scoringFailed(r, message))));
    }
    return reply.then((message) => {
      let k = 0;
      return items.map((r) => {
        if (isErrorRecord(r)) return r;
        if (message.type === 'failed') return scoringFailed(r, message.message);
        return message.outputs[k++]!;
      });
    });
  }

  async function* analyzeStream(input: AsyncIterable<Post | ErrorRecord> | Iterable<Post | ErrorRecord>): AsyncGenerator<Output> {
    // Two batches per worker: one being scored, one queued behind it, so no worker waits on the main thread
    // while memory stays bounded whatever the input size.
    const maxInFlight = slots.length * 2;
    const inFlight: Promise<Output[]>[] = [];
    const send = (items: readonly (Post | ErrorRecord)[]): void => {
      const p = dispatch(items);
      // Handled here so a batch that fails before its turn is not an unhandled rejection; awaited in order below.
      p.catch(() => {});
      inFlight.push(p);
    };
    let items: (Post | ErrorRecord)[] = [];
    let posts = 0;
    for await (const record of input) {
      items.push(record);
      if (!isErrorRecord(record)) posts += 1;
      if (posts >= opts.batchSize || items.length >= opts.batchSize * 4) {
        send(items);
        items = [];
        posts = 0;
        while (inFlight.length >= maxInFlight) yield* await inFlight.shift()!;
      }
    }
    if (items.length > 0) send(items);
    while (inFlight.length > 0) yield* await inFlight.shift()!;
  }

  return {
    info: infos[0]!,
    analyzeStream,
    async close() {
      closing = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
