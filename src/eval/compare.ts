import type { Options } from '../options.js';
import { BUNDLED_LINEAR_DIR } from '../paths.js';
import { evaluate, fitThresholds, scoreGold, type EvalReport } from './index.js';

/**
 * The detector configurations the evaluation tables compare: each detector alone, the previous default
 * (rules + transformer) and the shipped fusion of all three. `fit`: thresholds fitted (best F1) on a fit split,
 * as a detector alone has none shipped; the others use what a scan uses by default.
 */
export interface Column {
  readonly key: string;
  readonly title: string;
  readonly short: string;
  readonly options: Options;
  readonly fit?: boolean;
  /** Runs the linear model (the bundled one unless another is named). */
  readonly linear?: boolean;
}

export const COLUMNS: readonly Column[] = [
  { key: 'rules', title: 'rules only', short: 'rules only', options: { model: false, linear: false } },
  { key: 'linear', title: 'linear only (best-F1 thresholds)', short: 'linear only', options: { model: false, rules: false, fusion: false }, fit: true, linear: true },
  { key: 'model', title: 'transformer only (best-F1 thresholds)', short: 'transformer only', options: { rules: false, linear: false, fusion: false }, fit: true },
  { key: 'previous', title: 'rules + transformer (v2, precision 0.9 target)', short: 'rules + transformer', options: { linear: false } },
  { key: 'fused', title: 'fused: rules + transformer + linear (shipped)', short: 'fused (shipped)', options: {} },
];

export interface CompareOptions {
  readonly gold: readonly string[];
  readonly split: string;
  /** Files whose `fitSplit` the fitted columns' thresholds come from. Default: `gold`. */
  readonly fitGold?: readonly string[];
  readonly fitSplit?: string;
  readonly perFile?: number;
  /** Linear model folder for the columns that run it. Default: the bundled one. */
  readonly linear?: string;
  readonly columns?: readonly Column[];
  readonly excludeSilver?: boolean;
}

// Best-F1 thresholds of the fitted columns by column and fit set, fitted once per process.
const fitted = new Map<string, Awaited<ReturnType<typeof fitThresholds>>['thresholds']>();

/** Scores every column on `gold` (split `split`): one EvalReport per column key. */
export async function compareDetectors(options: CompareOptions): Promise<Record<string, EvalReport>> {
  const runs: Record<string, EvalReport> = {};
  const fitGold = options.fitGold ?? options.gold;
  const fitSplit = options.fitSplit ?? 'calib';
  const common: Options & { perFile?: number; excludeSilver?: boolean } = {
    onNotice: () => {},
    ...(options.perFile !== undefined ? { perFile: options.perFile } : {}),
    ...(options.excludeSilver !== undefined ? { excludeSilver: options.excludeSilver } : {}),
  };
  for (const col of options.columns ?? COLUMNS) {
    const opts = { ...col.options, ...(col.linear ? { linear: options.linear ?? BUNDLED_LINEAR_DIR } : {}), ...common };
    let threshold;
    if (col.fit) {
      const key = JSON.stringify([col.key, fitGold, fitSplit, options.perFile, options.linear]);
      if (!fitted.has(key)) fitted.set(key, fitThresholds((await scoreGold({ gold: fitGold, splits: [fitSplit], ...opts })).items, 'f1').thresholds);
      threshold = fitted.get(key);
    }
    runs[col.key] = await evaluate({ gold: options.gold, splits: [options.split], ...opts, ...(threshold ? { threshold } : {}) });
  }
  return runs;
}
