import { readFileSync } from 'node:fs';
import { QorgauError, describeError } from '../errors.js';
import type { Probabilities } from '../model/classifier.js';
import { CATEGORIES, isCategory, type Category, type CategoryScores } from '../types.js';

/**
 * A logistic layer over [logit(model probability), rule score, rule fired] with weights shared by all
 * categories and one bias per category: few parameters, so a small dev split can fit it without overfitting.
 */
export interface FusionModel {
  readonly version: 1;
  readonly weights: { readonly model: number; readonly rule: number; readonly fired: number };
  readonly bias: Readonly<Record<Category, number>>;
  readonly fitted?: Readonly<Record<string, unknown>>;
}

export interface FusionSample {
  readonly category: Category;
  readonly rule: number;
  readonly model: number;
  readonly gold: boolean;
}

const EPS = 1e-4;
const logit = (p: number): number => {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const round = (x: number): number => Math.round(x * 10000) / 10000;

function features(rule: number, model: number): [number, number, number] {
  return [logit(model), rule, rule > 0 ? 1 : 0];
}

export function applyFusion(f: FusionModel, rules: CategoryScores, model: Probabilities): CategoryScores {
  return Object.fromEntries(
    CATEGORIES.map((c) => {
      const [m, r, fired] = features(rules[c], model[c] ?? 0);
      return [c, round(sigmoid(f.bias[c] + f.weights.model * m + f.weights.rule * r + f.weights.fired * fired))];
    }),
  ) as Record<Category, number>;
}

/**
 * Fits the layer by gradient descent on the log-loss with L2 on the weights (not the biases). Deterministic:
 * same samples, same result.
 */
export function fitFusion(samples: readonly FusionSample[], options: { l2?: number; steps?: number; rate?: number } = {}): FusionModel {
  const l2 = options.l2 ?? 0.01;
  const steps = options.steps ?? 3000;
  const rate = options.rate ?? 0.5;
  const w = [1, 1, 0];
  const b = Object.fromEntries(CATEGORIES.map((c) => [c, -2])) as Record<Category, number>;
  const xs = samples.map((s) => features(s.rule, s.model));
  const n = Math.max(1, samples.length);
  const counts = Object.fromEntries(CATEGORIES.map((c) => [c, samples.filter((s) => s.category === c).length || 1])) as Record<Category, number>;
  for (let step = 0; step < steps; step += 1) {
    const gw = [0, 0, 0];
    const gb = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
    samples.forEach((s, i) => {
      const x = xs[i]!;
      const p = sigmoid(b[s.category] + w[0]! * x[0] + w[1]! * x[1] + w[2]! * x[2]);
      const err = p - (s.gold ? 1 : 0);
      for (let k = 0; k < 3; k += 1) gw[k]! += (err * x[k]!) / n;
      gb[s.category] += err / counts[s.category];
    });
    for (let k = 0; k < 3; k += 1) w[k] = w[k]! - rate * (gw[k]! + l2 * w[k]!);
    for (const c of CATEGORIES) b[c] -= rate * gb[c];
  }
  return {
    version: 1,
    weights: { model: round(w[0]!), rule: round(w[1]!), fired: round(w[2]!) },
    bias: Object.fromEntries(CATEGORIES.map((c) => [c, round(b[c])])) as Record<Category, number>,
  };
}

export function readFusion(path: string): FusionModel {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new QorgauError('bad_model', `Could not read the fusion layer ${path}: ${describeError(error)}`, { cause: error });
  }
  const f = data as Partial<FusionModel>;
  const ok =
    f?.version === 1 &&
    typeof f.weights?.model === 'number' &&
    typeof f.weights.rule === 'number' &&
    typeof f.weights.fired === 'number' &&
    f.bias !== undefined &&
    CATEGORIES.every((c) => typeof f.bias![c] === 'number') &&
    Object.keys(f.bias).every(isCategory);
  if (!ok) throw new QorgauError('bad_model', `${path}: expected {version: 1, weights: {model, rule, fired}, bias: {category: number}}. Refit it with qorgau calibrate.`);
  return f as FusionModel;
}
