/**
 * Peak memory of `qorgau scan` on generated inputs of 10,000 to 10,000,000 posts, in each output mode:
 * `BENCH_MEMORY_POSTS` (default 10000,1000000; add 10000000 for the long run, which needs about 2 GB of disk
 * and an hour) and `BENCH_MEMORY_MODES` (default, all, top, csv, no-cluster, html, model). The peak is the child's
 * VmHWM from /proc, read until it exits.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { generateCorpus } from './corpus.js';

const BIN = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');

const MODES: Readonly<Record<string, readonly string[]>> = {
  default: ['--no-model'],
  all: ['--no-model', '--all'],
  top: ['--no-model', '--top', '1000'],
  csv: ['--no-model', '--format', 'csv'],
  'no-cluster': ['--no-model', '--no-cluster'],
  html: ['--no-model', '--format', 'html'],
  model: [],
};

/** Writes `count` generated posts as JSONL, a slice of posts at a time so the generator's memory stays small. */
async function writeCorpus(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  let n = 0;
  for (let seed = 1; n < count; seed += 1) {
    const { posts } = generateCorpus(2, seed);
    let chunk = '';
    for (const text of posts) {
      if (n >= count) break;
      chunk += `${JSON.stringify({ id: `p${n}`, text })}\n`;
      n += 1;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function peakKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function measure(args: readonly string[]): Promise<{ seconds: number; peakMb: number; summary: string }> {
  const t = performance.now();
  const child = spawn('node', [BIN, 'scan', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let peak = 0;
  let ticks = 0;
  const trace: string[] = [];
  const timer = setInterval(() => {
    peak = Math.max(peak, peakKb(child.pid!));
    // BENCH_MEMORY_TRACE=1: the peak so far every 10 s, to see which phase sets it.
    if (process.env.BENCH_MEMORY_TRACE && ++ticks % 100 === 0) trace.push(`${ticks / 10}s:${Math.round(peak / 1024)}`);
  }, 100);
  const [code] = (await once(child, 'exit')) as [number];
  clearInterval(timer);
  if (code !== 0) throw new Error(`scan ${args.join(' ')} failed (${code}): ${stderr}`);
  const summary = stderr.split('\n').filter((l) => /records read|wall/.test(l)).join(' | ') + (trace.length ? `\n    peak so far: ${trace.join(' ')}` : '');
  return { seconds: (performance.now() - t) / 1000, peakMb: peak / 1024, summary };
}

async function main(): Promise<void> {
  const counts = (process.env.BENCH_MEMORY_POSTS ?? '10000,1000000').split(',').map(Number);
  const modes = (process.env.BENCH_MEMORY_MODES ?? Object.keys(MODES).join(',')).split(',');
  const dir = mkdtempSync(join(tmpdir(), 'qorgau-bench-memory-'));
  try {
    for (const count of counts) {
      const input = join(dir, `posts-${count}.jsonl`);
      if (!existsSync(input)) await writeCorpus(input, count);
      console.log(`${count} posts (${(statSync(input).size / 1e6).toFixed(0)} MB):`);
      for (const mode of modes) {
        const flags = MODES[mode];
        if (!flags) throw new Error(`unknown mode ${mode}; expected one of ${Object.keys(MODES).join(', ')}`);
        const out = join(dir, `out-${mode}.${mode === 'csv' || mode === 'html' ? mode : 'jsonl'}`);
        const r = await measure([input, '-o', out, ...flags]);
        console.log(`  ${mode.padEnd(10)} peak RSS ${Math.round(r.peakMb)} MB, ${r.seconds.toFixed(1)} s  (${r.summary})`);
        rmSync(out, { force: true });
      }
      rmSync(input, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
