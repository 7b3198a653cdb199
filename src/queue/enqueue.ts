import { setTimeout as sleep } from 'node:timers/promises';
import { QorgauError } from '../errors.js';
import { readInput, type InputSpec } from '../ingest/readers.js';
import { isErrorRecord } from '../types.js';
import { recordToFields } from './entries.js';
import { createRetrier } from './retry.js';
import type { Enqueuer } from './types.js';

export interface EnqueueOptions {
  readonly inputs: readonly InputSpec[];
  readonly queue: Enqueuer;
  /** Wait while the stream holds more than this many entries (back-pressure on the scrapers' side). Default: never wait. */
  readonly maxLenWait?: number;
  /** Entries sent per round trip. Default 500 (or `maxLenWait` when smaller). */
  readonly chunk?: number;
  /** How often to look at the stream's length while waiting. Default 200 ms. */
  readonly pollMs?: number;
  readonly onNotice?: (message: string) => void;
  readonly signal?: AbortSignal;
}

export interface EnqueueSummary {
  /** Input records read: posts plus records that could not be read (sent as error entries). */
  records: number;
  posts: number;
  errors: number;
  /** Times enqueue paused because the stream was longer than `maxLenWait`. */
  waits: number;
  seconds: number;
}

/**
 * Reads inputs exactly as `scan` does and appends one entry per record: a post, or the error record for a
 * line that could not be read, so the workers' output accounts for every input record.
 */
export async function enqueue(options: EnqueueOptions): Promise<EnqueueSummary> {
  const chunkSize = options.chunk ?? Math.min(500, options.maxLenWait ?? 500);
  if (options.maxLenWait !== undefined && (!Number.isInteger(options.maxLenWait) || options.maxLenWait < 1)) {
    throw new QorgauError('bad_options', `Expected \`maxLenWait\` to be a positive integer, got \`${String(options.maxLenWait)}\`.`);
  }
  const notice = options.onNotice ?? ((m: string) => process.stderr.write(`qorgau: ${m}\n`));
  const queue = options.queue;
  const retrier = createRetrier({ describe: queue.describe, isTransient: (e) => queue.isTransient(e), outage: queue.outage });
  const started = performance.now();
  const summary: EnqueueSummary = { records: 0, posts: 0, errors: 0, waits: 0, seconds: 0 };
  let saidWaiting = false;

  async function waitForRoom(): Promise<void> {
    const limit = options.maxLenWait;
    if (limit === undefined) return;
    for (;;) {
      const length = (await retrier.run('reading the stream length', () => queue.length()))!;
      if (length <= limit) return;
      if (!saidWaiting) {
        saidWaiting = true;
        notice(`the stream holds ${length} entries, more than --max-len-wait ${limit}: waiting for the workers to catch up.`);
      }
      summary.waits += 1;
      if (options.signal?.aborted) return;
      await sleep(options.pollMs ?? 200);
    }
  }

  let chunk: Record<string, string>[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    await waitForRoom();
    const entries = chunk;
    chunk = [];
    // A retried chunk may store some entries twice; workers key results by post, so no result is doubled.
    await retrier.run('adding entries', () => queue.add(entries));
  };
  for (const spec of options.inputs) {
    for await (const record of readInput(spec)) {
      if (options.signal?.aborted) break;
      summary.records += 1;
      if (isErrorRecord(record)) summary.errors += 1;
      else summary.posts += 1;
      chunk.push(recordToFields(record));
      if (chunk.length >= chunkSize) await flush();
    }
  }
  await flush();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
