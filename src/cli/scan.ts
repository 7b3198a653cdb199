import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { QorgauError } from '../errors.js';
import { INPUT_FORMATS, type InputFormat } from '../ingest/readers.js';
import { namedWriteError, openOutputFile, type OutputFile } from '../output/file.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/index.js';
import { BUNDLED_MODEL_DIR, BUNDLED_RULES_DIR, BUNDLED_THRESHOLDS } from '../paths.js';
import { scan, type ScanSummary } from '../scan.js';
import { CATEGORIES } from '../types.js';
import { addAnalyzerOptions, analyzerOptions, type AnalyzerFlags } from './common.js';
import { InvalidArgumentError } from 'commander';
import { UsageError, parsePositiveInt } from './main.js';

function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`Expected a positive number, got \`${value}\`.`);
  return n;
}

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
  resume?: boolean;
  checkpointSeconds: number;
}

function seconds(s: number): string {
  return s >= 100 ? `${Math.round(s)} s` : `${s.toFixed(2)} s`;
}

export function formatSummary(s: ScanSummary): string {
  const cats = CATEGORIES.filter((c) => s.perCategory[c] > 0).map((c) => `${c} ${s.perCategory[c]}`);
  const errs = Object.entries(s.errorsByCode).map(([k, v]) => `${k} ${v}`);
  return [
    `qorgau: ${s.records} records read, ${s.results} posts scored, ${s.candidates} candidates${cats.length ? ` (${cats.join(', ')})` : ''}`,
    ...(s.clusters !== undefined ? [`qorgau: ${s.candidates} candidates in ${s.clusters} near-duplicate clusters`] : []),
    ...(s.listed !== undefined && s.listed < s.candidates
      ? [`qorgau: the page lists the ${s.listed} highest-priority candidates of ${s.candidates}; --top N lists more, the JSONL output (without --format html) has every one`]
      : []),
    `qorgau: ${s.errors} errors${errs.length ? ` (${errs.join(', ')})` : ''}`,
    ...(s.resumed ? [`qorgau: resumed: ${s.resumed} records came from the checkpoint`] : []),
    `qorgau: ${seconds(s.seconds)} wall (${seconds(s.startupSeconds)} start-up: loading rules${s.model ? ' and model' : ''}), ${Math.round(s.postsPerSecond)} posts/s, ${s.model ? `model ${s.model}` : s.linear ? 'no transformer' : 'rules-only'}${s.linear ? `, linear ${s.linear}` : ''}${s.workers > 1 ? `, ${s.workers} worker threads` : ''}`,
  ].join('\n');
}

/** Size and modification time of every file under the folders: what a checkpoint's rules/model version is. */
function folderStamp(dirs: readonly string[]): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    const st = statSync(dir);
    if (!st.isDirectory()) {
      hash.update(`${resolve(dir)}:${st.size}:${st.mtimeMs}\n`);
      return;
    }
    for (const name of readdirSync(dir).sort()) walk(join(dir, name));
  };
  for (const d of dirs) walk(d);
  return hash.digest('hex');
}

/** The work folder of an output file: hidden, next to it, so a resumed run finds it and a rename stays on one disk. */
export function workDirFor(output: string): string {
  return join(dirname(resolve(output)), `.${basename(output)}.qorgau`);
}

