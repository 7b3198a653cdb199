import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
import { applyFusion, readFusion, type FusionModel } from './score/fusion.js';
import type { LinearScorer } from './linear/model.js';
import { toOriginalSpan } from './normalize/index.js';
import { findContacts } from './tokenize/contacts.js';
import { startWorkers, type AnalyzerCore } from './worker-pool.js';
import type { Category, CategoryScores, ErrorRecord, Evidence, Language, NormalizedText, Output, Post, Result, Warning } from './types.js';
import { isErrorRecord } from './types.js';

export interface Analyzer {
  /** Scores one text or post. Throws QorgauError for input that cannot be scored (empty, too long). */
  analyze(input: string | Post): Promise<Result>;
  /** Scores a stream in input order: every input record yields exactly one Result or ErrorRecord. */
  analyzeStream(input: AsyncIterable<Post | ErrorRecord> | Iterable<Post | ErrorRecord>): AsyncGenerator<Output>;
  /** What is running: rule count, model name or null for rules-only, linear model name or null. */
  readonly info: { readonly rules: number; readonly model: string | null; readonly linear?: string | null };
  close(): Promise<void>;
}

interface Prepared {
  readonly post: Post;
  readonly normalized: NormalizedText;
  readonly lang: Language;
  readonly rules: RuleOutcome;
  /** The linear model's probabilities, when it runs. */
  readonly linear?: Probabilities;
}

/** Thrown between the steps of scoring one post once its time budget is spent. */
function checkBudget(deadline: number, budget: number): void {
  if (performance.now() > deadline) {
    throw new QorgauError('scoring_timeout', `Scoring the post took more than ${budget / 1000} s (postTimeout); it was stopped and the run went on. Raise --post-timeout if such posts are expected.`);
  }
}

function prepare(post: Post, rules: RuleSet, budget: number, linear: LinearScorer | undefined): Prepared {
  // Every step is linear in the text (npm run bench:pathological); the checks bound what a slow machine or an
  // unforeseen input costs, between steps and between rule patterns.
  const deadline = performance.now() + budget;
  const normalized = normalize(post.text);
  checkBudget(deadline, budget);
  const lang = detectLanguage(normalized.text).lang;
  checkBudget(deadline, budget);
  const matched = matchRules(rules, normalized, () => checkBudget(deadline, budget));
  checkBudget(deadline, budget);
  return { post, normalized, lang, rules: matched, ...(linear ? { linear: linear.score(normalized.text) } : {}) };
}

const maxOf = (a: CategoryScores, b: Probabilities): CategoryScores =>
  Object.fromEntries(Object.entries(a).map(([c, x]) => [c, Math.max(x, b[c as Category] ?? 0)])) as Record<Category, number>;

function combine(rules: CategoryScores, model: Probabilities | undefined, linear: Probabilities | undefined, fusion: FusionModel | undefined): CategoryScores {
  if (fusion?.version === 3) return applyFusion(fusion, rules, model ?? {}, linear);
  // Without a layer fitted for the linear model, the stronger signal wins between it and the rest.
  const rest = !model ? fuseScores(rules, undefined) : fusion ? applyFusion(fusion, rules, model) : fuseScores(rules, model);
  return linear ? fuseScores(maxOf(rest, linear), undefined) : rest;
}

interface Decided {
  readonly scores: CategoryScores;
  readonly labels: Category[];
}

function decide(p: Prepared, model: Probabilities | undefined, opts: ResolvedOptions, fusion: FusionModel | undefined): Decided {
  const scores = combine(p.rules.scores, model, p.linear, fusion);
  return { scores, labels: labelsFor(scores, opts.thresholds) };
}

function toResult(p: Prepared, model: Probabilities | undefined, { scores, labels }: Decided, opts: ResolvedOptions, extra: readonly Evidence[] = []): Result {
  const { post } = p;
  return {
    id: post.id,
    lang: p.lang,
    labels,
    scores,
    priority: priorityOf(scores, labels),
    evidence: extra.length ? [...p.rules.evidence, ...extra] : p.rules.evidence,
    contacts: findContacts(post.text),
    text: post.text,
    ...(post.source !== undefined ? { source: post.source } : {}),
    ...(post.line !== undefined ? { line: post.line } : {}),
    ...(Object.keys(post.meta).length > 0 ? { meta: post.meta } : {}),
    ...(warningsOf(post).length > 0 ? { warnings: warningsOf(post) } : {}),
    ...(opts.keepComponents ? { components: { rules: p.rules.scores, ...(model ? { model } : {}), ...(p.linear ? { linear: p.linear } : {}) } } : {}),
  };
}

/** The reader's warnings, plus `bad_encoding` for replacement characters however they came (a JSON \ufffd, a CSV). */
function warningsOf(post: Post): readonly Warning[] {
  const own = post.warnings ?? [];
  return post.text.includes('\uFFFD') && !own.includes('bad_encoding') ? [...own, 'bad_encoding'] : own;
}

