import { createAnalyzer } from '../analyzer.js';
import { QorgauError } from '../errors.js';
import type { Options } from '../options.js';
import { CATEGORIES, isErrorRecord, type Category, type Post, type Result } from '../types.js';
import { applyFusion, fitFusion, type FusionModel, type FusionSample, type NoisyOrFusion } from '../score/fusion.js';
import { goldToPost, readGold, type GoldPost } from './gold.js';
import { computeMetrics, confusion, type Metrics, type Scored } from './metrics.js';

export { computeMetrics, averagePrecision, confusion } from './metrics.js';
export type { Metrics, CategoryMetrics, Scored } from './metrics.js';
export { readGold } from './gold.js';
export type { GoldPost } from './gold.js';

export interface EvalOptions extends Options {
  readonly gold: readonly string[];
  /** Only posts whose `split` is one of these. Default: every post. */
  readonly splits?: readonly string[];
  /** Leave out posts marked `silver: true` (machine labels). Default true. */
  readonly excludeSilver?: boolean;
}

export interface ScoredGold extends Scored {
  readonly post: GoldPost;
  /** Rule and model scores before fusion (present when scored with `keepComponents`). */
  readonly components?: Result['components'];
}

export interface EvalReport extends Metrics {
  readonly files: readonly string[];
  readonly splits: readonly string[] | 'all';
  readonly model: string | null;
  readonly byLanguage: Readonly<Record<string, Metrics>>;
  readonly byObfuscation: { readonly obfuscated: Metrics; readonly plain: Metrics };
  /** Clean posts that share vocabulary with a category: how many got flagged, overall and per `kind`. */
  readonly hardNegatives: { readonly posts: number; readonly flaggedRate: number; readonly byKind: Readonly<Record<string, { posts: number; flagged: number }>> };
  readonly confusion: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * Written posts (made for the project) and real ones (public posts relabelled) apart, for the origins present:
   * the two are different distributions and one must never hide the other.
   */
  readonly byOrigin: Readonly<Partial<Record<Origin, OriginReport>>>;
}

export type Origin = 'written' | 'real';

export interface OriginReport extends Metrics {
  readonly byLanguage: Readonly<Record<string, Metrics>>;
  /** Per public set (the `source` field) for real posts; one entry `written` for written ones. */
  readonly bySource: Readonly<Record<string, Metrics>>;
  readonly hardNegatives: { readonly posts: number; readonly flaggedRate: number };
  readonly obfuscatedRecall: { readonly posts: number; readonly recall: number };
}

export const originOf = (post: GoldPost): Origin => (post.real ? 'real' : 'written');

function originReport(items: readonly ScoredGold[]): OriginReport {
  const langs = [...new Set(items.map((it) => it.post.lang))].sort();
  const sources = [...new Set(items.map((it) => it.post.source ?? 'unknown'))].sort();
  const hard = items.filter((it) => it.post.hard && it.gold.length === 0);
  const obf = computeMetrics(items.filter((it) => it.post.obfuscated === true));
  return {
    ...computeMetrics(items),
    byLanguage: Object.fromEntries(langs.map((l) => [l, computeMetrics(items.filter((it) => it.post.lang === l))])),
    bySource: Object.fromEntries(sources.map((s) => [s, computeMetrics(items.filter((it) => (it.post.source ?? 'unknown') === s))])),
    hardNegatives: { posts: hard.length, flaggedRate: hard.length ? hard.filter((it) => it.predicted.length > 0).length / hard.length : 0 },
    obfuscatedRecall: { posts: obf.n, recall: obf.microRecall },
  };
}

/** Loads gold files, keeps the requested splits, and scores each post as a scan would. */
export async function scoreGold(options: EvalOptions): Promise<{ items: ScoredGold[]; model: string | null }> {
  const gold: { g: GoldPost; file: string; line: number }[] = [];
  for (const file of options.gold) {
    const posts = await readGold(file);
    posts.forEach((g, i) => gold.push({ g, file, line: i + 1 }));
  }
  const excludeSilver = options.excludeSilver ?? true;
  const kept = gold.filter(({ g }) => (!options.splits || (g.split !== undefined && options.splits.includes(g.split))) && !(excludeSilver && g.silver));
  if (kept.length === 0) {
    throw new QorgauError(
      'bad_options',
      `No gold posts left${options.splits ? ` in split ${options.splits.join('/')}` : ''}. Check the files and --split (posts need a \`split\` field).`,
    );
  }
  const analyzer = await createAnalyzer(options);
  const items: ScoredGold[] = [];
  try {
    const posts: Post[] = kept.map(({ g, file, line }) => goldToPost(g, file, line));
    let i = 0;
    for await (const out of analyzer.analyzeStream(posts)) {
      const g = kept[i++]!.g;
      if (isErrorRecord(out)) throw new QorgauError(out.error.code, `Gold post ${g.id} could not be scored: ${out.error.message}`);
      items.push({ post: g, gold: g.labels, predicted: out.labels, scores: out.scores, ...(out.components ? { components: out.components } : {}) });
    }
  } finally {
    await analyzer.close();
  }
  return { items, model: analyzer.info.model };
}

