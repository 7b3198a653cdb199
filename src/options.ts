import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { QorgauError, describeError } from './errors.js';
import type { Classifier } from './model/classifier.js';
import type { FusionModel } from './score/fusion.js';
import { detectorKey, readLinearFusion } from './linear/fusion-file.js';
import { BUNDLED_LINEAR_DIR, BUNDLED_MODEL_DIR, BUNDLED_RULES_DIR, BUNDLED_THRESHOLDS } from './paths.js';
import { CATEGORIES, isCategory, type Category } from './types.js';

/** Everything the analyzer can be told. Every field is optional; defaults are documented per field. */
export interface Options {
  /**
   * Score at or above which a category becomes a label: one number for all categories or one per category.
   * Default: the per-category values in `thresholdsFile`, else 0.5.
   */
  readonly threshold?: number | Readonly<Partial<Record<Category, number>>>;
  /** JSON file `{category: threshold}` written by `qorgau calibrate`. Default `models/thresholds.json` when present. */
  readonly thresholdsFile?: string;
  /** Model folder to load; `false` runs rules only. Default: the bundled `models/qorgau-tiny` when present. */
  readonly model?: string | false;
  /**
   * Linear n-gram model folder (written by `qorgau train`); `false` = off. Default: the bundled
   * `models/qorgau-linear` when the bundled transformer runs; off for rules-only runs, another `model` folder
   * and an injected `classifier` unless named here.
   */
  readonly linear?: string | false;
  /** An already-built classifier (tests, custom models); takes precedence over `model`. */
  readonly classifier?: Classifier;
  /** `q8` (int8, default) or `fp32` model weights. */
  readonly modelDtype?: 'q8' | 'fp32';
  /** Extra rule folders; a file with a bundled file's name replaces it; `false` = no rules at all (the model alone). Default none. */
  readonly rules?: readonly string[] | false;
  /** Posts handed to the model at once (sorted by length inside into chunks of 32). Default 256. */
  readonly batchSize?: number;
  /**
   * A batch also closes once its posts hold this many characters, so that long posts cannot put gigabytes in
   * flight (4 batches of 256 posts of 1,000,000 characters would be 2 GB). Default 2,000,000.
   */
  readonly batchChars?: number;
  /** Model calls in flight at once. Default 1. */
  readonly concurrency?: number;
  /** onnxruntime threads per model call. Default 1. */
  readonly threads?: number;
  /**
   * Worker threads that each run their own analyzer (rules + model): normalization, rules and the tokenizer
   * run on the main thread otherwise and cap one process well below what the cores can score. 1 = in-process.
   * Not with `classifier` (a function cannot be sent to a worker). Default 1.
   */
  readonly workers?: number;
  /** Longest post accepted, in characters; longer posts become `text_too_long` errors. Default 1,000,000. */
  readonly maxTextLength?: number;
  /**
   * Time budget per post in milliseconds: a post still being scored after it becomes a `scoring_timeout` error
   * record and the run goes on. Checked between the steps of scoring; with `workers` above 1 a worker still busy
   * with one post after twice the budget is stopped and replaced. Default 10,000.
   */
  readonly postTimeout?: number;
  /** Fusion layer over rule and model scores; `false` = the stronger signal wins. Default: `<model>/fusion.json` when present. */
  readonly fusion?: FusionModel | false;
  /** Add `components: {rules, model}` (the scores before fusion) to each result, for fitting and debugging. Default false. */
  readonly keepComponents?: boolean;
  /** Called once with notes for the user (for example "running rules-only"). Default: write to stderr. */
  readonly onNotice?: (message: string) => void;
}

