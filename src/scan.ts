import type { Writable } from 'node:stream';
import { createAnalyzer, type Analyzer } from './analyzer.js';
import { QorgauError } from './errors.js';
import { readInput, type InputSpec, type IngestRecord } from './ingest/readers.js';
import type { Options } from './options.js';
import { createWriter, type OutputFormat, type RecordWriter } from './output/index.js';
import { CATEGORIES, isErrorRecord, type Category, type ErrorCode, type ErrorRecord, type Result } from './types.js';

export interface ScanOptions extends Options {
  readonly inputs: readonly InputSpec[];
  /** Where results go. */
  readonly out: Writable;
  /** Where error records go. Default: `out`, after the candidates (or in place with `all`). */
  readonly errors?: Writable;
  /** Output format. Default `jsonl`. */
  readonly format?: OutputFormat;
  /** Write every post in input order instead of only candidates sorted by priority. Default false. */
  readonly all?: boolean;
  /** Keep only the N highest-priority candidates. Default: all candidates. */
  readonly top?: number;
  /** Called about twice a second with running counts (for a progress line). */
  readonly onProgress?: (summary: ScanSummary) => void;
  /** Reuse an analyzer instead of creating one. */
  readonly analyzer?: Analyzer;
}

export interface ScanSummary {
  /** Input records read: posts plus records that could not be read. */
  records: number;
  results: number;
  candidates: number;
  perCategory: Record<Category, number>;
  errors: number;
  errorsByCode: Partial<Record<ErrorCode, number>>;
  seconds: number;
  postsPerSecond: number;
  model: string | null;
}

async function* concat(inputs: readonly InputSpec[]): AsyncGenerator<IngestRecord> {
  for (const spec of inputs) yield* readInput(spec);
}

function byPriority(a: { r: Result; n: number }, b: { r: Result; n: number }): number {
  return b.r.priority - a.r.priority || a.n - b.n;
}

/** Reads every input, scores every post and writes results and error records. Returns the counts. */
export async function scan(options: ScanOptions): Promise<ScanSummary> {
  if (options.top !== undefined && (!Number.isInteger(options.top) || options.top < 1)) {
    throw new QorgauError('bad_options', `Expected \`top\` to be a positive integer, got \`${String(options.top)}\`.`);
  }
  const analyzer = options.analyzer ?? (await createAnalyzer(options));
  const format = options.format ?? 'jsonl';
  const out = createWriter(options.out, format);
  const errOut: RecordWriter = options.errors ? createWriter(options.errors, format) : out;
  const started = performance.now();
  const summary: ScanSummary = {
    records: 0,
    results: 0,
    candidates: 0,
    perCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>,
    errors: 0,
    errorsByCode: {},
    seconds: 0,
    postsPerSecond: 0,
    model: analyzer.info.model,
  };
  const held: { r: Result; n: number }[] = [];
  const heldErrors: ErrorRecord[] = [];
  const top = options.top;
  let lastProgress = started;
  try {
    for await (const record of analyzer.analyzeStream(concat(options.inputs))) {
      summary.records += 1;
      if (isErrorRecord(record)) {
        summary.errors += 1;
        summary.errorsByCode[record.error.code] = (summary.errorsByCode[record.error.code] ?? 0) + 1;
        if (options.all || options.errors) await errOut.write(record);
        else heldErrors.push(record);
      } else {
        summary.results += 1;
        if (record.labels.length > 0) {
          summary.candidates += 1;
          for (const c of record.labels) summary.perCategory[c] += 1;
        }
        if (options.all) await out.write(record);
        else if (record.labels.length > 0) {
          held.push({ r: record, n: summary.records });
          // Keep memory bounded by N when only the top N are wanted.
          if (top !== undefined && held.length > 2 * top + 1024) {
            held.sort(byPriority);
            held.length = top;
          }
        }
      }
      const now = performance.now();
      if (options.onProgress && now - lastProgress > 500) {
        lastProgress = now;
        summary.seconds = (now - started) / 1000;
        summary.postsPerSecond = summary.records / Math.max(summary.seconds, 1e-9);
        options.onProgress(summary);
      }
    }
    if (!options.all) {
      held.sort(byPriority);
      for (const { r } of top !== undefined ? held.slice(0, top) : held) await out.write(r);
      for (const e of heldErrors) await errOut.write(e);
    }
  } finally {
    if (!options.analyzer) await analyzer.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.postsPerSecond = summary.records / Math.max(summary.seconds, 1e-9);
  return summary;
}
