import { createAnalyzer } from '../analyzer.js';
import { QorgauError } from '../errors.js';
import type { Options } from '../options.js';
import { CATEGORIES, isErrorRecord, type Category, type Post, type Result } from '../types.js';
import { createHash } from 'node:crypto';
import {
  FUSION_COMBINES,
  applyFusion,
  applyStack,
  fitFusion,
  fitStack,
  type FusionCombine,
  type FusionModel,
  type FusionSample,
  type ModelDetector,
  type NoisyOrFusion,
  type StackFusion,
} from '../score/fusion.js';
import { goldToPost, selectGold, type GoldPost } from './gold.js';
import { computeMetrics, confusion, type Metrics, type Scored } from './metrics.js';

export { computeMetrics, averagePrecision, confusion } from './metrics.js';
export type { Metrics, CategoryMetrics, Scored } from './metrics.js';
export { readGold, selectGold, hashSplit } from './gold.js';
export type { GoldPost } from './gold.js';

export interface EvalOptions extends Options {
  readonly gold: readonly string[];
  /** Only posts whose `split` is one of these. Default: every post. */
  readonly splits?: readonly string[];
  /** Leave out posts marked `silver: true` (machine labels). Default true. */
  readonly excludeSilver?: boolean;
  /** At most this many posts per file, chosen by hash (as `qorgau train --per-file`). Default all. */
  readonly perFile?: number;
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
  /** The linear model's name, or null when it did not run. */
  readonly linear: string | null;
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
export async function scoreGold(options: EvalOptions): Promise<{ items: ScoredGold[]; model: string | null; linear: string | null }> {
  // Posts without a split get one by hash, as `qorgau train` gives them: the public clean sets and review
  // exports are split the same way by every command.
  const kept = await selectGold(options.gold, {
    ...(options.splits ? { splits: options.splits } : {}),
    excludeSilver: options.excludeSilver ?? true,
    ...(options.perFile !== undefined ? { perFile: options.perFile } : {}),
  });
  if (kept.length === 0) {
    throw new QorgauError(
      'bad_options',
      `No gold posts left${options.splits ? ` in split ${options.splits.join('/')}` : ''}. Check the files and --split.`,
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
  return { items, model: analyzer.info.model, linear: analyzer.info.linear ?? null };
}

export function buildReport(items: readonly ScoredGold[], files: readonly string[], splits: readonly string[] | undefined, model: string | null, linear: string | null = null): EvalReport {
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
    linear,
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
  const { items, model, linear } = await scoreGold(options);
  return buildReport(items, options.gold, options.splits, model, linear);
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
  return items.map((it) => {
    const comp = it.components;
    if (fusion.version === 3 && comp) return { ...it, scores: applyStack(fusion, comp) };
    return comp?.model ? { ...it, scores: applyFusion(fusion, comp.rules, comp.model) } : it;
  });
}

/** The models whose scores the items carry (in `components`), in fusion order. */
export function modelsIn(items: readonly ScoredGold[]): ModelDetector[] {
  const first = items[0]?.components;
  return (['model', 'linear'] as const).filter((k) => first?.[k] !== undefined);
}

/** Fits a version 3 layer (rules, transformer, linear model) on scored gold posts that carry components. */
export function fitStackOn(items: readonly ScoredGold[], combine: FusionCombine): StackFusion {
  const models = modelsIn(items);
  if (models.length === 0) throw new QorgauError('bad_options', 'No model scores to fit the fusion layer on: load a model or the linear model.');
  return fitStack(
    items.map((it) => ({ scores: it.components!, gold: it.gold })),
    combine,
    models,
  );
}

export interface FusionComparison {
  readonly combine: FusionCombine;
  readonly microF1: number;
  readonly macroF1: number;
  readonly cleanFlaggedRate: number;
}

/**
 * Compares the version 3 combinations by k-fold cross-validation on these items: per fold, the layer and the
 * thresholds (`target`) are fitted on the other folds and the fold is scored with them; the figures are over
 * all held-out predictions. Folds come from a hash of each post's id, so the comparison is repeatable.
 */
export function compareFusions(items: readonly ScoredGold[], target: number | 'f1', folds = 5): FusionComparison[] {
  const fold = items.map((it) => createHash('sha1').update(it.post.id).digest().readUInt32BE(0) % folds);
  return FUSION_COMBINES.map((combine) => {
    const held: Scored[] = [];
    for (let k = 0; k < folds; k += 1) {
      const train = items.filter((_, i) => fold[i] !== k);
      const test = items.filter((_, i) => fold[i] === k);
      if (train.length === 0 || test.length === 0) continue;
      const f = fitStackOn(train, combine);
      const { thresholds } = fitThresholds(refuse(train, f), target);
      for (const it of refuse(test, f)) held.push({ gold: it.gold, scores: it.scores, predicted: CATEGORIES.filter((c) => it.scores[c] >= thresholds[c]) });
    }
    const m = computeMetrics(held);
    return { combine, microF1: m.microF1, macroF1: m.macroF1, cleanFlaggedRate: m.cleanFlaggedRate };
  });
}
