import pLimit from 'p-limit';
import { QorgauError, describeError } from './errors.js';
import { errorRecord, textToPost } from './ingest/records.js';
import { detectLanguage } from './lang/index.js';
import type { Classifier, Probabilities } from './model/classifier.js';
import { normalize } from './normalize/index.js';
import { resolveOptions, type Options, type ResolvedOptions } from './options.js';
import { loadRules } from './rules/load.js';
import { matchRules, type RuleOutcome } from './rules/match.js';
import type { RuleSet } from './rules/types.js';
import { fuseScores, labelsFor, priorityOf } from './score/index.js';
import { findContacts } from './tokenize/contacts.js';
import type { ErrorRecord, Language, NormalizedText, Output, Post, Result } from './types.js';
import { isErrorRecord } from './types.js';

export interface Analyzer {
  /** Scores one text or post. Throws QorgauError for input that cannot be scored (empty, too long). */
  analyze(input: string | Post): Promise<Result>;
  /** Scores a stream in input order: every input record yields exactly one Result or ErrorRecord. */
  analyzeStream(input: AsyncIterable<Post | ErrorRecord> | Iterable<Post | ErrorRecord>): AsyncGenerator<Output>;
  /** What is running: rule count, model name or null for rules-only. */
  readonly info: { readonly rules: number; readonly model: string | null };
  close(): Promise<void>;
}

interface Prepared {
  readonly post: Post;
  readonly normalized: NormalizedText;
  readonly lang: Language;
  readonly rules: RuleOutcome;
}

function prepare(post: Post, rules: RuleSet): Prepared {
  const normalized = normalize(post.text);
  return { post, normalized, lang: detectLanguage(normalized.text).lang, rules: matchRules(rules, normalized) };
}

function toResult(p: Prepared, model: Probabilities | undefined, opts: ResolvedOptions): Result {
  const scores = fuseScores(p.rules.scores, model);
  const labels = labelsFor(scores, opts.thresholds);
  const { post } = p;
  return {
    id: post.id,
    lang: p.lang,
    labels,
    scores,
    priority: priorityOf(scores, labels),
    evidence: p.rules.evidence,
    contacts: findContacts(post.text),
    text: post.text,
    ...(post.source !== undefined ? { source: post.source } : {}),
    ...(post.line !== undefined ? { line: post.line } : {}),
    ...(Object.keys(post.meta).length > 0 ? { meta: post.meta } : {}),
  };
}

function failed(post: Post, error: unknown): ErrorRecord {
  return errorRecord(post.source ?? 'input', post.line ?? 0, 'scoring_failed', `Could not score the post: ${describeError(error)}`, post.id);
}

/** Loads rules and (unless disabled) the model once; the returned analyzer is reused for every post. */
export async function createAnalyzer(options: Options = {}): Promise<Analyzer> {
  const opts = resolveOptions(options);
  const rules = loadRules(opts.ruleDirs);
  let classifier: Classifier | undefined = opts.classifier;
  if (!classifier && opts.model !== false) {
    const { loadTransformersClassifier } = await import('./model/transformers.js');
    classifier = await loadTransformersClassifier({ dir: opts.model, dtype: opts.modelDtype, threads: opts.threads });
  }
  if (!classifier) opts.onNotice('no model loaded: running rules-only (scores come from keyword rules alone).');
  const limit = pLimit(opts.concurrency);

  async function scoreBatch(batch: readonly (Prepared | ErrorRecord)[]): Promise<Output[]> {
    const ready = batch.filter((b): b is Prepared => !('error' in b));
    let probs: readonly Probabilities[] | undefined;
    let modelError: unknown;
    if (classifier && ready.length > 0) {
      const c = classifier;
      try {
        probs = await limit(() => c.classify(ready.map((p) => p.normalized.text)));
      } catch (error) {
        modelError = error;
      }
    }
    let k = 0;
    return batch.map((b) => {
      if ('error' in b) return b;
      const i = k++;
      if (modelError !== undefined) return failed(b.post, modelError);
      try {
        return toResult(b, probs?.[i], opts);
      } catch (error) {
        return failed(b.post, error);
      }
    });
  }

  async function* analyzeStream(input: AsyncIterable<Post | ErrorRecord> | Iterable<Post | ErrorRecord>): AsyncGenerator<Output> {
    const inFlight: Promise<Output[]>[] = [];
    let batch: (Prepared | ErrorRecord)[] = [];
    let ready = 0;
    for await (const record of input) {
      if (isErrorRecord(record)) {
        batch.push(record);
      } else {
        try {
          batch.push(prepare(record, rules));
          ready += 1;
        } catch (error) {
          batch.push(failed(record, error));
        }
      }
      if (ready >= opts.batchSize || batch.length >= opts.batchSize * 4) {
        inFlight.push(scoreBatch(batch));
        batch = [];
        ready = 0;
        while (inFlight.length >= opts.concurrency) yield* await inFlight.shift()!;
      }
    }
    if (batch.length > 0) inFlight.push(scoreBatch(batch));
    while (inFlight.length > 0) yield* await inFlight.shift()!;
  }

  return {
    info: { rules: rules.rules.length, model: classifier?.name ?? null },
    analyzeStream,
    async analyze(input) {
      const post =
        typeof input === 'string' ? textToPost(input, 'text', 'text', 1, opts.maxTextLength) : textToPost(input.text, input.id, input.source ?? 'input', input.line ?? 1, opts.maxTextLength, input.meta);
      if (isErrorRecord(post)) throw new QorgauError(post.error.code, post.error.message);
      for await (const out of analyzeStream([post])) {
        if (isErrorRecord(out)) throw new QorgauError(out.error.code, out.error.message);
        return out;
      }
      throw new QorgauError('scoring_failed', 'The analyzer returned no result.');
    },
    async close() {
      await classifier?.dispose();
    },
  };
}
