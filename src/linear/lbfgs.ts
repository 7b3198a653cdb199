/**
 * Limited-memory BFGS for smooth convex objectives (Nocedal & Wright, algorithm 7.4 and 7.5), with a
 * backtracking line search on the Armijo condition. Small on purpose: the linear model's logistic losses are
 * convex and smooth, and no maintained npm package minimizes over a million sparse parameters. Deterministic:
 * the same objective and start give the same iterates.
 */
export interface LbfgsOptions {
  /** Correction pairs kept. Default 10. */
  readonly memory?: number;
  readonly maxIterations?: number;
  /** Stop when the objective's relative decrease over one iteration falls below this. Default 1e-7. */
  readonly tolerance?: number;
  /** Stop when the largest gradient component falls below this. Default 1e-7. */
  readonly gradientTolerance?: number;
  readonly onIteration?: (iteration: number, value: number) => void;
}

/** `evaluate(x, grad)` writes the gradient at x into grad and returns the objective. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
}

type Vec = Float64Array | Float32Array;

function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += a[i]! * b[i]!;
  return s;
}

export function minimize(evaluate: Objective, start: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const m = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-7;
  const gradientTolerance = options.gradientTolerance ?? 1e-7;
  const n = start.length;
  let x = Float64Array.from(start);
  let g = new Float64Array(n);
  let f = evaluate(x, g);
  // Correction pairs are stored as float32: half the memory (they are the bulk of it), and they only shape the
  // search direction, whose every step is still checked on the float64 objective.
  const s: Float32Array[] = [];
  const y: Float32Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  let iterations = 0;
  let converged = false;
  const maxAbs = (v: Float64Array): number => {
    let mx = 0;
    for (let i = 0; i < v.length; i += 1) mx = Math.max(mx, Math.abs(v[i]!));
    return mx;
  };
  if (maxAbs(g) < gradientTolerance) return { x, value: f, iterations, converged: true };
  while (iterations < maxIterations) {
    // Two-loop recursion: d = −H·g.
    for (let i = 0; i < n; i += 1) d[i] = -g[i]!;
    for (let j = s.length - 1; j >= 0; j -= 1) {
      alpha[j] = rho[j]! * dot(s[j]!, d);
      const yj = y[j]!;
      const a = alpha[j]!;
      for (let i = 0; i < n; i += 1) d[i]! -= a * yj[i]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!);
      for (let i = 0; i < n; i += 1) d[i]! *= gamma;
    } else {
      // First step: a unit-length move along the steepest descent.
      const norm = Math.sqrt(dot(d, d));
      for (let i = 0; i < n; i += 1) d[i]! /= norm;
    }
    for (let j = 0; j < s.length; j += 1) {
      const beta = rho[j]! * dot(y[j]!, d);
      const sj = s[j]!;
      const k = alpha[j]! - beta;
      for (let i = 0; i < n; i += 1) d[i]! += k * sj[i]!;
    }
    let slope = dot(g, d);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      s.length = 0;
      y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i += 1) d[i] = -g[i]!;
      slope = dot(g, d);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 40; tries += 1) {
      for (let i = 0; i < n; i += 1) xNew[i] = x[i]! + step * d[i]!;
      fNew = evaluate(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    iterations += 1;
    if (!(fNew <= f)) break; // no decrease found: x is as good as this search gets
    // Once the memory is full, the oldest pair goes and its arrays take the new one.
    let sk: Float32Array;
    let yk: Float32Array;
    if (s.length === m) {
      sk = s.shift()!;
      yk = y.shift()!;
      rho.shift();
    } else {
      sk = new Float32Array(n);
      yk = new Float32Array(n);
    }
    for (let i = 0; i < n; i += 1) {
      sk[i] = xNew[i]! - x[i]!;
      yk[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    const decrease = (f - fNew) / Math.max(1, Math.abs(fNew));
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    options.onIteration?.(iterations, f);
    if (decrease < tolerance || maxAbs(g) < gradientTolerance) {
      converged = true;
      break;
    }
  }
  return { x, value: f, iterations, converged };
}
