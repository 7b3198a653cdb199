import { InvalidArgumentError, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { CATEGORIES } from '../types.js';
import { parsePositiveInt } from './main.js';

function parseSourceWeight(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^(.+)=([0-9]*\.?[0-9]+)$/.exec(value);
  if (!m || !(Number(m[2]) > 0)) throw new InvalidArgumentError(`Expected source=weight with a positive weight (for example written=3), got \`${value}\`.`);
  return { ...previous, [m[1]!]: Number(m[2]) };
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`Expected a positive number, got \`${value}\`.`);
  return n;
}

function parseBits(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 12 || n > 24) throw new InvalidArgumentError(`Expected an integer from 12 to 24 (log2 of the hash buckets), got \`${value}\`.`);
  return n;
}

const splitList = (value: string): string[] => (value === 'none' ? [] : value.split(',').map((s) => s.trim()).filter(Boolean));

interface TrainFlags {
  output: string;
  split: string;
  devSplit: string;
  perFile?: number;
  includeSilver?: boolean;
  weight?: Record<string, number>;
  c: number;
  bits: number;
  minCount: number;
  maxIterations: number;
  threads?: number;
}

/** A bar on a terminal (cli-progress, loaded only here); nothing when stderr is a file or a pipe. */
async function progressBar(): Promise<{ update(phase: string, done: number, total: number): void; stop(): void }> {
  if (!process.stderr.isTTY || !(process.stderr.columns > 0)) return { update() {}, stop() {} };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'qorgau train [{bar}] {percentage}% {phase}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let phase = '';
  let started = false;
  return {
    update(p, done, total) {
      if (p !== phase) {
        if (started) bar.stop();
        bar.start(total, done, { phase: p });
        started = true;
        phase = p;
      } else bar.update(done, { phase: p });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the linear n-gram model from labelled corpus JSONL and write it with its model card')
    .argument('<corpus...>', 'corpus JSONL files: {id, lang, labels, text, source, split?}; posts without a split get one by hash (70% train, 10% dev, 10% calib, 10% test)')
    .requiredOption('-o, --output <dir>', 'model folder to write (model.bin, card.json, README.md)')
    .option('--split <names>', 'splits to learn from, comma-separated', 'train')
    .option('--dev-split <names>', 'splits for the dev figures in the model card, comma-separated, or none', 'dev')
    .option('--per-file <n>', 'at most n of the posts without a split of their own from each file, chosen by a hash of the text (the same n picks the same posts in calibrate and eval)', parsePositiveInt)
    .option('--include-silver', 'also learn from machine-labelled (silver) rows')
    .option('--weight <source=w>', 'loss weight of the rows of one source (repeatable), e.g. written=3', parseSourceWeight)
    .option('--c <x>', 'inverse L2 strength (as scikit-learn C)', parsePositive, 5)
    .option('--bits <n>', 'log2 of the hash buckets', parseBits, 20)
    .option('--min-count <n>', 'drop features seen in fewer training posts', parsePositiveInt, 2)
    .option('--max-iterations <n>', 'L-BFGS iterations per category at most', parsePositiveInt, 300)
    .option('--threads <n>', 'worker threads fitting categories side by side (the model is the same for any number; default: one per core, at most 4)', parsePositiveInt)
    .action(async (corpus: string[], flags: TrainFlags) => {
      const { trainFromCorpus } = await import('../linear/corpus.js');
      const { DEFAULT_SCHEME } = await import('../linear/features.js');
      const bar = await progressBar();
      const started = performance.now();
      let result: Awaited<ReturnType<typeof trainFromCorpus>>;
      try {
        result = await trainFromCorpus({
          files: corpus,
          out: flags.output,
          splits: splitList(flags.split),
          devSplits: splitList(flags.devSplit),
          ...(flags.perFile !== undefined ? { perFile: flags.perFile } : {}),
          includeSilver: flags.includeSilver === true,
          sourceWeights: flags.weight ?? {},
          threads: flags.threads ?? Math.min(4, availableParallelism()),
          training: { c: flags.c, minCount: flags.minCount, maxIterations: flags.maxIterations, scheme: { ...DEFAULT_SCHEME, bits: flags.bits } },
          onProgress: (phase, done, total) => bar.update(phase === 'read' ? 'reading and normalizing' : phase === 'train' ? 'training' : 'scoring dev', done, total),
        });
      } finally {
        bar.stop();
      }
      const { card, dir } = result;
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(
        `qorgau: trained on ${card.data.posts} posts (${card.data.sources.map((s) => `${s.source} ${s.posts}`).join(', ')}) in ${secs} s; ${card.features.kept} features; wrote ${dir} (${(card.bytes / 1e6).toFixed(2)} MB)\n`,
      );
      if (card.dev) {
        const d = card.dev;
        process.stderr.write(`qorgau: dev (${d.posts} posts, at 0.5): micro F1 ${d.microF1.toFixed(3)}, macro F1 ${d.macroF1.toFixed(3)}, clean flagged ${(d.cleanFlaggedRate * 100).toFixed(1)}% of ${d.cleanPosts}\n`);
        for (const c of CATEGORIES) {
          const x = d.perCategory[c];
          process.stderr.write(`  ${c.padEnd(14)} P ${x.precision.toFixed(2)} R ${x.recall.toFixed(2)} F1 ${x.f1.toFixed(2)} PR-AUC ${x.prAuc.toFixed(2)}  support ${x.support}\n`);
        }
      }
      process.stderr.write(`qorgau: next: qorgau calibrate <corpus...> --split calib --linear ${flags.output}\n`);
    });
}
