import { CATEGORIES, type Category } from '../types.js';
import { DEFAULT_SCHEME, FeatureExtractor, type FeatureScheme } from './features.js';
import { minimize } from './lbfgs.js';
import { quantize, type LinearModel } from './model.js';

/** One training example: a NORMALIZED text (what the analyzer scores), its labels and a weight. */
export interface TrainExample {
  readonly text: string;
  readonly labels: readonly Category[];
  /** Multiplies the example's loss. Default 1. */
  readonly weight?: number;
}

export interface TrainOptions {
  readonly scheme?: FeatureScheme;
  /**
   * Inverse L2 strength, as scikit-learn's `C`: minimizes `C·Σ wᵢ·lossᵢ + ½‖w‖²` (class weights averaging 1), so
   * adding examples does not regularize the ones already there more strongly. Default 5.
   */
  readonly c?: number;
  readonly tolerance?: number;
  /** Buckets seen in fewer training examples are dropped: single-example features mostly memorize. Default 2. */
  readonly minCount?: number;
  readonly maxIterations?: number;
  /**
   * Positives and negatives of each category weigh the same in total (`balanced`), or as counted (`none`);
   * `sqrt` is in between. Default `balanced`.
   */
  readonly classWeight?: 'balanced' | 'sqrt' | 'none';
  /** L-BFGS correction pairs kept. Default 10. */
  readonly memory?: number;
  /** Progress over all categories: iterations done (a category that converges early counts as its limit), of the total limit. */
  readonly onProgress?: (done: number, total: number, value: number) => void;
}

export interface TrainedLinear {
  readonly model: Omit<LinearModel, 'name'>;
  /** Per category: positives, L-BFGS iterations, whether it stopped by its tolerance (not the limit). */
  readonly stats: Readonly<Record<Category, { positives: number; iterations: number; converged: boolean }>>;
  readonly features: { readonly kept: number; readonly seen: number; readonly nonZeros: number };
}

const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Trains one class-weighted, L2-regularized logistic regression per category over the hashed n-gram features,
 * with L-BFGS. Deterministic: the same examples in the same order give the same model, bit for bit.
 */