export function registerScan(program: Command): void {
  const cmd = program
    .command('scan')
    .description('score posts from files (JSONL, CSV/TSV, plain text, Telegram export result.json; - for stdin)')
    .argument('<inputs...>', 'input files, or - for stdin')
    .option('-o, --output <file>', 'write results here (default stdout)')
    .addOption(new Option('--format <format>', 'output format').choices([...OUTPUT_FORMATS]).default('jsonl'))
    .option('--all', 'write every post in input order, not only candidates sorted by priority')
    .option('--top <n>', 'keep only the N highest-priority candidates (the html page lists 20,000 by default)', parsePositiveInt)
    .addOption(new Option('--input-format <format>', 'input format (default: from the extension)').choices([...INPUT_FORMATS]))
    .option('--text-field <field>', 'text field or column in JSONL/CSV', 'text')
    .option('--id-field <field>', 'id field or column in JSONL/CSV', 'id')
    .option('--errors <file>', 'write error records here instead of into the output')
    .option('--resume', 'continue a run with the same inputs and flags that stopped (killed, interrupted, crashed); needs -o')
    .option('--checkpoint-seconds <n>', 'seconds between checkpoints next to -o (what --resume continues from)', parsePositiveNumber, 30)
    .option('--no-progress', 'no progress bar on stderr')
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
    const toFile = flags.output !== undefined && flags.output !== '-';
    if (toFile && flags.errors && flags.errors !== '-' && resolve(flags.errors) === resolve(flags.output!)) {
      throw new UsageError('--errors and -o name the same file; give the error records their own file, or drop --errors to have them after the results.');
    }
    if (flags.resume && !toFile) throw new UsageError('--resume needs -o <file>: the checkpoint is kept next to the output file.');
    if (flags.resume && inputs.includes('-')) throw new UsageError('--resume needs input files: stdin cannot be read again.');
    const files: OutputFile[] = [];
    const open = (path: string, flag: string): OutputFile => {
      const f = openOutputFile(path, inputs, flag);
      files.push(f);
      return f;
    };
    try {
      const out = toFile ? open(flags.output!, '-o') : undefined;
      const errors = flags.errors && flags.errors !== '-' ? open(flags.errors, '--errors') : undefined;
      const options = analyzerOptions(flags, inputBytes);
      const fingerprint = JSON.stringify({
        version: program.version(),
        folders: folderStamp([BUNDLED_RULES_DIR, ...(flags.rules || []), typeof flags.model === 'string' ? flags.model : BUNDLED_MODEL_DIR, flags.thresholds ?? BUNDLED_THRESHOLDS]),
        threshold: flags.threshold ?? null,
        model: flags.model,
        modelDtype: flags.modelDtype,
        rules: flags.rules ?? null,
        maxLength: flags.maxLength,
        textField: flags.textField,
        idField: flags.idField,
        inputFormat: flags.inputFormat ?? null,
      });

      // Ctrl-C once: stop reading, score what was read, write it; twice: stop at once, write nothing.
      const stop = new AbortController();
      let interrupts = 0;
      const onSigint = (): void => {
        interrupts += 1;
        if (interrupts === 1) {
          process.stderr.write('\nqorgau: interrupted: finishing the posts already read and writing them (Ctrl-C again to quit without writing)\n');
          stop.abort();
          return;
        }
        for (const f of files) f.abort();
        process.stderr.write('qorgau: stopped; nothing was written.\n');
        process.exit(130);
      };
      process.on('SIGINT', onSigint);

      const showProgress = flags.progress && process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0;
      const progress = showProgress ? await startProgress(inputBytes) : undefined;
      let summary: ScanSummary;
      try {
        summary = await scan({
          ...options,
          inputs: inputs.map((path) => ({
            path,
            ...(flags.inputFormat ? { format: flags.inputFormat } : {}),
            textField: flags.textField,
            idField: flags.idField,
            maxTextLength: flags.maxLength,
          })),
          out: out?.stream ?? process.stdout,
          ...(errors ? { errors: errors.stream } : flags.errors === '-' ? { errors: process.stdout } : {}),
          format: flags.format,
          ...(flags.all ? { all: true } : {}),
          ...(flags.top !== undefined ? { top: flags.top } : {}),
          cluster: flags.cluster,
          ...(flags.title !== undefined ? { title: flags.title } : {}),
          startedAt: 0,
          signal: stop.signal,
          ...(out && flags.format !== 'html' && !inputs.includes('-') ? { workDir: workDirFor(flags.output!), fingerprint } : {}),
          ...(flags.resume ? { resume: true } : {}),
          checkpointSeconds: flags.checkpointSeconds,
          ...(progress ? { onProgress: progress.update } : {}),
        });
      } finally {
        progress?.stop();
        process.off('SIGINT', onSigint);
      }
      for (const f of files) await f.commit();
      process.stderr.write(`${formatSummary(summary)}\n`);
      if (summary.interrupted) {
        const left =
          summary.unreadRecords !== undefined
            ? `about ${summary.unreadRecords} records (${(summary.unreadBytes! / 1e6).toFixed(1)} MB) of the input were not read`
            : `${(summary.unreadBytes! / 1e6).toFixed(1)} MB of the input were not read`;
        process.stderr.write(
          `qorgau: interrupted: ${summary.records} records are in the output; ${left}.${out && flags.format !== 'html' ? ' Run the same command with --resume to finish.' : ''}\n`,
        );
        process.exitCode = 130;
      }
    } catch (error) {
      const named = namedWriteError(files, error);
      for (const f of files) f.abort();
      throw named;
    }
  });
}

/** A progress bar on stderr (cli-progress, loaded only for a terminal): percent of the input bytes, posts/s, ETA. */
async function startProgress(inputBytes: number | 'unknown'): Promise<{ update: (s: ScanSummary) => void; stop: () => void }> {
  const { default: cliProgress } = await import('cli-progress');
  if (inputBytes === 'unknown' || inputBytes === 0) {
    // stdin: no total to measure against, so counts only.
    let shown = false;
    return {
      update: (s) => {
        shown = true;
        process.stderr.write(`\r\x1b[Kqorgau: ${s.records} read · ${s.candidates} candidates · ${s.errors} errors · ${Math.round(s.postsPerSecond)} posts/s`);
      },
      stop: () => {
        if (shown) process.stderr.write('\r\x1b[K');
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'qorgau [{bar}] {percentage}% · {records} read · {candidates} candidates · {errors} errors · {rate} posts/s · ETA {eta_formatted}',
      stream: process.stderr,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      gracefulExit: false,
      etaBuffer: 50,
      fps: 4,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(inputBytes, 0, { records: 0, candidates: 0, errors: 0, rate: 0 });
  return {
    update: (s) => bar.update(Math.min(inputBytes, s.bytesRead), { records: s.records, candidates: s.candidates, errors: s.errors, rate: Math.round(s.postsPerSecond) }),
    stop: () => bar.stop(),
  };
}
