import { CATEGORIES, isErrorRecord, type Category, type ErrorCode, type ErrorRecord, type Output, type Result } from '../types.js';

export const HISTOGRAM_BINS = 20;
/** Error records kept for the report's error table; the rest are only counted. */
export const ERRORS_LISTED = 200;

/** Counts for the report's summary header, built in one pass with memory independent of the input size. */
export interface ReportStats {
  records: number;
  results: number;
  candidates: number;
  perCategory: Record<Category, number>;
  /** Candidates per language. */
  perLanguage: Record<string, number>;
  errors: number;
  errorsByCode: Partial<Record<ErrorCode, number>>;
  /** The first error records, for the table. */
  errorSamples: ErrorRecord[];
  /** Per category, counts of scores above 0 in 20 bins over (0, 1]: every scored post, not only candidates. */
  histograms: Record<Category, number[]>;
  /** Per source (channel, else file): posts seen and candidates among them. */
  sources: Map<string, { posts: number; flagged: number }>;
}

export function emptyStats(): ReportStats {
  return {
    records: 0,
    results: 0,
    candidates: 0,
    perCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>,
    perLanguage: {},
    errors: 0,
    errorsByCode: {},
    errorSamples: [],
    histograms: Object.fromEntries(CATEGORIES.map((c) => [c, new Array<number>(HISTOGRAM_BINS).fill(0)])) as Record<Category, number[]>,
    sources: new Map(),
  };
}

const CHANNEL_KEYS = ['channel', 'chat', 'group', 'site'] as const;

/** Where a post was published as far as the input says: its channel or chat, else the file it came from. */
export function sourceOf(r: Pick<Result, 'source' | 'meta'>): string {
  for (const key of CHANNEL_KEYS) {
    const v = r.meta?.[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number') return String(v);
  }
  return r.source ?? 'input';
}

export function addToStats(stats: ReportStats, record: Output): void {
  stats.records += 1;
  if (isErrorRecord(record)) {
    stats.errors += 1;
    stats.errorsByCode[record.error.code] = (stats.errorsByCode[record.error.code] ?? 0) + 1;
    if (stats.errorSamples.length < ERRORS_LISTED) stats.errorSamples.push(record);
    return;
  }
  stats.results += 1;
  const flagged = record.labels.length > 0;
  if (flagged) {
    stats.candidates += 1;
    for (const c of record.labels) stats.perCategory[c] += 1;
    stats.perLanguage[record.lang] = (stats.perLanguage[record.lang] ?? 0) + 1;
  }
  for (const c of CATEGORIES) {
    const s = record.scores[c];
    if (typeof s === 'number' && s > 0) stats.histograms[c][Math.min(HISTOGRAM_BINS - 1, Math.floor(Math.min(s, 1) * HISTOGRAM_BINS - 1e-9))]! += 1;
  }
  const key = sourceOf(record);
  const src = stats.sources.get(key) ?? { posts: 0, flagged: 0 };
  src.posts += 1;
  if (flagged) src.flagged += 1;
  stats.sources.set(key, src);
}
