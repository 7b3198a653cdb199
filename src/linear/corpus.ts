import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { QorgauError } from '../errors.js';
import { selectGold, type SelectedGold } from '../eval/gold.js';
import { computeMetrics, type Scored } from '../eval/metrics.js';
import { normalize } from '../normalize/index.js';
import { CATEGORIES, type Category } from '../types.js';
import { DEFAULT_SCHEME } from './features.js';
import { renderCard, type CategoryFigures, type ModelCard } from './card.js';
import { LINEAR_FILE, createScorer, decodeModel, encodeModel } from './model.js';
import { sourceInfo } from './sources.js';
import { trainLinearParallel, type TrainOptions } from './train.js';

export interface TrainCorpusOptions {
  /** Corpus JSONL files (`{id, lang, labels, text, source, split?}`); posts without `split` get one by hash. */
  readonly files: readonly string[];
  /** Folder to write `model.bin`, `card.json` and `README.md` into (created). */
  readonly out: string;
  /** Splits to learn from. Default `['train']`. */
  readonly splits?: readonly string[];
  /** Splits to report metrics on in the card; `[]` for none. Default `['dev']`. */
  readonly devSplits?: readonly string[];
  /** At most this many posts per file, chosen by hash (see `selectGold`). Default all. */
  readonly perFile?: number;
  /** Also learn from machine-labelled (`silver`) rows. Default false. */
  readonly includeSilver?: boolean;
  /** Loss weight per `source` (default 1), e.g. `{written: 3}`. */
  readonly sourceWeights?: Readonly<Record<string, number>>;
  readonly training?: TrainOptions;
  /** Worker threads fitting categories side by side (the model is the same for any number). Default 1. */
  readonly threads?: number;
  /** Phase progress: reading, training (per L-BFGS iteration), scoring dev. */
  readonly onProgress?: (phase: 'read' | 'train' | 'dev', done: number, total: number) => void;
}

function describeFile(file: string): string {
  return isAbsolute(file) ? basename(file) : file;
}

function sourceOf(s: SelectedGold): string {
  return s.g.source ?? basename(s.file).replace(/\.jsonl?$/, '');
}

/**
 * `qorgau train`: reads the corpus, learns the linear model from the chosen splits, scores the dev splits with
 * the quantized model exactly as the analyzer will, and writes the model with its card.
 */
export async function trainFromCorpus(options: TrainCorpusOptions): Promise<{ card: ModelCard; dir: string }> {
  const splits = options.splits ?? ['train'];
  const devSplits = options.devSplits ?? ['dev'];
  const select = { ...(options.perFile !== undefined ? { perFile: options.perFile } : {}), excludeSilver: !options.includeSilver };
  const train = await selectGold(options.files, { ...select, splits });
  if (train.length === 0) {
    throw new QorgauError('bad_options', `No posts to train on in split ${splits.join('/')} of ${options.files.join(', ')}. Check the files and --split.`);
  }
  const weights = options.sourceWeights ?? {};
  for (const [source, w] of Object.entries(weights)) {
    if (!(typeof w === 'number' && Number.isFinite(w) && w > 0)) throw new QorgauError('bad_options', `Expected the weight of source \`${source}\` to be a positive number, got \`${String(w)}\`.`);
  }
  const examples = train.map((s, i) => {
    if (i % 1000 === 0) options.onProgress?.('read', i, train.length);
    return { text: normalize(s.g.text).text, labels: s.g.labels, weight: weights[sourceOf(s)] ?? 1 };
  });
  options.onProgress?.('read', train.length, train.length);
  const maxIterations = options.training?.maxIterations ?? 300;
  const trained = await trainLinearParallel(examples, {
    ...options.training,
    threads: options.threads ?? 1,
    onProgress: (done, total) => options.onProgress?.('train', done, total),
  });
  const bytes = encodeModel(trained.model);
  const dir = resolve(options.out);
  const name = basename(dir);
  // Dev figures come from the file as written, quantization included.
  const scorer = createScorer(decodeModel(bytes, join(dir, LINEAR_FILE), name));
  const dev = devSplits.length ? await selectGold(options.files, { ...select, splits: devSplits }) : [];
  const scored: (Scored & { source: string })[] = dev.map((s, i) => {
    if (i % 1000 === 0) options.onProgress?.('dev', i, dev.length);
    const scores = scorer.score(normalize(s.g.text).text);
    return { gold: s.g.labels, scores, predicted: CATEGORIES.filter((c) => scores[c] >= 0.5), source: sourceOf(s) };
  });

  const bySource = new Map<string, { posts: number; labels: Partial<Record<Category | 'clean', number>> }>();
  for (const s of train) {
    const src = sourceOf(s);
    const entry = bySource.get(src) ?? { posts: 0, labels: {} };
    entry.posts += 1;
    for (const l of s.g.labels.length ? s.g.labels : (['clean'] as const)) entry.labels[l] = (entry.labels[l] ?? 0) + 1;
    bySource.set(src, entry);
  }
  const files = new Map<string, number>();
  for (const s of train) files.set(s.file, (files.get(s.file) ?? 0) + 1);
  const metrics = scored.length ? computeMetrics(scored) : undefined;
  const devSources = [...new Set(scored.map((s) => s.source))].sort();
  const card: ModelCard = {
    name,
    format: 'qorgau-linear 1',
    file: LINEAR_FILE,
    bytes: bytes.length,
    scheme: trained.model.scheme ?? DEFAULT_SCHEME,
    training: {
      splits,
      devSplits,
      ...(options.perFile !== undefined ? { perFile: options.perFile } : {}),
      includeSilver: options.includeSilver === true,
      sourceWeights: weights,
      c: options.training?.c ?? 5,
      minCount: options.training?.minCount ?? 2,
      classWeight: options.training?.classWeight ?? 'balanced',
      maxIterations,
    },
    data: {
      inputs: options.files.map(describeFile),
      posts: train.length,
      files: [...files].map(([file, posts]) => ({ file: describeFile(file), posts })),
      sources: [...bySource]
        .sort((a, b) => b[1].posts - a[1].posts || a[0].localeCompare(b[0]))
        .map(([source, v]) => ({ source, posts: v.posts, labels: v.labels, ...sourceInfo(source) })),
    },
    features: trained.features,
    categories: trained.stats,
    ...(metrics
      ? {
          dev: {
            posts: scored.length,
            threshold: 0.5,
            microF1: metrics.microF1,
            macroF1: metrics.macroF1,
            cleanFlaggedRate: metrics.cleanFlaggedRate,
            cleanPosts: metrics.cleanPosts,
            perCategory: Object.fromEntries(
              CATEGORIES.map((c) => {
                const m = metrics.perCategory[c];
                return [c, { precision: m.precision, recall: m.recall, f1: m.f1, prAuc: m.prAuc, support: m.support }];
              }),
            ) as Record<Category, CategoryFigures>,
            bySource: Object.fromEntries(
              devSources.map((src) => {
                const m = computeMetrics(scored.filter((s) => s.source === src));
                return [src, { posts: m.n, microF1: m.microF1, cleanFlaggedRate: m.cleanFlaggedRate, cleanPosts: m.cleanPosts }];
              }),
            ),
          },
        }
      : {}),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, LINEAR_FILE), bytes);
  writeFileSync(join(dir, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(join(dir, 'README.md'), renderCard(card));
  return { card, dir };
}
