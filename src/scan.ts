import type { Writable } from 'node:stream';
import { createAnalyzer, type Analyzer } from './analyzer.js';
import { createClusterer, type ClusterOptions } from './cluster/index.js';
import { QorgauError } from './errors.js';
import { readInput, type InputSpec, type IngestRecord } from './ingest/readers.js';
import type { Options } from './options.js';
import { createWriter, type OutputFormat, type RecordWriter } from './output/index.js';
import { createReportBuilder } from './report/index.js';
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
  /**
   * Near-duplicate clustering of the candidates: sets `cluster` (the representative's id) and `clusterSize`
   * on each. Not with `all`, which streams in input order. `false` turns it off. Default on.
   */
  readonly cluster?: boolean | ClusterOptions;
  /** Title of the page with `format: 'html'`. */
  readonly title?: string;
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
  /** The linear model's name, or null when it did not run. */
  linear: string | null;
  /** Threads that scored posts (`workers` option; 1 = the calling thread). */
  workers: number;
  /** Near-duplicate clusters among the candidates, when they were clustered. */
  clusters?: number;
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
  const format = options.format ?? 'jsonl';
  if (format === 'html' && options.all) {
    throw new QorgauError('bad_options', 'Expected `all` to be off with the html format: the report lists the candidates and counts every post. Drop --all.');
  }
  const clusterOptions = options.cluster === false || options.all ? undefined : options.cluster === true ? {} : (options.cluster ?? {});
  const report =
    format === 'html'
      ? createReportBuilder({
          ...(options.title !== undefined ? { title: options.title } : {}),
          ...(options.top !== undefined ? { top: options.top } : {}),
          cluster: clusterOptions ?? false,
          inputs: options.inputs.map((i) => i.path),
        })
      : undefined;
  const clusterer = clusterOptions && !report ? createClusterer(clusterOptions) : undefined;
  const analyzer = options.analyzer ?? (await createAnalyzer(options));
  // The page is written by the report builder; error records sent elsewhere (--errors) stay JSONL.
  const recordFormat = format === 'html' ? 'jsonl' : format;
  const out = createWriter(options.out, recordFormat);
  const errOut: RecordWriter = options.errors ? createWriter(options.errors, recordFormat) : out;
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
    linear: analyzer.info.linear ?? null,
    workers: options.workers ?? 1,
  };
  const held: { r: Result; n: number; c: number }[] = [];
  // Ids by clusterer index: --top may drop a representative's result, not its id.
  const clusterIds: string[] = [];
  const heldErrors: ErrorRecord[] = [];
  const top = options.top;
  let lastProgress = started;
  try {
    for await (const record of analyzer.analyzeStream(concat(options.inputs))) {
      summary.records += 1;
      if (isErrorRecord(record)) {
        summary.errors += 1;
        summary.errorsByCode[record.error.code] = (summary.errorsByCode[record.error.code] ?? 0) + 1;
        report?.add(record);
        if (options.all || options.errors) await errOut.write(record);
        else if (!report) heldErrors.push(record);
      } else {
        summary.results += 1;
        if (record.labels.length > 0) {
          summary.candidates += 1;
          for (const c of record.labels) summary.perCategory[c] += 1;
        }
        if (report) report.add(record);
        else if (options.all) await out.write(record);
        else if (record.labels.length > 0) {
          let c = -1;
          if (clusterer) {
            c = clusterer.add(record.text, record.priority);
            clusterIds.push(record.id);
          }
          held.push({ r: record, n: summary.records, c });
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
    if (report) {
      summary.clusters = (await report.write(options.out)).clusters;
    } else if (!options.all) {
      held.sort(byPriority);
      const assigned = clusterer?.assignments();
      if (assigned) summary.clusters = new Set(assigned.map((a) => a.cluster)).size;
      for (const { r, c } of top !== undefined ? held.slice(0, top) : held) {
        const a = assigned?.[c];
        await out.write(a ? { ...r, cluster: clusterIds[a.cluster]!, clusterSize: a.size } : r);
      }
      for (const e of heldErrors) await errOut.write(e);
    }
  } finally {
    if (!options.analyzer) await analyzer.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.postsPerSecond = summary.records / Math.max(summary.seconds, 1e-9);
  return summary;
}
