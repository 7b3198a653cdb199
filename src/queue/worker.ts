import { createAnalyzer, type Analyzer } from '../analyzer.js';
import { QorgauError } from '../errors.js';
import type { ReaderOptions } from '../ingest/records.js';
import { resolveOptions, type Options } from '../options.js';
import { isErrorRecord, type ErrorCode, type Output, type Post, type ErrorRecord } from '../types.js';
import { entryToRecord, errorKey, lostEntry, outputToFields, resultKey, tooManyDeliveries } from './entries.js';
import { createRetrier } from './retry.js';
import type { Delivery, Outgoing, WorkerQueue } from './types.js';
import { analyzerVersion } from './version.js';

export interface WorkerOptions extends Options {
  /** The engine to work on (see `openRedisWorkerQueue`, `openNatsWorkerQueue`). */
  readonly queue: WorkerQueue;
  /** Entries taken per read. Default 256. */
  readonly batch?: number;
  /** Write only results with labels to the results stream (every entry is still acknowledged). Default false. */
  readonly candidatesOnly?: boolean;
  /** An entry delivered more times than this becomes a `too_many_deliveries` error record. Default 5. */
  readonly maxDeliveries?: number;
  /** Return once nothing is unread and nothing pending in the group (for batch jobs and tests). Default false. */
  readonly exitWhenIdle?: boolean;
  /** Aborting it stops reading; the batch in flight (and one prefetched) is finished and acknowledged first. */
  readonly signal?: AbortSignal;
  /** Field names for `record` and flat entries, as for JSONL input. */
  readonly reader?: Pick<ReaderOptions, 'textField' | 'idField'>;
  /** Reuse an analyzer instead of creating one. */
  readonly analyzer?: Analyzer;
  /** Called after each committed batch (metrics). */
  readonly onBatch?: (batch: BatchReport) => void;
}

export interface BatchReport {
  readonly entries: number;
  readonly outputs: readonly Output[];
  /** Outputs dropped because an output with the same key was already written. */
  readonly duplicates: number;
  /** Reading, scoring and committing the batch. */
  readonly seconds: number;
}

export interface WorkerSummary {
  entries: number;
  results: number;
  candidates: number;
  errors: number;
  errorsByCode: Partial<Record<ErrorCode, number>>;
  duplicates: number;
  batches: number;
  seconds: number;
  model: string | null;
  /** The digest of rules, model and thresholds in the result keys. */
  version: string;
}

function expectInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new QorgauError('bad_options', `Expected \`${name}\` to be an integer from ${min} to ${max}, got \`${String(value)}\`.`);
  }
  return value;
}

/**
 * Takes batches from a stream, scores them with the same analyzer as `scan` and commits results, error
 * records and acknowledgements together, until stopped (or idle with `exitWhenIdle`). It holds at most one
 * batch being scored and one prefetched, so a worker that dies leaves at most two batches to reclaim.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const batchSize = expectInteger('batch', options.batch ?? 256, 1, 100_000);
  const maxDeliveries = expectInteger('maxDeliveries', options.maxDeliveries ?? 5, 1, 1000);
  const opts = resolveOptions(options);
  const queue = options.queue;
  const analyzer = options.analyzer ?? (await createAnalyzer(options));
  const version = analyzerVersion(opts, analyzer.info.model);
  const reader: ReaderOptions = { ...options.reader, maxTextLength: opts.maxTextLength };
  const retrier = createRetrier({ describe: queue.describe, isTransient: (e) => queue.isTransient(e), outage: queue.outage });
  const stopped = (): boolean => options.signal?.aborted === true;
  const started = performance.now();
  const summary: WorkerSummary = {
    entries: 0,
    results: 0,
    candidates: 0,
    errors: 0,
    errorsByCode: {},
    duplicates: 0,
    batches: 0,
    seconds: 0,
    model: analyzer.info.model,
    version,
  };

  // While stopping, a fetch that cannot reach the engine gives up: what it may have taken stays pending and is reclaimed.
  const fetch = async (): Promise<Delivery[]> => (await retrier.run('reading entries', () => queue.fetch(batchSize), stopped)) ?? [];

  async function handle(batch: readonly Delivery[]): Promise<void> {
    const t0 = performance.now();
    const inputs: (Post | ErrorRecord)[] = batch.map((d) => {
      const record = d.fields === null ? lostEntry(d.place) : entryToRecord(d.fields, d.place, reader);
      return d.deliveries > maxDeliveries ? tooManyDeliveries(record, d.deliveries, maxDeliveries) : record;
    });
    const outputs: Output[] = [];
    for await (const out of analyzer.analyzeStream(inputs)) outputs.push(out);
    if (outputs.length !== inputs.length) {
      throw new QorgauError('scoring_failed', `The analyzer returned ${outputs.length} outputs for ${inputs.length} entries; the entries stay pending for another worker.`);
    }
    const outgoing: Outgoing[] = outputs.map((output, i) => {
      const delivery = batch[i]!;
      if (isErrorRecord(output)) {
        const key = errorKey(delivery.place);
        return { delivery, output: { target: 'errors', key, fields: outputToFields(output, key) } };
      }
      if (options.candidatesOnly && output.labels.length === 0) return { delivery };
      const key = resultKey(output, version);
      return { delivery, output: { target: 'results', key, fields: outputToFields(output, key) } };
    });
    // A commit is idempotent (keys, acknowledgements), so it is retried until the engine is back.
    const { duplicates } = (await retrier.run('writing results', () => queue.commit(outgoing)))!;
    summary.batches += 1;
    summary.entries += batch.length;
    summary.duplicates += duplicates;
    for (const out of outputs) {
      if (isErrorRecord(out)) {
        summary.errors += 1;
        summary.errorsByCode[out.error.code] = (summary.errorsByCode[out.error.code] ?? 0) + 1;
      } else {
        summary.results += 1;
        if (out.labels.length > 0) summary.candidates += 1;
      }
    }
    options.onBatch?.({ entries: batch.length, outputs, duplicates, seconds: (performance.now() - t0) / 1000 });
  }

  async function isIdle(): Promise<boolean> {
    const backlog = await retrier.run('reading the backlog', () => queue.backlog(), stopped);
    return backlog !== undefined && backlog.unread === 0 && backlog.pending === 0;
  }

  let inFlight: Promise<Delivery[]> | undefined;
  try {
    inFlight = fetch();
    while (inFlight) {
      const batch: Delivery[] = await inFlight;
      inFlight = undefined;
      if (batch.length === 0) {
        if (stopped() || (options.exitWhenIdle && (await isIdle()))) break;
        inFlight = fetch();
        continue;
      }
      // Prefetch the next batch while this one is scored; once stopping, read nothing more.
      if (!stopped()) inFlight = fetch();
      await handle(batch);
    }
  } finally {
    // A failed batch leaves a prefetch behind: its entries stay pending for another worker.
    inFlight?.catch(() => {});
    if (!options.analyzer) await analyzer.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