export function buildReport(items: readonly ScoredGold[], files: readonly string[], splits: readonly string[] | undefined, model: string | null): EvalReport {
  const langs = [...new Set(items.map((it) => it.post.lang))].sort();
  const hard = items.filter((it) => it.post.hard && it.gold.length === 0);
  const byKind: Record<string, { posts: number; flagged: number }> = {};
  for (const it of hard) {
    const k = it.post.kind ?? 'other';
    byKind[k] ??= { posts: 0, flagged: 0 };
    byKind[k].posts += 1;
    if (it.predicted.length > 0) byKind[k].flagged += 1;
  }
  return {
    ...computeMetrics(items),
    files,
    splits: splits ?? 'all',
    model,
    byLanguage: Object.fromEntries(langs.map((l) => [l, computeMetrics(items.filter((it) => it.post.lang === l))])),
    byObfuscation: {
      obfuscated: computeMetrics(items.filter((it) => it.post.obfuscated === true)),
      plain: computeMetrics(items.filter((it) => it.post.obfuscated !== true)),
    },
    hardNegatives: {
      posts: hard.length,
      flaggedRate: hard.length ? hard.filter((it) => it.predicted.length > 0).length / hard.length : 0,
      byKind,
    },
    confusion: confusion(items),
    byOrigin: Object.fromEntries(
      (['written', 'real'] as const).flatMap((o) => {
        const of = items.filter((it) => originOf(it.post) === o);
        return of.length ? [[o, originReport(of)]] : [];
      }),
    ),
  };
}

export async function evaluate(options: EvalOptions): Promise<EvalReport> {
  const { items, model } = await scoreGold(options);
  return buildReport(items, options.gold, options.splits, model);
}

export interface Calibration {
  readonly thresholds: Readonly<Record<Category, number>>;
  readonly target: number | 'f1';
  readonly perCategory: Readonly<Record<Category, { threshold: number; precision: number; recall: number; f1: number; support: number; met: boolean }>>;
}

/**
 * Per category, the lowest score threshold whose precision on these posts reaches `target` (the most recall
 * at that precision); where no threshold reaches it, or with `target: 'f1'`, the threshold with the best F1.
 */
export function fitThresholds(items: readonly Scored[], target: number | 'f1', fallback = 0.5): Calibration {
  const thresholds = {} as Record<Category, number>;
  const perCategory = {} as Record<Category, Calibration['perCategory'][Category]>;
  for (const c of CATEGORIES) {
    const support = items.filter((it) => it.gold.includes(c)).length;
    const candidates = [...new Set(items.map((it) => it.scores[c]).filter((s) => s > 0))].sort((a, b) => a - b);
    let best: { threshold: number; precision: number; recall: number; f1: number; met: boolean } | undefined;
    let bestF1: typeof best;
    for (const t of candidates) {
      let tp = 0;
      let fp = 0;
      for (const it of items) {
        if (it.scores[c] >= t) {
          if (it.gold.includes(c)) tp += 1;
          else fp += 1;
        }
      }
      const precision = tp + fp ? tp / (tp + fp) : 0;
      const recall = support ? tp / support : 0;
      const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
      if (!bestF1 || f1 > bestF1.f1) bestF1 = { threshold: t, precision, recall, f1, met: false };
      if (target !== 'f1' && !best && precision >= target && tp > 0) best = { threshold: t, precision, recall, f1, met: true };
    }
    const chosen = best ?? bestF1;
    if (support === 0 || !chosen || chosen.f1 === 0) {
      thresholds[c] = fallback;
      perCategory[c] = { threshold: fallback, precision: 0, recall: 0, f1: 0, support, met: false };
    } else {
      thresholds[c] = chosen.threshold;
      perCategory[c] = { ...chosen, support };
    }
  }
  return { thresholds, target, perCategory };
}

/** Fits the fusion layer on scored gold posts that carry components (rules and model scores). */
export function fitFusionOn(items: readonly ScoredGold[]): NoisyOrFusion {
  const samples: FusionSample[] = [];
  for (const it of items) {
    const comp = it.components;
    if (!comp?.model) continue;
    for (const c of CATEGORIES) samples.push({ category: c, rule: comp.rules[c], model: comp.model[c] ?? 0, gold: it.gold.includes(c) });
  }
  if (samples.length === 0) throw new QorgauError('bad_options', 'No model scores to fit the fusion layer on: load a model (not --no-model).');
  return fitFusion(samples);
}

/** The same items re-scored through a fusion layer (for fitting thresholds on fused scores). */
export function refuse(items: readonly ScoredGold[], fusion: FusionModel): ScoredGold[] {
  return items.map((it) => (it.components?.model ? { ...it, scores: applyFusion(fusion, it.components.rules, it.components.model) } : it));
}
