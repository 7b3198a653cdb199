import { CATEGORIES, type Category, type CategoryScores } from '../types.js';

export interface Scored {
  readonly gold: readonly Category[];
  readonly predicted: readonly Category[];
  readonly scores: CategoryScores;
}

export interface CategoryMetrics {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Area under the precision-recall curve as average precision over the scores. */
  readonly prAuc: number;
  /** Gold positives. */
  readonly support: number;
}

export interface Metrics {
  readonly n: number;
  readonly microF1: number;
  readonly macroF1: number;
  readonly microPrecision: number;
  readonly microRecall: number;
  /** Share of gold-clean posts that got at least one predicted label. */
  readonly cleanFlaggedRate: number;
  readonly cleanPosts: number;
  readonly perCategory: Readonly<Record<Category, CategoryMetrics>>;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const f1Of = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

/**
 * Average precision: walk scores from high to low; at each distinct score (ties taken together) add
 * precision × the recall gained. 0 when there are no positives.
 */
export function averagePrecision(scores: readonly number[], positive: readonly boolean[]): number {
  const total = positive.filter(Boolean).length;
  if (total === 0) return 0;
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let i = 0;
  while (i < order.length) {
    const s = order[i]![0];
    let gained = 0;
    while (i < order.length && order[i]![0] === s) {
      seen += 1;
      if (positive[order[i]![1]]) gained += 1;
      i += 1;
    }
    tp += gained;
    if (gained > 0) ap += (tp / seen) * (gained / total);
  }
  return ap;
}

export function computeMetrics(items: readonly Scored[]): Metrics {
  const perCategory = {} as Record<Category, CategoryMetrics>;
  let TP = 0;
  let FP = 0;
  let FN = 0;
  const macro: number[] = [];
  for (const c of CATEGORIES) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const it of items) {
      const g = it.gold.includes(c);
      const p = it.predicted.includes(c);
      if (g && p) tp += 1;
      else if (p) fp += 1;
      else if (g) fn += 1;
    }
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    const support = tp + fn;
    perCategory[c] = {
      tp,
      fp,
      fn,
      precision,
      recall,
      f1: f1Of(precision, recall),
      prAuc: averagePrecision(
        items.map((it) => it.scores[c]),
        items.map((it) => it.gold.includes(c)),
      ),
      support,
    };
    TP += tp;
    FP += fp;
    FN += fn;
    if (support > 0) macro.push(perCategory[c].f1);
  }
  const clean = items.filter((it) => it.gold.length === 0);
  const microPrecision = ratio(TP, TP + FP);
  const microRecall = ratio(TP, TP + FN);
  return {
    n: items.length,
    microF1: f1Of(microPrecision, microRecall),
    macroF1: macro.length ? macro.reduce((a, b) => a + b, 0) / macro.length : 0,
    microPrecision,
    microRecall,
    cleanFlaggedRate: ratio(clean.filter((it) => it.predicted.length > 0).length, clean.length),
    cleanPosts: clean.length,
    perCategory,
  };
}

/** confusion[gold][predicted]: how often a post with gold label g got predicted label p; `clean` rows/cols for none. */
export function confusion(items: readonly Scored[]): Record<string, Record<string, number>> {
  const keys = [...CATEGORIES, 'clean'];
  const m: Record<string, Record<string, number>> = Object.fromEntries(keys.map((k) => [k, Object.fromEntries(keys.map((j) => [j, 0]))]));
  for (const it of items) {
    const golds = it.gold.length ? it.gold : ['clean'];
    const preds = it.predicted.length ? it.predicted : ['clean'];
    for (const g of golds) for (const p of preds) m[g]![p]! += 1;
  }
  return m;
}