/** Sentence spans of a normalized text: the unit a model-only flag is explained by. */
function sentences(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const re = /[^.!?\n…]+[.!?\n…]*/g;
  for (const m of text.matchAll(re)) {
    const trimmed = m[0].trim();
    if (trimmed.length < 3) continue;
    const start = m.index + m[0].indexOf(trimmed);
    out.push({ start, end: start + trimmed.length });
  }
  return out;
}

function failed(post: Post, error: unknown): ErrorRecord {
  if (error instanceof QorgauError && error.code === 'scoring_timeout') return errorRecord(post.source ?? 'input', post.line ?? 0, 'scoring_timeout', error.message, post.id);
  return errorRecord(post.source ?? 'input', post.line ?? 0, 'scoring_failed', `Could not score the post: ${describeError(error)}`, post.id);
}

/** Internal: what the worker thread watches (which post is being prepared), so the pool can blame the right one. */
export interface InProcessHooks {
  onPrepare?(index: number, post: Post): void;
}

/**
 * Loads rules and (unless disabled) the model once; the returned analyzer is reused for every post. With
 * `workers` above 1 each worker thread loads its own and this thread only hands out batches.
 */
export async function createAnalyzer(options: Options = {}): Promise<Analyzer> {
  const opts = resolveOptions(options);
  const core = opts.workers > 1 ? await startWorkers(opts) : await createInProcessAnalyzer(opts);
  return {
    info: core.info,
    analyzeStream: core.analyzeStream,
    close: core.close,
    async analyze(input) {
      const post =
        typeof input === 'string' ? textToPost(input, 'text', 'text', 1, opts.maxTextLength) : textToPost(input.text, input.id, input.source ?? 'input', input.line ?? 1, opts.maxTextLength, input.meta);
      if (isErrorRecord(post)) throw new QorgauError(post.error.code, post.error.message);
      for await (const out of core.analyzeStream([post])) {
        if (isErrorRecord(out)) throw new QorgauError(out.error.code, out.error.message);
        return out;
      }
      throw new QorgauError('scoring_failed', 'The analyzer returned no result.');
    },
  };
}

