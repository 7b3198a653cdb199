import type { Probabilities } from '../model/classifier.js';
import { CATEGORIES, type Category, type CategoryScores } from '../types.js';

const round = (x: number): number => Math.round(x * 10000) / 10000;

/**
 * One score per category from the rule score and, when a model ran, its probability. Until a fusion layer
 * is fitted on the dev split, the stronger of the two signals wins.
 */
export function fuseScores(rules: CategoryScores, model: Probabilities | undefined): CategoryScores {
  return Object.fromEntries(
    CATEGORIES.map((c) => [c, round(Math.max(rules[c], model?.[c] ?? 0))]),
  ) as Record<Category, number>;
}

export function labelsFor(scores: CategoryScores, thresholds: Readonly<Record<Category, number>>): Category[] {
  return CATEGORIES.filter((c) => scores[c] >= thresholds[c]);
}

/**
 * Ranking key: the highest score among the labels (or overall when unlabelled), with a small bonus per extra
 * label so that a post that is both a drug shop and a fraud outranks one that is only a drug shop.
 */
export function priorityOf(scores: CategoryScores, labels: readonly Category[]): number {
  const pool = labels.length > 0 ? labels : CATEGORIES;
  const top = Math.max(...pool.map((c) => scores[c]));
  return round(Math.min(1, top) + 0.01 * Math.max(0, labels.length - 1));
}
