import { createWriteStream, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { QorgauError } from '../errors.js';
import { INPUT_FORMATS, type InputFormat } from '../ingest/readers.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/index.js';
import { scan, type ScanSummary } from '../scan.js';
import { CATEGORIES } from '../types.js';
import { addAnalyzerOptions, analyzerOptions, type AnalyzerFlags } from './common.js';
import { UsageError, parsePositiveInt } from './main.js';

interface ScanFlags extends AnalyzerFlags {
  output?: string;
  format: OutputFormat;
  all?: boolean;
  top?: number;
  inputFormat?: InputFormat;
  textField: string;
  idField: string;
  errors?: string;
  progress: boolean;
  cluster: boolean;
  title?: string;
}

function openSink(path: string | undefined): Writable {
  return path === undefined || path === '-' ? process.stdout : createWriteStream(path);
}

async function closeSink(sink: Writable): Promise<void> {
  if (sink === process.stdout) return;
  sink.end();
  await once(sink, 'finish');
}

export function formatSummary(s: ScanSummary): string {
  const cats = CATEGORIES.filter((c) => s.perCategory[c] > 0).map((c) => `${c} ${s.perCategory[c]}`);
  const errs = Object.entries(s.errorsByCode).map(([k, v]) => `${k} ${v}`);
  return [
    `qorgau: ${s.records} records read, ${s.results} posts scored, ${s.candidates} candidates${cats.length ? ` (${cats.join(', ')})` : ''}`,
    ...(s.clusters !== undefined ? [`qorgau: ${s.candidates} candidates in ${s.clusters} near-duplicate clusters`] : []),
    `qorgau: ${s.errors} errors${errs.length ? ` (${errs.join(', ')})` : ''}`,
    `qorgau: ${s.seconds.toFixed(2)} s, ${Math.round(s.postsPerSecond)} posts/s, ${s.model ? `model ${s.model}` : s.linear ? 'no transformer' : 'rules-only'}${s.linear ? `, linear ${s.linear}` : ''}${s.workers > 1 ? `, ${s.workers} worker threads` : ''}`,
  ].join('\n');
}

export function registerScan(program: Command): void {
  const cmd = program
    .command('scan')
    .description('score posts from files (JSONL, CSV/TSV, plain text, Telegram export result.json; - for stdin)')
    .argument('<inputs...>', 'input files, or - for stdin')
    .option('-o, --output <file>', 'write results here (default stdout)')
    .addOption(new Option('--format <format>', 'output format').choices([...OUTPUT_FORMATS]).default('jsonl'))
    .option('--all', 'write every post in input order, not only candidates sorted by priority')
    .option('--top <n>', 'keep only the N highest-priority candidates', parsePositiveInt)
    .addOption(new Option('--input-format <format>', 'input format (default: from the extension)').choices([...INPUT_FORMATS]))
    .option('--text-field <field>', 'text field or column in JSONL/CSV', 'text')
    .option('--id-field <field>', 'id field or column in JSONL/CSV', 'id')
    .option('--errors <file>', 'write error records here instead of into the output')
    .option('--no-progress', 'no progress line on stderr')
    .option('--no-cluster', 'do not group near-duplicate candidates (no cluster/clusterSize fields)')
    .option('--title <title>', 'page title with --format html');
  addAnalyzerOptions(cmd, { workers: 'auto' }).action(async (inputs: string[], flags: ScanFlags) => {
    let inputBytes: number | 'unknown' = 0;
    for (const path of inputs) {
      if (path === '-') {
        inputBytes = 'unknown';
        continue;
      }
      if (!existsSync(path)) throw new QorgauError('unreadable_file', `Input file ${path} does not exist. Check the path, or use - for stdin.`);
      const stat = statSync(path);
      if (stat.isDirectory()) throw new UsageError(`${path} is a folder; pass the files in it (for example ${path}/*.jsonl).`);
      if (inputBytes !== 'unknown') inputBytes += stat.size;
    }
    const out = openSink(flags.output);
    const errors = flags.errors ? openSink(flags.errors) : undefined;
    const showProgress = flags.progress && process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0;
    const summary = await scan({
      ...analyzerOptions(flags, inputBytes),
      inputs: inputs.map((path) => ({
        path,
        ...(flags.inputFormat ? { format: flags.inputFormat } : {}),
        textField: flags.textField,
        idField: flags.idField,
        maxTextLength: flags.maxLength,
      })),
      out,
      ...(errors ? { errors } : {}),
      format: flags.format,
      ...(flags.all ? { all: true } : {}),
      ...(flags.top !== undefined ? { top: flags.top } : {}),
      cluster: flags.cluster,
      ...(flags.title !== undefined ? { title: flags.title } : {}),
      ...(showProgress
        ? {
            onProgress: (s: ScanSummary) =>
              process.stderr.write(`\r\x1b[Kqorgau: ${s.records} read · ${s.candidates} candidates · ${s.errors} errors · ${Math.round(s.postsPerSecond)} posts/s`),
          }
        : {}),
    });
    if (showProgress) process.stderr.write('\r\x1b[K');
    await closeSink(out);
    if (errors) await closeSink(errors);
    process.stderr.write(`${formatSummary(summary)}\n`);
  });
}
