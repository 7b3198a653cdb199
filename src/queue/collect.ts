import type { Writable } from 'node:stream';
import { QorgauError } from '../errors.js';
import { clusterResults } from '../cluster/index.js';
import { createWriter, type RecordWriter } from '../output/index.js';
import { CATEGORIES, isErrorRecord, type Category, type ErrorCode, type ErrorRecord, type Output, type Result } from '../types.js';
import { fieldsToOutput } from './entries.js';
import type { StreamItem } from './types.js';

export interface CollectOptions {
  /** The results stream's entries, then (when given) the error stream's. */
  readonly items: AsyncIterable<StreamItem>;
  readonly out: Writable;
  /** Where error records go. Default: `out`, after the candidates (or in place with `all`). */
  readonly errors?: Writable;
  readonly format?: 'jsonl' | 'csv';
  /** Every record in stream order, as it is read, instead of the candidates sorted by priority. Default false. */
  readonly all?: boolean;
  /** Group near-duplicate candidates (not with `all`). Default true. */
  readonly cluster?: boolean;
  readonly top?: number;
}

export interface CollectSummary {
  /** Entries read from the streams. */
  entries: number;
  results: number;
  candidates: number;
  perCategory: Record<Category, number>;
  errors: number;
  errorsByCode: Partial<Record<ErrorCode, number>>;
  /** Entries whose key was already collected (written twice by an engine that could not tell). */
  duplicates: number;
}

function byPriority(a: Result, b: Result): number {
  return b.priority - a.priority;
}

/**
 * Turns a worker's output streams into the files `scan` writes: the same records, one per key (a key seen
 * twice is written once), with candidates sorted by priority and clustered unless `all`.
 */
export async function collect(options: CollectOptions): Promise<CollectSummary> {
  if (options.top !== undefined && (!Number.isInteger(options.top) || options.top < 1)) {
    throw new QorgauError('bad_options', `Expected \`top\` to be a positive integer, got \`${String(options.top)}\`.`);
  }
  const format = options.format ?? 'jsonl';
  const out = createWriter(options.out, format);
  const errOut: RecordWriter = options.errors ? createWriter(options.errors, format) : out;
  const summary: CollectSummary = {
    entries: 0,
    results: 0,
    candidates: 0,
    perCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>,
    errors: 0,
    errorsByCode: {},
    duplicates: 0,
  };
  const seen = new Set<string>();
  const held: Result[] = [];
  const heldErrors: ErrorRecord[] = [];
  for await (const item of options.items) {
    summary.entries += 1;
    const { key, output } = fieldsToOutput(item.fields, item.place);
    if (seen.has(key)) {
      summary.duplicates += 1;
      continue;
    }
    seen.add(key);
    await take(output);
  }

  async function take(output: Output): Promise<void> {
    if (isErrorRecord(output)) {
      summary.errors += 1;
      summary.errorsByCode[output.error.code] = (summary.errorsByCode[output.error.code] ?? 0) + 1;
      if (options.all || options.errors) await errOut.write(output);
      else heldErrors.push(output);
      return;
    }
    summary.results += 1;
    if (output.labels.length > 0) {
      summary.candidates += 1;
      for (const c of output.labels) summary.perCategory[c] += 1;
    }
    if (options.all) await out.write(output);
    else if (output.labels.length > 0) held.push(output);
  }

  if (!options.all) {
    held.sort(byPriority);
    const clustered: Result[] = options.cluster === false ? held : clusterResults(held);
    for (const r of options.top !== undefined ? clustered.slice(0, options.top) : clustered) await out.write(r);
    for (const e of heldErrors) await errOut.write(e);
  }
  return summary;
}
