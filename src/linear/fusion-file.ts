import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QorgauError, describeError } from '../errors.js';
import { checkStack, type StackFusion } from '../score/fusion.js';
import { CATEGORIES, isCategory, type Category } from '../types.js';

/**
 * `<linear>/fusion.json`: the version 3 fusion layers and thresholds fitted (by `qorgau calibrate`) for this
 * linear model, one entry per set of detectors that ran (`rules+model+linear`, `rules+linear`, `linear`, …):
 * the scores of a run without the transformer are on another scale, so each set has its own layer and
 * thresholds, like `models/thresholds.json` keeps `thresholds` and `rulesOnly` apart.
 */
export interface LinearFusionEntry {
  readonly fusion: StackFusion;
  readonly thresholds: Readonly<Record<Category, number>>;
  readonly fitted?: Readonly<Record<string, unknown>>;
}

export interface LinearFusionFile {
  readonly version: 3;
  readonly modes: Readonly<Record<string, LinearFusionEntry>>;
}

export const LINEAR_FUSION_FILE = 'fusion.json';

/** The key of a set of detectors, in a fixed order. */
export function detectorKey(d: { rules: boolean; model: boolean; linear: boolean }): string {
  return [d.rules ? 'rules' : '', d.model ? 'model' : '', d.linear ? 'linear' : ''].filter(Boolean).join('+');
}

export function readLinearFusion(dir: string): LinearFusionFile | undefined {
  const path = join(dir, LINEAR_FUSION_FILE);
  if (!existsSync(path)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new QorgauError('bad_model', `Could not read the fusion layers ${path}: ${describeError(error)}. Refit them with qorgau calibrate --linear ${dir}.`, { cause: error });
  }
  const f = data as Partial<LinearFusionFile>;
  if (f?.version !== 3 || f.modes === null || typeof f.modes !== 'object') {
    throw new QorgauError('bad_model', `${path}: expected {version: 3, modes: {"rules+model+linear": {fusion, thresholds}, …}}. Refit it with qorgau calibrate --linear ${dir}.`);
  }
  for (const [key, entry] of Object.entries(f.modes)) {
    checkStack(entry?.fusion, `${path} (${key})`);
    const t = entry.thresholds as Record<string, unknown> | undefined;
    const ok = t !== undefined && t !== null && CATEGORIES.every((c) => typeof t[c] === 'number' && (t[c] as number) >= 0 && (t[c] as number) <= 1) && Object.keys(t).every(isCategory);
    if (!ok) throw new QorgauError('bad_model', `${path} (${key}): expected thresholds {category: number from 0 to 1} for all nine categories. Refit it with qorgau calibrate --linear ${dir}.`);
  }
  return f as LinearFusionFile;
}

/** Writes one entry, keeping the entries of other detector sets. */
export function writeLinearFusion(dir: string, key: string, entry: LinearFusionEntry): string {
  const path = join(dir, LINEAR_FUSION_FILE);
  let previous: LinearFusionFile | undefined;
  try {
    previous = readLinearFusion(dir);
  } catch {
    previous = undefined;
  }
  const file: LinearFusionFile = { version: 3, modes: { ...(previous?.modes ?? {}), [key]: entry } };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}