export interface ResolvedOptions {
  readonly thresholds: Readonly<Record<Category, number>>;
  readonly model: string | false;
  readonly linear: string | false;
  /** The detectors that run, as `<linear>/fusion.json` keys them: `rules+model+linear`, `rules+linear`, … */
  readonly detectors: string;
  readonly classifier?: Classifier;
  readonly modelDtype: 'q8' | 'fp32';
  readonly ruleDirs: readonly string[];
  readonly batchSize: number;
  readonly batchChars: number;
  readonly concurrency: number;
  readonly threads: number;
  readonly workers: number;
  readonly maxTextLength: number;
  readonly postTimeout: number;
  readonly onNotice: (message: string) => void;
  readonly fusion?: FusionModel | false;
  readonly keepComponents: boolean;
  /** Set when the linear model runs but `<linear>/fusion.json` has no layer for these detectors. */
  readonly uncalibrated?: string;
}

function show(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function expectFraction(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new QorgauError('bad_options', `Expected \`${name}\` to be a number from 0 to 1, got \`${show(value)}\`.`);
  }
  return value;
}

function expectInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new QorgauError('bad_options', `Expected \`${name}\` to be an integer from ${min} to ${max}, got \`${show(value)}\`.`);
  }
  return value;
}

/**
 * Reads a thresholds file: `{category: number}`, or as `qorgau calibrate` writes it, `{thresholds: {…}}` for
 * runs with a model (fused scores) and `{rulesOnly: {…}}` for runs without one: the two score scales differ,
 * so each mode has its own thresholds.
 */
export function readThresholdsFile(path: string, mode: 'model' | 'rules' | { readonly detectors: string; readonly fallback: 'model' | 'rules' } = 'model'): Partial<Record<Category, number>> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new QorgauError('bad_options', `Could not read thresholds from ${path}: ${describeError(error)}`, { cause: error });
  }
  if (data === null || typeof data !== 'object') throw new QorgauError('bad_options', `${path}: expected an object {category: threshold}.`);
  const file = data as { thresholds?: unknown; rulesOnly?: unknown; fitted?: unknown; modes?: Record<string, { thresholds?: unknown }> };
  // A linear model's fusion file (`{version: 3, modes}`) also names thresholds per set of detectors.
  const byMode = typeof mode === 'object' ? file.modes?.[mode.detectors]?.thresholds : undefined;
  const simple = typeof mode === 'object' ? mode.fallback : mode;
  const calibrated = 'thresholds' in file || 'rulesOnly' in file || 'modes' in file;
  const obj = byMode ?? (calibrated ? (simple === 'rules' ? file.rulesOnly : file.thresholds) ?? {} : data);
  if (obj === null || typeof obj !== 'object') throw new QorgauError('bad_options', `${path}: expected an object {category: threshold}.`);
  const out: Partial<Record<Category, number>> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (!isCategory(key)) throw new QorgauError('bad_options', `${path}: unknown category \`${key}\`; expected one of ${CATEGORIES.join(', ')}.`);
    out[key] = expectFraction(`thresholds.${key}`, value);
  }
  return out;
}

