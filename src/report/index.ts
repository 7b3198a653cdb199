import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { ClusterOptions } from '../cluster/index.js';
import { SignatureStore, clusterCount } from '../cluster/spill.js';
import { RunQueue } from '../spill/runs.js';
import { QorgauError } from '../errors.js';
import { isErrorRecord, type Output, type Result } from '../types.js';
import { renderReport, type ReportQueue } from './render.js';
import { addToStats, emptyStats, type ReportStats } from './stats.js';

export { escapeHtml, jsonForScript, safeHttpUrl } from './html.js';
export { highlightHtml, markSegments, type MarkSegment } from './highlight.js';
export { readResults } from './read.js';
export { dateOf, linkOf, type ClientPost, type ReportMeta } from './render.js';
export { sourceOf, type ReportStats } from './stats.js';

/**
 * Candidates the page lists when `top` is not given. The page is read by people (20,000 cards is weeks of work)
 * and a browser holds it whole; the summary still counts every candidate, and the JSONL output has them all.
 */
export const REPORT_LISTED = 20_000;

export interface ReportOptions {
  /** Page title. Default "qorgau review queue". */
  readonly title?: string;
  /** List only the N highest-priority candidates (the summary still counts and clusters all). Default `REPORT_LISTED` (20,000). */
  readonly top?: number;
  /** Near-duplicate clustering settings; `false`: every candidate is its own cluster. */
  readonly cluster?: ClusterOptions | false;
  /** Model name, or null for rules-only; shown in the summary. */
  readonly model?: string | null;
  /** Input names shown under the title. */
  readonly inputs?: readonly string[];
  /** Timestamp shown under the title. Default: now. */
  readonly generatedAt?: Date;
  /**
   * Folder for candidates and clustering data that outgrow memory (a function: asked on the first spill only).
   * Default: a new folder in the OS temp folder, removed by `write()` or `close()`.
   */
  readonly dir?: string | (() => string);
  /** Characters of candidate JSON held in memory before a sorted run is written. Default 8,000,000. */
  readonly spillChars?: number;
}

export interface ReportSummary {
  readonly records: number;
  readonly candidates: number;
  /** Candidates on the page: all of them, or the first `top`. */
  readonly listed: number;
  /** Clusters among all candidates. */
  readonly clusters: number;
  readonly errors: number;
}

export interface ReportBuilder {
  /** Counts every record; queues candidates (and nothing else) for the page. */
  add(record: Output): void;
  readonly stats: Readonly<ReportStats>;
  /** Clusters, ranks and writes the page, then removes the builder's temporary files. Call once, after the last `add`. */
  write(sink: Writable): Promise<ReportSummary>;
  /** Removes the builder's temporary files without writing (a run that failed); `write()` calls it itself. */
  close(): void;
}

/**
 * Collects results for the review page in bounded memory: candidates wait as sorted runs of JSON lines and
 * their clustering data in a file once they outgrow memory (the same spills as a default-mode scan), so the
 * cost grows with the candidates listed, not with those read.
 */
export function createReportBuilder(options: ReportOptions = {}): ReportBuilder {
  if (options.top !== undefined && (!Number.isInteger(options.top) || options.top < 1)) {
    throw new QorgauError('bad_options', `Expected \`top\` to be a positive integer, got \`${String(options.top)}\`.`);
  }
  const top = options.top ?? REPORT_LISTED;
  const stats = emptyStats();
  let ownDir: string | undefined;
  const dir = options.dir ?? ((): string => (ownDir ??= mkdtempSync(join(tmpdir(), 'qorgau-report-'))));
  const queue = new RunQueue({ dir, maxChars: options.spillChars ?? 8_000_000, top });
  const store = options.cluster === false ? undefined : new SignatureStore({ ...options.cluster, dir });
  let seq = 0;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    store?.remove();
    for (const run of queue.runs) rmSync(run, { force: true });
    if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
  };
  return {
    stats,
    add(record) {
      addToStats(stats, record);
      if (isErrorRecord(record) || record.labels.length === 0) return;
      store?.add(record.text, record.priority);
      queue.add({ priority: record.priority, seq: seq++, line: JSON.stringify(record) });
    },
    async write(sink) {
      try {
        const table = store ? await store.cluster() : undefined;
        const total = table ? clusterCount(table) : seq;
        // The representative is the highest-priority member (earliest on ties), so it comes out first.
        const clusterIndex = new Map<number, number>();
        const clusters: number[][] = [];
        const clusterOf: number[] = [];
        const posts: Result[] = [];
        for await (const item of queue.sorted()) {
          const record = JSON.parse(item.line) as Result;
          const rep = table ? table.rep[item.seq]! : item.seq;
          let k = clusterIndex.get(rep);
          if (k === undefined) {
            k = clusters.length;
            clusterIndex.set(rep, k);
            clusters.push([]);
          }
          clusters[k]!.push(posts.length);
          clusterOf.push(k);
          posts.push({ ...record, cluster: posts[clusters[k]![0]!]?.id ?? record.id, clusterSize: table ? table.size[item.seq]! : 1 });
        }
        const listed: ReportQueue = { posts, clusters, clusterOf, totalClusters: total };
        await renderReport(sink, stats, listed, {
          title: options.title ?? 'qorgau review queue',
          generatedAt: options.generatedAt ?? new Date(),
          ...(options.model !== undefined ? { model: options.model } : {}),
          ...(options.inputs ? { inputs: options.inputs } : {}),
        });
        return { records: stats.records, candidates: stats.candidates, listed: posts.length, clusters: total, errors: stats.errors };
      } finally {
        close();
      }
    },
    close,
  };
}
/** Writes the review page for a stream of results and error records (what `scan --all` writes). */
export async function writeReport(
  records: AsyncIterable<Output> | Iterable<Output>,
  sink: Writable,
  options: ReportOptions = {},
): Promise<ReportSummary> {
  const builder = createReportBuilder(options);
  try {
    for await (const r of records) builder.add(r);
  } catch (error) {
    builder.close();
    throw error;
  }
  return builder.write(sink);
}
