import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { QorgauError, describeError } from '../errors.js';
import { isCategory } from '../types.js';
import type { Classifier, Probabilities } from './classifier.js';
import { loadWordPiece } from './wordpiece.js';

export interface TransformersOptions {
  /** Folder in the Hugging Face layout (config.json, tokenizer files, onnx/model*.onnx). */
  readonly dir: string;
  /** `q8` loads onnx/model_quantized.onnx, `fp32` loads onnx/model.onnx. Default `q8`. */
  readonly dtype?: 'q8' | 'fp32';
  /** onnxruntime intra-op threads. Default 1. */
  readonly threads?: number;
  /** Texts per onnxruntime call, after sorting a batch by length. Default 32. */
  readonly innerBatch?: number;
  /**
   * `auto` (default): our WordPiece encoder where the tokenizer is a BERT WordPiece one, else transformers.js's;
   * `transformers`: always transformers.js's pipeline (the reference the fast path is tested against).
   */
  readonly tokenizer?: 'auto' | 'transformers';
}

const MAX_CHARS = 1000;

/**
 * onnxruntime (1.29+) starts telemetry on Linux when its environment is created: a device id and an event store
 * under ~/.cache/Microsoft/DeveloperTools/, a `mat-debug-<pid>.log` and a `.ses` file in the temp folder, and an
 * uploader. qorgau writes only where the user asked, so it is off unless the user set the variable themselves.
 * The native library reads the process environment, which only the main thread's `process.env` writes: the
 * worker pool calls this before it starts a worker.
 */
export function disableOnnxTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
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
  // transformers.js takes the folder name for a Hub model id and rejects some names with a TypeError.
  const name = basename(dir);
  if (name.includes('--') || name.endsWith('-') || name.startsWith('-')) {
    throw new QorgauError('bad_model', `The model folder name ${name} cannot be loaded: transformers.js reads it as a model id, which may not contain "--" or start or end with "-". Rename the folder.`);
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

/** Label order and output function of a classifier folder, from its config.json (checked by checkModelDir). */
function readHead(dir: string): { labels: string[]; multiLabel: boolean } {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { id2label: Record<string, string>; problem_type?: string };
  const labels = Object.keys(config.id2label)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => config.id2label[k]!);
  // The text-classification pipeline applies sigmoid only for multi-label models and softmax otherwise; so do we.
  return { labels, multiLabel: config.problem_type === 'multi_label_classification' };
}

function toProbabilities(logits: ArrayLike<number>, row: number, labels: readonly string[], multiLabel: boolean): Probabilities {
  const n = labels.length;
  const probs: Partial<Record<string, number>> = {};
  if (multiLabel) {
    for (let j = 0; j < n; j += 1) {
      const label = labels[j]!;
      if (isCategory(label)) probs[label] = 1 / (1 + Math.exp(-logits[row * n + j]!));
    }
  } else {
    let max = -Infinity;
    for (let j = 0; j < n; j += 1) max = Math.max(max, logits[row * n + j]!);
    let sum = 0;
    for (let j = 0; j < n; j += 1) sum += Math.exp(logits[row * n + j]! - max);
    for (let j = 0; j < n; j += 1) {
      const label = labels[j]!;
      if (isCategory(label)) probs[label] = Math.exp(logits[row * n + j]! - max) / sum;
    }
  }
  return probs as Probabilities;
}

/**
 * The transformers.js classifier. This is the only module that imports @huggingface/transformers, and it
 * does so lazily so that rules-only runs never load onnxruntime. For BERT WordPiece tokenizers, the ids come
 * from our own encoder (src/model/wordpiece.ts: the same ids, ~20× faster) and go straight to the model;
 * any other tokenizer goes through transformers.js's text-classification pipeline.
 */
