import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../paths.js';
import { generateCorpus } from './corpus.js';

/**
 * `npm run bench:worker`: posts/s of `scan` against 1 and 2 `qorgau worker` processes through a local Redis
 * on the same posts, and what the stream round trip costs per post. Wall rates exclude start-up (model load):
 * scan's from its own summary, the workers' from the timestamps of the first and last result entries. On a
 * shared machine wall rates move with the load, so each process's CPU time is measured too (start-up CPU,
 * from a run on one post, taken off): CPU per post is what sizing needs, and what the round trip adds to it.
 * BENCH_POSTS (default 20000) sets the corpus; BENCH_MODES=model,rules the analyzers.
 */
const run = promisify(execFile);
const BIN = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');
const CPU_MARK = /bench-cpu (\d+) (\d+)/;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

/** CPU seconds a process used, from the line the preload prints at exit. */
function cpuOf(stderr: string): number {
  const m = CPU_MARK.exec(stderr);
  if (!m) throw new Error(`no CPU figure in: ${stderr}`);
  return (Number(m[1]) + Number(m[2])) / 1e6;
}

/** utime + stime of a running process, in seconds (Linux). */
function procCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_POSTS ?? 20_000);
  const modes = (process.env.BENCH_MODES ?? 'model,rules').split(',');
  const binary = spawnSync('sh', ['-c', 'command -v redis-server || ls /usr/bin/redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!binary) throw new Error('bench:worker needs redis-server: apt-get install -y redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'qorgau-bench-worker-'));
  const { posts } = generateCorpus(Math.ceil((count * 200) / 1e6) + 1, 11);
  const file = join(dir, 'posts.jsonl');
  const one = join(dir, 'one.jsonl');
  writeFileSync(file, posts.slice(0, count).map((text, i) => JSON.stringify({ id: `b${i}`, text })).join('\n') + '\n');
  writeFileSync(one, `${JSON.stringify({ id: 'one', text: posts[0] })}\n`);
  const preload = join(dir, 'cpu.mjs');
  writeFileSync(preload, "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`\\nbench-cpu ${u.user} ${u.system}\\n`); });\n");

  const qorgau = async (args: readonly string[]): Promise<string> =>
    (await run('node', ['--import', pathToFileURL(preload).href, BIN, ...args], { maxBuffer: 256 * 1024 * 1024 })).stderr;
  const worker = (url: string, name: string, analyzer: readonly string[]): Promise<string> =>
    qorgau(['worker', '--redis', url, '--consumer', name, '--block-ms', '200', '--batch', '256', '--exit-when-idle', ...analyzer]);

  const port = await freePort();
  const server = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}/0`;
  const { createClient } = await import('redis');
  const client = createClient({ url, socket: { reconnectStrategy: (n: number) => (n > 50 ? new Error('redis-server did not start') : 100) } });
  client.on('error', () => {});
  await client.connect();
  const us = (seconds: number): string => `${Math.round((seconds * 1e6) / count)} µs`;

  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}; redis-server on loopback; ${count} generated posts`);
  try {
    for (const mode of modes) {
      const analyzer = mode === 'rules' ? ['--no-model'] : [];
      const label = mode === 'rules' ? 'rules-only' : 'bundled model (q8)';
      const scanStart = cpuOf(await qorgau(['scan', '--all', ...analyzer, one, '-o', join(dir, 'scan1.jsonl')]));
      const scanErr = await qorgau(['scan', '--all', ...analyzer, file, '-o', join(dir, 'scan.jsonl')]);
      const scanRate = Number(/(\d+) posts\/s/.exec(scanErr)?.[1]);
      const scanCpu = cpuOf(scanErr) - scanStart;
      console.log(`${label}: scan (1 thread): ${scanRate} posts/s wall; CPU ${us(scanCpu)}/post`);

      await client.flushAll();
      const enqueueStart = cpuOf(await qorgau(['enqueue', '--redis', url, one]));
      const workerStart = cpuOf(await worker(url, 'w', analyzer));
      let oneWorker = 0;
      for (const n of [1, 2]) {
        await client.flushAll();
        const t = performance.now();
        const redis0 = procCpu(server.pid!);
        const enqueueCpu = cpuOf(await qorgau(['enqueue', '--redis', url, file])) - enqueueStart;
        const enqueueRate = count / ((performance.now() - t) / 1000);
        const redis1 = procCpu(server.pid!);
        const outs = await Promise.all(Array.from({ length: n }, (_, i) => worker(url, `w${i}`, analyzer)));
        const redis2 = procCpu(server.pid!);
        const first = (await client.xRange('qorgau:results', '-', '+', { COUNT: 1 }))?.[0]?.id;
        const last = (await client.xRevRange('qorgau:results', '+', '-', { COUNT: 1 }))?.[0]?.id;
        const written = Number(await client.xLen('qorgau:results'));
        if (!first || !last || written !== count) throw new Error(`expected ${count} results, got ${written}`);
        const seconds = (Number(last.split('-')[0]) - Number(first.split('-')[0])) / 1000;
        // The first result is stamped after the first batch is scored: that batch is outside the window.
        const rate = Math.round((written - 256) / Math.max(seconds, 1e-3));
        const workerCpu = outs.reduce((sum, err) => sum + cpuOf(err) - workerStart, 0);
        if (n === 1) {
          oneWorker = rate;
          console.log(
            `${label}: 1 worker through Redis: ${rate} posts/s wall; CPU ${us(workerCpu)}/post in the worker + ${us(redis2 - redis1)}/post in Redis; ` +
              `round trip ${us(workerCpu - scanCpu + redis2 - redis1)}/post over scan; enqueue ${Math.round(enqueueRate)} posts/s (CPU ${us(enqueueCpu)} + ${us(redis1 - redis0)} in Redis)`,
          );
        } else {
          console.log(`${label}: ${n} workers through Redis: ${rate} posts/s wall (${(rate / oneWorker).toFixed(2)}× one worker); CPU ${us(workerCpu)}/post in the workers + ${us(redis2 - redis1)}/post in Redis`);
        }
      }
    }
  } finally {
    await client.close().catch(() => {});
    server.kill('SIGTERM');
    await once(server, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
