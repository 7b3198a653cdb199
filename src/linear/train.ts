import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PACKAGE_ROOT } from '../paths.js';
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

/** The training matrix: CSR over the kept features (compacted to 0…dim−1), with the bucket of each. */
export interface TrainMatrix {
  readonly rows: number;
  readonly dim: number;
  readonly rowPtr: Int32Array;
  readonly cols: Int32Array;
  readonly vals: Float32Array;
  readonly keptBuckets: Int32Array;
  readonly seen: number;
}

/** Features of every example, pruned to buckets seen in at least `minCount` examples. */
export function buildMatrix(examples: readonly TrainExample[], scheme: FeatureScheme, minCount: number, share = false): TrainMatrix {
  const fx = new FeatureExtractor(scheme);
  const buckets = 1 << scheme.bits;
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
  const compact = new Int32Array(buckets).fill(-1);
  const kept: number[] = [];
  let seen = 0;
  for (let b = 0; b < buckets; b += 1) {
    if (df[b]! > 0) seen += 1;
    if (df[b]! >= minCount) {
      compact[b] = kept.length;
      kept.push(b);
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
  // Exact-size copies, in shared memory when worker threads fit categories over the same matrix.
  const ints = (a: Int32Array, n: number): Int32Array => {
    const out = share ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n);
    out.set(a.subarray(0, n));
    return out;
  };
  const floats = (a: Float32Array, n: number): Float32Array => {
    const out = share ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
    out.set(a.subarray(0, n));
    return out;
  };
  return {
    rows: examples.length,
    dim: kept.length,
    rowPtr: ints(rowPtr, rowPtr.length),
    cols: ints(cols, w),
    vals: floats(vals, w),
    keptBuckets: Int32Array.from(kept),
    seen,
  };
}

/** What fitting one category needs besides the matrix. */
export interface CategoryTask {
  /** 1 where the example has the category. */
  readonly y: Uint8Array;
  /** Each example's own weight (before class weighting). */
  readonly weights: Float64Array;
  readonly c: number;
  readonly classWeight: 'balanced' | 'sqrt' | 'none';
  readonly maxIterations: number;
  readonly tolerance?: number;
  readonly memory?: number;
}

/** Fits one category's regression: the kept features' weights, then the bias. */
export function fitCategory(m: TrainMatrix, task: CategoryTask, onIteration?: (iteration: number, value: number) => void): { x: Float64Array; iterations: number; converged: boolean; positives: number } {
  const { rowPtr, cols, vals, dim } = m;
  const n = m.rows;
  const { y } = task;
  let positives = 0;
  let sumPos = 0;
  let sumNeg = 0;
  for (let i = 0; i < n; i += 1) {
    if (y[i]) {
      positives += 1;
      sumPos += task.weights[i]!;
    } else sumNeg += task.weights[i]!;
  }
  if (positives === 0) {
    // Nothing to learn: weights 0, a bias that never fires.
    const x = new Float64Array(dim + 1);
    x[dim] = -10;
    return { x, iterations: 0, converged: true, positives };
  }
  const total = sumPos + sumNeg;
  const cw = (share: number): number => {
    if (task.classWeight === 'none' || share === 0) return 1;
    const balanced = total / (2 * share);
    return task.classWeight === 'balanced' ? balanced : Math.sqrt(balanced);
  };
  const cwPos = cw(sumPos);
  const cwNeg = cw(sumNeg);
  const sw = new Float64Array(n);
  let S = 0;
  for (let i = 0; i < n; i += 1) {
    sw[i] = task.weights[i]! * (y[i] ? cwPos : cwNeg);
    S += sw[i]!;
  }
  // The loss is divided by its total weight S (numerical range), so the penalty is 1/(C·S).
  for (let i = 0; i < n; i += 1) sw[i]! /= S;
  const l2 = 1 / (task.c * S);
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
  const result = minimize(objective, new Float64Array(dim + 1), {
    maxIterations: task.maxIterations,
    ...(task.memory !== undefined ? { memory: task.memory } : {}),
    ...(task.tolerance !== undefined ? { tolerance: task.tolerance } : {}),
    ...(onIteration ? { onIteration } : {}),
  });
  return { x: result.x, iterations: result.iterations, converged: result.converged, positives };
}

function tasksFor(examples: readonly TrainExample[], options: TrainOptions): CategoryTask[] {
  const weights = Float64Array.from(examples, (e) => e.weight ?? 1);
  return CATEGORIES.map((cat) => ({
    y: Uint8Array.from(examples, (e) => (e.labels.includes(cat) ? 1 : 0)),
    weights,
    c: options.c ?? 5,
    classWeight: options.classWeight ?? 'balanced',
    maxIterations: options.maxIterations ?? 300,
    ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
    ...(options.memory !== undefined ? { memory: options.memory } : {}),
  }));
}

function assemble(m: TrainMatrix, scheme: FeatureScheme, fits: readonly { x: Float64Array; iterations: number; converged: boolean; positives: number }[]): TrainedLinear {
  const K = CATEGORIES.length;
  const weights = new Float64Array((1 << scheme.bits) * K);
  const bias = new Float64Array(K);
  const stats = {} as Record<Category, { positives: number; iterations: number; converged: boolean }>;
  fits.forEach((f, c) => {
    for (let j = 0; j < m.dim; j += 1) weights[m.keptBuckets[j]! * K + c] = f.x[j]!;
    bias[c] = f.x[m.dim]!;
    stats[CATEGORIES[c]!] = { positives: f.positives, iterations: f.iterations, converged: f.converged };
  });
  const { q, scale } = quantize(weights, K);
  return { model: { scheme, categories: CATEGORIES, weights: q, scale, bias }, stats, features: { kept: m.dim, seen: m.seen, nonZeros: m.cols.length } };
}

/**
 * Trains one class-weighted, L2-regularized logistic regression per category over the hashed n-gram features,
 * with L-BFGS, on this thread. Deterministic: the same examples in the same order give the same model, bit
 * for bit. (Fitting all nine as one objective reads each feature's nine weights at once, but took longer:
 * the joint problem needed three times a single category's iterations on nine times the vector.)
 */
export function trainLinear(examples: readonly TrainExample[], options: TrainOptions = {}): TrainedLinear {
  const scheme = options.scheme ?? DEFAULT_SCHEME;
  const m = buildMatrix(examples, scheme, options.minCount ?? 2);
  const maxIterations = options.maxIterations ?? 300;
  const budget = CATEGORIES.length * maxIterations;
  const fits = tasksFor(examples, options).map((task, c) => {
    const fit = fitCategory(m, task, (it, value) => options.onProgress?.(c * maxIterations + it, budget, value));
    options.onProgress?.((c + 1) * maxIterations, budget, 0);
    return fit;
  });
  return assemble(m, scheme, fits);
}

// Compiled JS even when the caller runs the TypeScript sources (vitest): `npm test` builds dist first.
export const TRAIN_WORKER_SCRIPT = join(PACKAGE_ROOT, 'dist', 'linear', 'train-worker.js');

/**
 * The same training with the categories shared out to `threads` worker threads over one shared matrix: the
 * same model bytes as `trainLinear` (each category's fit is independent and runs the same arithmetic), in
 * about 1/threads of the time on an idle machine. Falls back to this thread when threads is 1 or the
 * compiled worker is missing.
 */
export async function trainLinearParallel(examples: readonly TrainExample[], options: TrainOptions & { threads?: number } = {}): Promise<TrainedLinear> {
  const threads = Math.max(1, Math.min(options.threads ?? 1, CATEGORIES.length));
  if (threads === 1 || !existsSync(TRAIN_WORKER_SCRIPT)) return trainLinear(examples, options);
  const scheme = options.scheme ?? DEFAULT_SCHEME;
  const m = buildMatrix(examples, scheme, options.minCount ?? 2, true);
  const tasks = tasksFor(examples, options);
  const maxIterations = options.maxIterations ?? 300;
  const budget = CATEGORIES.length * maxIterations;
  const progress = new Array<number>(CATEGORIES.length).fill(0);
  const report = (): void => options.onProgress?.(progress.reduce((a, b) => a + b, 0), budget, 0);
  const fits = new Array<{ x: Float64Array; iterations: number; converged: boolean; positives: number }>(CATEGORIES.length);
  let next = 0;
  const run = async (): Promise<void> => {
    const worker = new Worker(TRAIN_WORKER_SCRIPT, { workerData: { matrix: m } });
    try {
      for (;;) {
        const c = next++;
        if (c >= CATEGORIES.length) break;
        fits[c] = await new Promise((resolve, reject) => {
          const onExit = (code: number): void => reject(new Error(`A training worker thread stopped (exit code ${code}) while fitting ${CATEGORIES[c]}; try --threads 1.`));
          const done = (): void => {
            worker.off('message', onMessage);
            worker.off('error', reject);
            worker.off('exit', onExit);
          };
          const onMessage = (msg: { type: 'iteration'; iteration: number } | { type: 'done'; fit: (typeof fits)[number] }): void => {
            if (msg.type === 'iteration') {
              progress[c] = msg.iteration;
              report();
              return;
            }
            done();
            progress[c] = maxIterations;
            report();
            resolve(msg.fit);
          };
          worker.on('message', onMessage);
          worker.on('error', reject);
          worker.on('exit', onExit);
          worker.postMessage({ task: tasks[c] });
        });
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: threads }, run));
  return assemble(m, scheme, fits);
}