export function resolveOptions(options: Options = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new QorgauError('bad_options', `Expected options to be an object, got \`${show(options)}\`.`);
  const model = options.model ?? (existsSync(BUNDLED_MODEL_DIR) ? BUNDLED_MODEL_DIR : false);
  const mode = options.classifier || model !== false ? 'model' : 'rules';
  if (options.linear !== undefined && options.linear !== false && (typeof options.linear !== 'string' || options.linear.length === 0)) {
    throw new QorgauError('bad_options', `Expected \`linear\` to be a folder path or false, got \`${show(options.linear)}\`.`);
  }
  // The bundled linear model and its fusion were fitted beside the bundled transformer: on by default with it only.
  const withBundledModel = !options.classifier && model !== false && resolve(model) === resolve(BUNDLED_MODEL_DIR);
  const linear = options.linear ?? (withBundledModel && existsSync(BUNDLED_LINEAR_DIR) ? BUNDLED_LINEAR_DIR : false);
  const detectors = detectorKey({ rules: options.rules !== false, model: mode === 'model', linear: linear !== false });
  // With the linear model, fusion and thresholds come together from its fusion.json, fitted for these detectors.
  const entry = linear !== false ? readLinearFusion(linear)?.modes[detectors] : undefined;
  // The bundled thresholds were fitted for the bundled model (and for rules-only runs): another model or an
  // injected classifier starts from 0.5 unless told otherwise.
  const bundledApplies = !options.classifier && (model === false || resolve(model) === resolve(BUNDLED_MODEL_DIR));
  const fileThresholds =
    options.thresholdsFile !== undefined
      ? readThresholdsFile(options.thresholdsFile, linear !== false ? { detectors, fallback: mode } : mode)
      : linear !== false
        ? entry?.thresholds ?? {}
        : bundledApplies && existsSync(BUNDLED_THRESHOLDS)
        ? readThresholdsFile(BUNDLED_THRESHOLDS, mode)
        : {};
  const thresholds = Object.fromEntries(CATEGORIES.map((c) => [c, fileThresholds[c] ?? 0.5])) as Record<Category, number>;
  if (typeof options.threshold === 'number' || (options.threshold !== undefined && typeof options.threshold !== 'object')) {
    const t = expectFraction('threshold', options.threshold);
    for (const c of CATEGORIES) thresholds[c] = t;
  } else if (options.threshold) {
    for (const [key, value] of Object.entries(options.threshold)) {
      if (!isCategory(key)) throw new QorgauError('bad_options', `Expected \`threshold\` keys to be categories (${CATEGORIES.join(', ')}), got \`${key}\`.`);
      thresholds[key] = expectFraction(`threshold.${key}`, value);
    }
  }
  if (options.model !== undefined && options.model !== false && (typeof options.model !== 'string' || options.model.length === 0)) {
    throw new QorgauError('bad_options', `Expected \`model\` to be a folder path or false, got \`${show(options.model)}\`.`);
  }
  if (options.modelDtype !== undefined && options.modelDtype !== 'q8' && options.modelDtype !== 'fp32') {
    throw new QorgauError('bad_options', `Expected \`modelDtype\` to be "q8" or "fp32", got \`${show(options.modelDtype)}\`.`);
  }
  const rules = options.rules === false ? [] : options.rules ?? [];
  if (!Array.isArray(rules) || rules.some((r) => typeof r !== 'string')) {
    throw new QorgauError('bad_options', `Expected \`rules\` to be a list of folder paths, got \`${show(options.rules)}\`.`);
  }
  const workers = expectInteger('workers', options.workers ?? 1, 1, 64);
  if (workers > 1 && options.classifier) {
    throw new QorgauError('bad_options', `Expected \`classifier\` to be unset with \`workers\` above 1: a classifier object cannot be sent to a worker thread. Pass \`model\` (a folder) instead, or workers 1.`);
  }
  return {
    thresholds,
    model,
    linear,
    detectors,
    ...(options.classifier ? { classifier: options.classifier } : {}),
    modelDtype: options.modelDtype ?? 'q8',
    ruleDirs: options.rules === false ? [] : [BUNDLED_RULES_DIR, ...rules],
    batchSize: expectInteger('batchSize', options.batchSize ?? 256, 1, 4096),
    batchChars: expectInteger('batchChars', options.batchChars ?? 2_000_000, 1, 1_000_000_000),
    concurrency: expectInteger('concurrency', options.concurrency ?? 1, 1, 64),
    threads: expectInteger('threads', options.threads ?? 1, 1, 64),
    workers,
    maxTextLength: expectInteger('maxTextLength', options.maxTextLength ?? 1_000_000, 1, 100_000_000),
    postTimeout: expectInteger('postTimeout', options.postTimeout ?? 10_000, 1, 3_600_000),
    onNotice: options.onNotice ?? ((m) => process.stderr.write(`qorgau: ${m}\n`)),
    ...(options.fusion !== undefined ? { fusion: options.fusion } : entry ? { fusion: entry.fusion } : {}),
    keepComponents: options.keepComponents === true,
    ...(linear !== false && !entry && options.fusion === undefined ? { uncalibrated: linear } : {}),
  };
}
