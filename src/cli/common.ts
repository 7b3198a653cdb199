import { Option, type Command } from 'commander';
import type { Options } from '../options.js';
import { parseFraction, parsePositiveInt } from './main.js';

/** Flags shared by every command that runs the analyzer. */
export function addAnalyzerOptions(cmd: Command): Command {
  return cmd
    .option('--threshold <x>', 'score at or above which a category is a label (all categories)', parseFraction)
    .option('--thresholds <file>', 'per-category thresholds JSON (default models/thresholds.json)')
    .option('--no-model', 'run keyword rules only')
    .option('--model <dir>', 'model folder in the Hugging Face layout (default models/qorgau-tiny)')
    .addOption(new Option('--model-dtype <dtype>', 'model weights').choices(['q8', 'fp32']).default('q8'))
    .option('--rules <dir...>', 'extra rule folders; a file named like a bundled one replaces it')
    .option('--no-rules', 'no keyword rules: the model alone (for comparing the two)')
    .option('--batch-size <n>', 'posts handed to the model at once', parsePositiveInt, 256)
    .option('--concurrency <n>', 'model calls in flight', parsePositiveInt, 1)
    .option('--threads <n>', 'onnxruntime threads per model call', parsePositiveInt, 1)
    .option('--workers <n>', 'worker threads, each with its own rules and model (1 = this thread)', parsePositiveInt, 1)
    .option('--max-length <n>', 'longest post in characters; longer ones become errors', parsePositiveInt, 1_000_000);
}

export interface AnalyzerFlags {
  threshold?: number;
  thresholds?: string;
  model: string | boolean;
  modelDtype: 'q8' | 'fp32';
  rules?: string[] | false;
  batchSize: number;
  concurrency: number;
  threads: number;
  workers: number;
  maxLength: number;
}

export function analyzerOptions(flags: AnalyzerFlags): Options {
  return {
    ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
    ...(flags.thresholds !== undefined ? { thresholdsFile: flags.thresholds } : {}),
    ...(flags.model === false ? { model: false as const } : typeof flags.model === 'string' ? { model: flags.model } : {}),
    modelDtype: flags.modelDtype,
    ...(flags.rules === false ? { rules: false as const } : flags.rules ? { rules: flags.rules } : {}),
    batchSize: flags.batchSize,
    concurrency: flags.concurrency,
    threads: flags.threads,
    workers: flags.workers,
    maxTextLength: flags.maxLength,
  };
}