export function trainLinear(examples: readonly TrainExample[], options: TrainOptions = {}): TrainedLinear {
  const scheme = options.scheme ?? DEFAULT_SCHEME;
  const C = options.c ?? 5;
  const minCount = options.minCount ?? 2;
  const maxIterations = options.maxIterations ?? 300;
  const fx = new FeatureExtractor(scheme);
  const buckets = 1 << scheme.bits;

  // Features of every example as CSR (buckets for now), and each bucket's document frequency.
  const rowPtr = new Int32Array(examples.length + 1);
  let cols = new Int32Array(1 << 20);
  let vals = new Float32Array(1 << 20);
  const df = new Int32Array(buckets);
  let nnz = 0;
  examples.forEach((ex, i) => {
    fx.extract(ex.text);
    if (nnz + fx.count > cols.length) {
      let size = cols.length * 2;
      while (size < nnz + fx.count) size *= 2;
      const c = new Int32Array(size);
      c.set(cols.subarray(0, nnz));
      cols = c;
      const v = new Float32Array(size);
      v.set(vals.subarray(0, nnz));
      vals = v;
    }
    for (let j = 0; j < fx.count; j += 1) {
      cols[nnz + j] = fx.idx[j]!;
      vals[nnz + j] = fx.val[j]!;
      df[fx.idx[j]!]! += 1;
    }
    nnz += fx.count;
    rowPtr[i + 1] = nnz;
  });

  // Compact the kept buckets into 0…kept−1 and drop the rest from the matrix.
  const compact = new Int32Array(buckets).fill(-1);
  const keptBuckets: number[] = [];
  let seen = 0;
  for (let b = 0; b < buckets; b += 1) {
    if (df[b]! > 0) seen += 1;
    if (df[b]! >= minCount) {
      compact[b] = keptBuckets.length;
      keptBuckets.push(b);
    }
  }
  let w = 0;
  for (let i = 0; i < examples.length; i += 1) {
    const from = rowPtr[i]!;
    const to = rowPtr[i + 1]!;
    rowPtr[i] = w;
    for (let j = from; j < to; j += 1) {
      const c = compact[cols[j]!]!;
      if (c >= 0) {
        cols[w] = c;
        vals[w] = vals[j]!;
        w += 1;
      }
    }
  }
  rowPtr[examples.length] = w;
  nnz = w;
  const dim = keptBuckets.length;
  const n = examples.length;

  // One regression per category, each over the same matrix. (Fitting all nine as one objective reads each
  // feature's nine weights at once, but took more time: the joint problem needs three times the iterations of
  // a single category and every iteration works on nine times the vector.)
  const K = CATEGORIES.length;
  const mode = options.classWeight ?? 'balanced';
  const weights = new Float64Array(buckets * K);
  const bias = new Float64Array(K);
  const stats = {} as Record<Category, { positives: number; iterations: number; converged: boolean }>;
  const y = new Uint8Array(n);
  const sw = new Float64Array(n);
  let iterationsDone = 0;
  const budget = K * maxIterations;
  CATEGORIES.forEach((cat, c) => {
    let positives = 0;
    let sumPos = 0;
    let sumNeg = 0;
    for (let i = 0; i < n; i += 1) {
      const isPos = examples[i]!.labels.includes(cat);
      y[i] = isPos ? 1 : 0;
      const wi = examples[i]!.weight ?? 1;
      if (isPos) {
        positives += 1;
        sumPos += wi;
      } else sumNeg += wi;
    }
    const total = sumPos + sumNeg;
    const cw = (share: number): number => {
      if (mode === 'none' || share === 0) return 1;
      const balanced = total / (2 * share);
      return mode === 'balanced' ? balanced : Math.sqrt(balanced);
    };
    const cwPos = cw(sumPos);
    const cwNeg = cw(sumNeg);
    let S = 0;
    for (let i = 0; i < n; i += 1) {
      sw[i] = (examples[i]!.weight ?? 1) * (y[i] ? cwPos : cwNeg);
      S += sw[i]!;
    }
    // The loss is divided by its total weight S (numerical range), so the penalty is 1/(C·S).
    for (let i = 0; i < n; i += 1) sw[i]! /= S;
    const l2 = 1 / (C * S);
    // Parameters: the kept features' weights, then the bias (not penalized).
    const objective = (x: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      let loss = 0;
      let gb = 0;
      const b = x[dim]!;
      for (let i = 0; i < n; i += 1) {
        const from = rowPtr[i]!;
        const to = rowPtr[i + 1]!;
        let z = b;
        for (let j = from; j < to; j += 1) z += x[cols[j]!]! * vals[j]!;
        const si = sw[i]!;
        loss += si * (softplus(z) - (y[i] ? z : 0));
        const r = si * (sigmoid(z) - y[i]!);
        gb += r;
        for (let j = from; j < to; j += 1) grad[cols[j]!]! += r * vals[j]!;
      }
      let sq = 0;
      for (let j = 0; j < dim; j += 1) {
        sq += x[j]! * x[j]!;
        grad[j]! += l2 * x[j]!;
      }
      grad[dim] = gb;
      return loss + 0.5 * l2 * sq;
    };
    let x: Float64Array;
    let iterations = 0;
    let converged = true;
    if (positives === 0) {
      // Nothing to learn: weights 0, a bias that never fires.
      x = new Float64Array(dim + 1);
      x[dim] = -10;
    } else {
      const result = minimize(objective, new Float64Array(dim + 1), {
        maxIterations,
        ...(options.memory !== undefined ? { memory: options.memory } : {}),
        ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
        onIteration: (it, value) => options.onProgress?.(iterationsDone + it, budget, value),
      });
      x = result.x;
      iterations = result.iterations;
      converged = result.converged;
    }
    iterationsDone = (c + 1) * maxIterations;
    options.onProgress?.(iterationsDone, budget, 0);
    for (let j = 0; j < dim; j += 1) weights[keptBuckets[j]! * K + c] = x[j]!;
    bias[c] = x[dim]!;
    stats[cat] = { positives, iterations, converged };
  });
  const { q, scale } = quantize(weights, CATEGORIES.length);
  return {
    model: { scheme, categories: CATEGORIES, weights: q, scale, bias },
    stats,
    features: { kept: dim, seen, nonZeros: nnz },
  };
}
