import type { Writable } from 'node:stream';
import { createClusterer, type ClusterOptions } from '../cluster/index.js';
import { QorgauError } from '../errors.js';
import { isErrorRecord, type Output, type Result } from '../types.js';
import { renderReport, type ReportQueue } from './render.js';
import { addToStats, emptyStats, type ReportStats } from './stats.js';

export { escapeHtml, jsonForScript, safeHttpUrl } from './html.js';
export { highlightHtml, markSegments, type MarkSegment } from './highlight.js';
export { readResults } from './read.js';
export { dateOf, linkOf, type ClientPost, type ReportMeta } from './render.js';
export { sourceOf, type ReportStats } from './stats.js';

export interface ReportOptions {
  /** Page title. Default "qorgau review queue". */
  readonly title?: string;
  /** Keep only the N highest-priority candidates in the queue (the summary still counts all). Default: all. */
  readonly top?: number;
  /** Near-duplicate clustering settings; `false`: every candidate is its own cluster. */
  readonly cluster?: ClusterOptions | false;
  /** Model name, or null for rules-only; shown in the summary. */
  readonly model?: string | null;
  /** Input names shown under the title. */
  readonly inputs?: readonly string[];
  /** Timestamp shown under the title. Default: now. */
  readonly generatedAt?: Date;
}

export interface ReportSummary {
  readonly records: number;
  readonly candidates: number;
  readonly listed: number;
  readonly clusters: number;
  readonly errors: number;
}

export interface ReportBuilder {
  /** Counts every record; keeps candidates (and nothing else) for the queue. */
  add(record: Output): void;
  readonly stats: Readonly<ReportStats>;
  /** Clusters, ranks and writes the page. Call once, after the last `add`. */
  write(sink: Writable): Promise<ReportSummary>;
}

/** Collects results for the review page: memory grows with the candidates, not with the posts read. */
export function createReportBuilder(options: ReportOptions = {}): ReportBuilder {
  if (options.top !== undefined && (!Number.isInteger(options.top) || options.top < 1)) {
    throw new QorgauError('bad_options', `Expected \`top\` to be a positive integer, got \`${String(options.top)}\`.`);
  }
  const stats = emptyStats();
  const clusterer = options.cluster === false ? undefined : createClusterer(options.cluster);
  const held: Result[] = [];
  return {
    stats,
    add(record) {
      addToStats(stats, record);
      if (isErrorRecord(record) || record.labels.length === 0) return;
      clusterer?.add(record.text, record.priority);
      held.push(record);
    },
    async write(sink) {
      const assigned = clusterer ? clusterer.assignments() : held.map((_, i) => ({ cluster: i, size: 1 }));
      const order = held.map((_, i) => i).sort((a, b) => held[b]!.priority - held[a]!.priority || a - b);
      const kept = options.top !== undefined ? order.slice(0, options.top) : order;
      // The representative is the highest-priority member (earliest on ties), so it comes first in `kept`.
      const clusterIndex = new Map<number, number>();
      const clusters: number[][] = [];
      const clusterOf: number[] = [];
      const posts: Result[] = [];
      kept.forEach((i, rank) => {
        const rep = assigned[i]!.cluster;
        let k = clusterIndex.get(rep);
        if (k === undefined) {
          k = clusters.length;
          clusterIndex.set(rep, k);
          clusters.push([]);
        }
        clusters[k]!.push(rank);
        clusterOf.push(k);
        posts.push({ ...held[i]!, cluster: held[rep]!.id, clusterSize: assigned[i]!.size });
      });
      const queue: ReportQueue = { posts, clusters, clusterOf };
      await renderReport(sink, stats, queue, {
        title: options.title ?? 'qorgau review queue',
        generatedAt: options.generatedAt ?? new Date(),
        ...(options.model !== undefined ? { model: options.model } : {}),
        ...(options.inputs ? { inputs: options.inputs } : {}),
      });
      return { records: stats.records, candidates: stats.candidates, listed: posts.length, clusters: clusters.length, errors: stats.errors };
    },
  };
}

/** Writes the review page for a stream of results and error records (what `scan --all` writes). */
export async function writeReport(
  records: AsyncIterable<Output> | Iterable<Output>,
  sink: Writable,
  options: ReportOptions = {},
): Promise<ReportSummary> {
  const builder = createReportBuilder(options);
  for await (const r of records) builder.add(r);
  return builder.write(sink);
}
