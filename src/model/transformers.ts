import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { QorgauError, describeError } from '../errors.js';
import { isCategory } from '../types.js';
import type { Classifier, Probabilities } from './classifier.js';

export interface TransformersOptions {
  /** Folder in the Hugging Face layout (config.json, tokenizer files, onnx/model*.onnx). */
  readonly dir: string;
  /** `q8` loads onnx/model_quantized.onnx, `fp32` loads onnx/model.onnx. Default `q8`. */
  readonly dtype?: 'q8' | 'fp32';
  /** onnxruntime intra-op threads. Default 1. */
  readonly threads?: number;
}

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** Checks the folder before loading so a wrong path is a clear message, not a stack trace. */
export function checkModelDir(dir: string, dtype: 'q8' | 'fp32'): void {
  const onnx = dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
  const missing = [...REQUIRED, onnx].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw new QorgauError(
      'bad_model',
      `The model folder ${dir} is missing ${missing.join(', ')}. Expected a Hugging Face layout with ${[...REQUIRED, onnx].join(', ')}; pass --model <dir> or --no-model.`,
    );
  }
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  } catch (error) {
    throw new QorgauError('bad_model', `${join(dir, 'config.json')} is not valid JSON: ${describeError(error)}`, { cause: error });
  }
  const id2label = (config as { id2label?: Record<string, string> }).id2label;
  if (!id2label || !Object.values(id2label).some(isCategory)) {
    throw new QorgauError('bad_model', `${join(dir, 'config.json')}: expected id2label to name qorgau categories (drugs, cyberbullying, …).`);
  }
}

/**
 * The transformers.js classifier. This is the only module that imports @huggingface/transformers, and it
 * does so lazily so that rules-only runs never load onnxruntime.
 */
export async function loadTransformersClassifier(options: TransformersOptions): Promise<Classifier> {
  const dir = resolve(options.dir);
  const dtype = options.dtype ?? 'q8';
  checkModelDir(dir, dtype);
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(dir);
  let classifier: Awaited<ReturnType<typeof pipeline>>;
  try {
    classifier = await pipeline('text-classification', basename(dir), {
      local_files_only: true,
      dtype,
      session_options: { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 },
    } as Parameters<typeof pipeline>[2]);
  } catch (error) {
    throw new QorgauError('bad_model', `Could not load the model in ${dir}: ${describeError(error)}`, { cause: error });
  }
  const run = classifier as unknown as (texts: string[], opts: { top_k: null }) => Promise<unknown>;
  return {
    name: `${basename(dir)} (${dtype})`,
    async classify(texts) {
      if (texts.length === 0) return [];
      const raw = (await run([...texts], { top_k: null })) as unknown;
      // One text gives a flat list of {label, score}; several give a list per text.
      const lists = (texts.length === 1 && Array.isArray(raw) && !Array.isArray(raw[0]) ? [raw] : raw) as Array<
        Array<{ label: string; score: number }>
      >;
      return lists.map((list) => {
        const probs: Partial<Record<string, number>> = {};
        for (const { label, score } of list) if (isCategory(label)) probs[label] = score;
        return probs as Probabilities;
      });
    },
    async dispose() {
      await (classifier as unknown as { dispose?: () => Promise<void> }).dispose?.();
    },
  };
}
