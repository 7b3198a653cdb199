/**
 * `npm run fuzz -- --records N [--seed S] [--per-run M] [--timeout-s T] [--formats jsonl,csv,txt,telegram]`
 *
 * Writes generated inputs (src/fuzz/generate.ts) to a temporary folder and scans each with the built CLI in its
 * own process, `scan --all` (every record out, in input order), alternating one and two worker threads. A run
 * passes when the process exits 0 within the time limit and writes exactly one JSON line, a result or an error
 * record, per input record. A failing run is kept on disk and reported with its seed, format, counts, the first
 * record that went missing or extra, and the end of stderr; `--seed S --only K` reruns just that one.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { FUZZ_FORMATS, generate, prng, type FuzzFormat, type FuzzInput } from './generate.js';

interface Args {
  records: number;
  seed: number;
  perRun: number;
  timeoutS: number;
  hugeChars: number;
  formats: FuzzFormat[];
  only?: number;
  keep: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { records: 20_000, seed: Date.now() % 1_000_000, perRun: 2000, timeoutS: 180, hugeChars: 1_000_000, formats: [...FUZZ_FORMATS], keep: join(tmpdir(), 'qorgau-fuzz-failures') };
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i]!;
    const value = argv[i + 1];
    const num = (): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`Expected ${name} to be a whole number, got ${String(value)}.`);
      i += 1;
      return n;
    };
    if (name === '--records') args.records = num();
    else if (name === '--seed') args.seed = num();
    else if (name === '--per-run') args.perRun = Math.max(1, num());
    else if (name === '--timeout-s') args.timeoutS = Math.max(1, num());
    else if (name === '--huge-chars') args.hugeChars = Math.max(10, num());
    else if (name === '--only') args.only = num();
    else if (name === '--keep') {
      args.keep = value ?? args.keep;
      i += 1;
    } else if (name === '--formats') {
      const list = (value ?? '').split(',').filter(Boolean) as FuzzFormat[];
      const bad = list.find((f) => !FUZZ_FORMATS.includes(f));
      if (bad || list.length === 0) throw new Error(`Expected --formats to list some of ${FUZZ_FORMATS.join(', ')}, got ${String(value)}.`);
      args.formats = list;
      i += 1;
    } else throw new Error(`Unknown option ${name}; expected --records, --seed, --per-run, --timeout-s, --huge-chars, --formats, --only, --keep.`);
  }
  return args;
}

const EXTENSION: Record<FuzzFormat, string> = { jsonl: 'jsonl', csv: 'csv', txt: 'txt', telegram: 'json' };

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly seconds: number;
}

function scanFile(path: string, workers: number, timeoutS: number, out: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'dist', 'cli', 'main.js'), 'scan', '--no-model', '--all', '--workers', String(workers), '-o', out, path], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let stdout = Buffer.alloc(0);
      try {
        stdout = readFileSync(out);
      } catch {
        // No output file: reported as 0 outputs.
      }
      resolve({ code, signal, timedOut, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** What went wrong in one run, or undefined when it passed. */
function check(input: FuzzInput, outcome: Outcome): string | undefined {
  const problems: string[] = [];
  if (outcome.timedOut) problems.push(`did not finish within the time limit (killed after ${outcome.seconds.toFixed(0)} s)`);
  else if (outcome.code !== 0) problems.push(`exited with ${outcome.code ?? outcome.signal}`);
  const text = outcome.stdout.toString('utf8');
  const lines = text.length === 0 ? [] : text.replace(/\n$/, '').split('\n');
  const bad = lines.findIndex((l) => {
    try {
      const v = JSON.parse(l) as { error?: { code?: unknown }; id?: unknown };
      return typeof v !== 'object' || v === null || (v.error === undefined && typeof v.id !== 'string');
    } catch {
      return true;
    }
  });
  if (bad >= 0) problems.push(`output line ${bad + 1} is not a result or error record: ${lines[bad]!.slice(0, 200)}`);
  if (lines.length !== input.records) {
    problems.push(`${input.records} input records gave ${lines.length} outputs`);
    // Where the counts part: the first output whose line is not the next record's.
    const located = lines.map((l) => {
      try {
        return (JSON.parse(l) as { line?: number }).line;
      } catch {
        return undefined;
      }
    });
    const firstGap = located.findIndex((line, k) => k > 0 && line !== undefined && located[k - 1] !== undefined && line - located[k - 1]! > 1);
    if (firstGap > 0) problems.push(`first jump after output ${firstGap} (line ${located[firstGap - 1]} → ${located[firstGap]}); input record ${firstGap + 1} was: ${input.kinds[firstGap] ?? '?'}`);
    else if (lines.length < input.records) problems.push(`outputs stop after record ${lines.length}; the next input record was: ${input.kinds[lines.length] ?? '?'}`);
  }
  if (problems.length === 0) return undefined;
  const tail = outcome.stderr.trim().split('\n').slice(-8).join('\n    ');
  return `${problems.join('; ')}${tail ? `\n    stderr: ${tail}` : ''}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'qorgau-fuzz-'));
  const runs = Math.ceil(args.records / args.perRun);
  console.log(`fuzz: ${args.records} records in ${runs} runs of up to ${args.perRun}, seed ${args.seed}, formats ${args.formats.join(',')}, ${args.timeoutS} s per run`);
  const started = performance.now();
  let failures = 0;
  let records = 0;
  const byFormat: Record<string, { runs: number; records: number; failed: number }> = {};
  try {
    for (let k = 0; k < runs; k += 1) {
      if (args.only !== undefined && k !== args.only) continue;
      const random = prng(args.seed * 1000 + k);
      const format = args.formats[k % args.formats.length]!;
      const count = Math.min(args.perRun, args.records - k * args.perRun);
      const input = generate(random, format, count, args.hugeChars);
      const path = join(dir, `run-${k}.${EXTENSION[format]}`);
      writeFileSync(path, input.bytes);
      const workers = k % 2 === 0 ? 1 : 2;
      const outcome = await scanFile(path, workers, args.timeoutS, join(dir, `run-${k}.out.jsonl`));
      const problem = check(input, outcome);
      const stats = (byFormat[format] ??= { runs: 0, records: 0, failed: 0 });
      stats.runs += 1;
      stats.records += input.records;
      records += input.records;
      if (problem) {
        failures += 1;
        stats.failed += 1;
        mkdirSync(args.keep, { recursive: true });
        const kept = join(args.keep, `seed${args.seed}-run${k}.${EXTENSION[format]}`);
        writeFileSync(kept, input.bytes);
        console.log(`FAIL run ${k} (${format}, ${input.records} records, workers ${workers}, ${outcome.seconds.toFixed(1)} s): ${problem}\n    input kept at ${kept}\n    rerun: npm run fuzz -- --seed ${args.seed} --records ${args.records} --per-run ${args.perRun} --formats ${args.formats.join(',')} --only ${k}`);
      } else if (runs <= 50 || k % 10 === 0) {
        console.log(`ok   run ${k} (${format}, ${input.records} records, workers ${workers}, ${outcome.seconds.toFixed(1)} s)`);
      }
      rmSync(path, { force: true });
      rmSync(join(dir, `run-${k}.out.jsonl`), { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  for (const [format, s] of Object.entries(byFormat)) console.log(`  ${format}: ${s.records} records in ${s.runs} runs, ${s.failed} failed`);
  console.log(`fuzz: ${records} records, ${failures} failed runs, ${seconds.toFixed(0)} s`);
  process.exitCode = failures > 0 ? 1 : 0;
}

await main();