export async function loadTransformersClassifier(options: TransformersOptions): Promise<Classifier> {
  const dir = resolve(options.dir);
  const dtype = options.dtype ?? 'q8';
  checkModelDir(dir, dtype);
  disableOnnxTelemetry();
  const { env, pipeline, AutoModelForSequenceClassification, Tensor } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(dir);
  const loadOptions = {
    local_files_only: true,
    dtype,
    session_options: { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 },
  };
  const encoder = options.tokenizer === 'transformers' ? null : loadWordPiece(dir);
  const { labels, multiLabel } = readHead(dir);
  let runChunk: (texts: string[]) => Promise<Probabilities[]>;
  let dispose: () => Promise<void>;
  try {
    if (encoder) {
      const model = await AutoModelForSequenceClassification.from_pretrained(basename(dir), loadOptions as never);
      runChunk = async (texts) => {
        const batch = encoder.encodeBatch(texts);
        const dims = [batch.rows, batch.cols];
        const out = (await model({
          input_ids: new Tensor('int64', batch.ids, dims),
          attention_mask: new Tensor('int64', batch.attentionMask, dims),
          token_type_ids: new Tensor('int64', batch.tokenTypeIds, dims),
        })) as { logits: { data: ArrayLike<number>; dims: readonly number[] } };
        if (out.logits.dims[1] !== labels.length) {
          throw new QorgauError('bad_model', `${dir}: the model gives ${out.logits.dims[1]} logits but config.json names ${labels.length} labels.`);
        }
        return texts.map((_, row) => toProbabilities(out.logits.data, row, labels, multiLabel));
      };
      dispose = async () => {
        await model.dispose();
      };
    } else {
      const classifier = await pipeline('text-classification', basename(dir), loadOptions as Parameters<typeof pipeline>[2]);
      const run = classifier as unknown as (texts: string[], opts: { top_k: null }) => Promise<unknown>;
      runChunk = async (texts) => {
        const raw = (await run(texts, { top_k: null })) as unknown;
        // One text gives a flat list of {label, score}; several give a list per text.
        const lists = (texts.length === 1 && Array.isArray(raw) && !Array.isArray(raw[0]) ? [raw] : raw) as Array<Array<{ label: string; score: number }>>;
        return lists.map((list) => {
          const probs: Partial<Record<string, number>> = {};
          for (const { label, score } of list) if (isCategory(label)) probs[label] = score;
          return probs as Probabilities;
        });
      };
      dispose = async () => {
        await (classifier as unknown as { dispose?: () => Promise<void> }).dispose?.();
      };
    }
  } catch (error) {
    if (error instanceof QorgauError) throw error;
    throw new QorgauError('bad_model', `Could not load the model in ${dir}: ${describeError(error)}`, { cause: error });
  }
  const inner = options.innerBatch ?? 32;
  return {
    name: `${basename(dir)} (${dtype})`,
    async classify(texts) {
      if (texts.length === 0) return [];
      // Padding follows the longest text of a chunk: chunks of similar length waste the least work (~2.7×
      // faster on real posts than input order). The tokenizer reads the whole string before truncating, so
      // only the head of a long post is handed over; the model sees at most its first 64 tokens anyway.
      const cut = texts.map((t) => (t.length > MAX_CHARS ? t.slice(0, MAX_CHARS) : t));
      const order = cut.map((t, i) => i).sort((a, b) => cut[a]!.length - cut[b]!.length);
      const out: Probabilities[] = new Array(texts.length);
      for (let k = 0; k < order.length; k += inner) {
        const idx = order.slice(k, k + inner);
        const probs = await runChunk(idx.map((i) => cut[i]!));
        idx.forEach((i, j) => {
          out[i] = probs[j]!;
        });
      }
      return out;
    },
    dispose,
  };
}

/**
 * Raw logits for texts, in the config's label order: for checking an export against the reference logits
 * stored next to it, and for debugging. Loads the model for this call only.
 */
export async function modelLogits(dir: string, dtype: 'q8' | 'fp32', texts: readonly string[]): Promise<{ labels: string[]; logits: number[][] }> {
  const abs = resolve(dir);
  checkModelDir(abs, dtype);
  const { env, AutoTokenizer, AutoModelForSequenceClassification } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = dirname(abs);
  const name = basename(abs);
  const tokenizer = await AutoTokenizer.from_pretrained(name, { local_files_only: true });
  const model = await AutoModelForSequenceClassification.from_pretrained(name, {
    local_files_only: true,
    dtype,
    session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
  } as never);
  const { labels } = readHead(abs);
  const logits: number[][] = [];
  try {
    for (const text of texts) {
      const enc = tokenizer(text, { truncation: true, padding: true });
      const out = (await model(enc)) as { logits: { data: ArrayLike<number> } };
      logits.push(Array.from(out.logits.data));
    }
  } finally {
    await model.dispose();
  }
  return { labels, logits };
}