/** The analyzer on this thread: what `createAnalyzer` runs with `workers: 1` and what each worker thread runs. */
export async function createInProcessAnalyzer(opts: ResolvedOptions, hooks: InProcessHooks = {}): Promise<AnalyzerCore> {
  const rules = loadRules(opts.ruleDirs);
  let classifier: Classifier | undefined = opts.classifier;
  if (!classifier && opts.model !== false) {
    const { loadTransformersClassifier } = await import('./model/transformers.js');
    classifier = await loadTransformersClassifier({ dir: opts.model, dtype: opts.modelDtype, threads: opts.threads });
  }
  let linear: LinearScorer | undefined;
  if (opts.linear !== false) {
    const { createScorer, loadLinearModel } = await import('./linear/model.js');
    linear = createScorer(loadLinearModel(opts.linear));
  }
  if (!classifier && !linear) opts.onNotice('no model loaded: running rules-only (scores come from keyword rules alone).');
  if (opts.uncalibrated) {
    opts.onNotice(`no fusion layer in ${opts.uncalibrated}/fusion.json for ${opts.detectors}: the stronger signal wins and thresholds default to 0.5; fit them with qorgau calibrate <corpus...> --split calib --linear ${opts.uncalibrated}.`);
  }
  const fusion: FusionModel | undefined =
    opts.fusion === false
      ? undefined
      : // A fusion layer belongs to the model it was fitted with: an injected classifier gets none unless given one.
        opts.fusion ?? (!opts.classifier && opts.model !== false && existsSync(join(opts.model, 'fusion.json')) ? readFusion(join(opts.model, 'fusion.json')) : undefined);
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
    // Scores and labels once per post: the explanation step and the result both read them.
    let decided: (Decided | Error)[] = [];
    let extra = new Map<Prepared, Evidence[]>();
    if (modelError === undefined) {
      decided = ready.map((p, i) => {
        try {
          return decide(p, probs?.[i], opts, fusion);
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      });
      if ((probs && classifier) || linear) {
        try {
          extra = await explainModelOnly(classifier && probs ? classifier : undefined, ready, decided, probs);
        } catch (error) {
          modelError = error;
        }
      }
    }
    let k = 0;
    return batch.map((b) => {
      if ('error' in b) return b;
      const i = k++;
      if (modelError !== undefined) return failed(b.post, modelError);
      const d = decided[i]!;
      if (d instanceof Error) return failed(b.post, d);
      try {
        return toResult(b, probs?.[i], d, opts, extra.get(b));
      } catch (error) {
        return failed(b.post, error);
      }
    });
  }

  /**
   * A label no rule explains gets evidence from the model that raised it: the linear model's strongest n-grams
   * (`rule: "model:ngram"`, word spans of the original text; no extra work to speak of) when it did, else the
   * sentence the transformer scores highest (`rule: "model"`; one extra model call, only for such posts).
   * Either way every flag points at text.
   */
  async function explainModelOnly(
    c: Classifier | undefined,
    ready: readonly Prepared[],
    decided: readonly (Decided | Error)[],
    probs: readonly Probabilities[] | undefined,
  ): Promise<Map<Prepared, Evidence[]>> {
    const todo: { p: Prepared; cats: Category[]; spans: { start: number; end: number }[] }[] = [];
    const out = new Map<Prepared, Evidence[]>();
    ready.forEach((p, i) => {
      const d = decided[i];
      if (!d || d instanceof Error) return;
      const unexplained = d.labels.filter((cat) => !p.rules.evidence.some((e) => e.category === cat && (e.weight ?? 1) > 0));
      const bySentence: Category[] = [];
      const evidence: Evidence[] = [];
      for (const cat of unexplained) {
        const ngrams = linear && p.linear && linearLeads(p, probs?.[i], cat) ? linear.explain(p.normalized.text, cat) : [];
        if (ngrams.length === 0) {
          if (c) bySentence.push(cat);
          continue;
        }
        for (const g of ngrams) {
          const span = toOriginalSpan(p.normalized, g.start, g.end);
          evidence.push({ category: cat, rule: 'model:ngram', match: p.post.text.slice(span.start, span.end), start: span.start, end: span.end, weight: Math.round(g.weight * 1000) / 1000 });
        }
      }
      if (evidence.length) out.set(p, evidence);
      if (bySentence.length > 0) todo.push({ p, cats: bySentence, spans: sentences(p.normalized.text) });
    });
    if (todo.length === 0 || !c) return out;
    const texts = todo.flatMap((t) => (t.spans.length > 1 ? t.spans.map((s) => t.p.normalized.text.slice(s.start, s.end)) : []));
    const sentenceProbs = texts.length ? await limit(() => c.classify(texts)) : [];
    let k = 0;
    for (const t of todo) {
      const evidence: Evidence[] = out.get(t.p) ?? [];
      const own = t.spans.length > 1 ? sentenceProbs.slice(k, k + t.spans.length) : [];
      k += own.length;
      for (const cat of t.cats) {
        let best = { start: 0, end: t.p.normalized.text.length };
        let bestP = -1;
        own.forEach((pr, j) => {
          if ((pr[cat] ?? 0) > bestP) {
            bestP = pr[cat] ?? 0;
            best = t.spans[j]!;
          }
        });
        const span = toOriginalSpan(t.p.normalized, best.start, best.end);
        evidence.push({ category: cat, rule: 'model', match: t.p.post.text.slice(span.start, span.end), start: span.start, end: span.end });
      }
      out.set(t.p, evidence);
    }
    return out;
  }

  /**
   * Whether the linear model raised category `cat` of this post: its own probability reaches 0.5, or is above
   * the transformer's (the two are not on one scale, but a flag one of them raises alone has it high).
   */
  function linearLeads(p: Prepared, model: Probabilities | undefined, cat: Category): boolean {
    const lin = p.linear?.[cat] ?? 0;
    return !model || !classifier || lin >= 0.5 || lin >= (model[cat] ?? 0);
  }

  async function* analyzeStream(input: AsyncIterable<Post | ErrorRecord> | Iterable<Post | ErrorRecord>): AsyncGenerator<Output> {
    const inFlight: Promise<Output[]>[] = [];
    let batch: (Prepared | ErrorRecord)[] = [];
    let ready = 0;
    let chars = 0;
    let index = 0;
    for await (const record of input) {
      if (isErrorRecord(record)) {
        batch.push(record);
      } else {
        chars += record.text.length;
        try {
          hooks.onPrepare?.(index, record);
          batch.push(prepare(record, rules, opts.postTimeout, linear));
          ready += 1;
        } catch (error) {
          batch.push(failed(record, error));
        }
      }
      index += 1;
      if (ready >= opts.batchSize || batch.length >= opts.batchSize * 4 || chars >= opts.batchChars) {
        inFlight.push(scoreBatch(batch));
        batch = [];
        ready = 0;
        chars = 0;
        while (inFlight.length >= opts.concurrency) yield* await inFlight.shift()!;
      }
    }
    if (batch.length > 0) inFlight.push(scoreBatch(batch));
    while (inFlight.length > 0) yield* await inFlight.shift()!;
  }

  return {
    info: { rules: rules.rules.length, model: classifier?.name ?? null, linear: linear?.model.name ?? null },
    analyzeStream,
    async close() {
      await classifier?.dispose();
    },
  };
}
