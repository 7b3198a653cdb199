import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import type { Options } from '../options.js';
import { parseFraction, parsePositiveInt } from './main.js';

/** `--workers auto`: one per core (at most 8) for inputs large enough to repay starting them, else 1. */
export const AUTO_WORKERS_MIN_BYTES = 4_000_000;

function parseWorkers(value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : parsePositiveInt(value);
}

/**
 * Resolves `--workers auto`: each worker loads its own rules and model (about half a second), so they pay off
 * only on inputs of a few MB or more; stdin is taken as large because its size is unknown.
 */
export function resolveWorkers(workers: number | 'auto', inputBytes: number | 'unknown'): number {
  if (workers !== 'auto') return workers;
  if (inputBytes !== 'unknown' && inputBytes < AUTO_WORKERS_MIN_BYTES) return 1;
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** Flags shared by every command that runs the analyzer; `scan` defaults to `--workers auto`. */
export function addAnalyzerOptions(cmd: Command, defaults: { workers?: number | 'auto' } = {}): Command {
  return cmd
    .option('--threshold <x>', 'score at or above which a category is a label (all categories)', parseFraction)
    .option('--thresholds <file>', 'per-category thresholds JSON (default models/thresholds.json)')
    .option('--no-model', 'no transformer: keyword rules only (plus the linear model if --linear names one)')
    .option('--model <dir>', 'model folder in the Hugging Face layout (default models/qorgau-tiny)')
    .addOption(new Option('--model-dtype <dtype>', 'model weights').choices(['q8', 'fp32']).default('q8'))
    .option('--linear <dir>', 'linear n-gram model folder written by qorgau train (default models/qorgau-linear with the bundled model)')
    .option('--no-linear', 'do not run the linear n-gram model')
    // Repeated, not variadic: a variadic option would swallow the texts and inputs that follow it.
    .option('--rules <dir>', 'extra rule folder (repeat for more); a file named like a bundled one replaces it', collect)
    .option('--no-rules', 'no keyword rules: the model alone (for comparing the two)')
    .option('--batch-size <n>', 'posts handed to the model at once', parsePositiveInt, 256)
    .option('--concurrency <n>', 'model calls in flight', parsePositiveInt, 1)
    .option('--threads <n>', 'onnxruntime threads per model call', parsePositiveInt, 1)
    .option(
      '--workers <n>',
      `worker threads, each with its own rules and model (1 = this thread; auto = one per core for inputs over ${AUTO_WORKERS_MIN_BYTES / 1e6} MB or stdin)`,
      parseWorkers,
      defaults.workers ?? 1,
    )
    .option('--max-length <n>', 'longest post in characters; longer ones become errors', parsePositiveInt, 1_000_000)
    .option('--post-timeout <ms>', 'time budget per post in milliseconds; a post over it becomes a scoring_timeout error', parsePositiveInt, 10_000);
}

function collect(value: string, previous: string[] | boolean | undefined): string[] {
  return [...(Array.isArray(previous) ? previous : []), value];
}

export interface AnalyzerFlags {
  threshold?: number;
  thresholds?: string;
  model: string | boolean;
  linear?: string | boolean;
  modelDtype: 'q8' | 'fp32';
  rules?: string[] | false;
  batchSize: number;
  concurrency: number;
  threads: number;
  workers: number | 'auto';
  maxLength: number;
  postTimeout: number;
}

export function analyzerOptions(flags: AnalyzerFlags, inputBytes: number | 'unknown' = 'unknown'): Options {
  return {
    ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
    ...(flags.thresholds !== undefined ? { thresholdsFile: flags.thresholds } : {}),
    ...(flags.model === false ? { model: false as const } : typeof flags.model === 'string' ? { model: flags.model } : {}),
    ...(flags.linear === false ? { linear: false as const } : typeof flags.linear === 'string' ? { linear: flags.linear } : {}),
    modelDtype: flags.modelDtype,
    ...(flags.rules === false ? { rules: false as const } : flags.rules ? { rules: flags.rules } : {}),
    batchSize: flags.batchSize,
    concurrency: flags.concurrency,
    threads: flags.threads,
    workers: resolveWorkers(flags.workers, inputBytes),
    maxTextLength: flags.maxLength,
    postTimeout: flags.postTimeout,
  };
}
