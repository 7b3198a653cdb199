import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../paths.js';
import { generateCorpus } from './corpus.js';

/**
 * `npm run bench:worker`: posts/s of `scan` against 1 and 2 `qorgau worker` processes through a local Redis
 * on the same posts, and what the stream round trip costs per post. Rates exclude start-up (model load):
 * scan's from its own summary, the workers' from the timestamps of the first and last result entries.
 * BENCH_POSTS (default 20000) sets the corpus; BENCH_MODES=model,rules the analyzers.
 */
const run = promisify(execFile);
const BIN = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

async function qorgau(args: readonly string[]): Promise<string> {
  const { stderr } = await run('node', [BIN, ...args], { maxBuffer: 256 * 1024 * 1024 });
  return stderr;
}

function worker(url: string, name: string, analyzer: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [BIN, 'worker', '--redis', url, '--consumer', name, '--block-ms', '200', '--batch', '256', '--exit-when-idle', ...analyzer], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(err) : reject(new Error(`worker ${name} exited ${code}: ${err}`))));
  });
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_POSTS ?? 20_000);
  const modes = (process.env.BENCH_MODES ?? 'model,rules').split(',');
  const binary = spawnSync('sh', ['-c', 'command -v redis-server || ls /usr/bin/redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!binary) throw new Error('bench:worker needs redis-server: apt-get install -y redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'qorgau-bench-worker-'));
  const { posts } = generateCorpus(Math.ceil((count * 200) / 1e6) + 1, 11);
  const file = join(dir, 'posts.jsonl');
  writeFileSync(file, posts.slice(0, count).map((text, i) => JSON.stringify({ id: `b${i}`, text })).join('\n') + '\n');

  const port = await freePort();
  const server = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}/0`;
  const { createClient } = await import('redis');
  const client = createClient({ url, socket: { reconnectStrategy: (n: number) => (n > 50 ? new Error('redis-server did not start') : 100) } });
  client.on('error', () => {});
  await client.connect();

  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}; redis-server on loopback; ${count} generated posts`);
  try {
    for (const mode of modes) {
      const analyzer = mode === 'rules' ? ['--no-model'] : [];
      const label = mode === 'rules' ? 'rules-only' : 'bundled model (q8)';
      const scanErr = await qorgau(['scan', '--all', ...analyzer, file, '-o', join(dir, 'scan.jsonl')]);
      const scanRate = Number(/(\d+) posts\/s/.exec(scanErr)?.[1]);
      console.log(`${label}: scan (1 thread): ${scanRate} posts/s`);

      let oneWorker = 0;
      for (const n of [1, 2]) {
        await client.flushAll();
        const t = performance.now();
        await qorgau(['enqueue', '--redis', url, file]);
        const enqueueRate = count / ((performance.now() - t) / 1000);
        await Promise.all(Array.from({ length: n }, (_, i) => worker(url, `w${i}`, analyzer)));
        const first = (await client.xRange('qorgau:results', '-', '+', { COUNT: 1 }))?.[0]?.id;
        const last = (await client.xRevRange('qorgau:results', '+', '-', { COUNT: 1 }))?.[0]?.id;
        const written = Number(await client.xLen('qorgau:results'));
        if (!first || !last || written !== count) throw new Error(`expected ${count} results, got ${written}`);
        const seconds = (Number(last.split('-')[0]) - Number(first.split('-')[0])) / 1000;
        // The first result is stamped after the first batch is scored: that batch is outside the window.
        const rate = Math.round((written - 256) / Math.max(seconds, 1e-3));
        if (n === 1) oneWorker = rate;
        const extra =
          n === 1
            ? `; round trip ${((1e6 / rate - 1e6 / scanRate)).toFixed(0)} µs/post over scan (${(100 * (scanRate / rate - 1)).toFixed(0)}%); enqueue ${Math.round(enqueueRate)} posts/s`
            : `; ${(rate / oneWorker).toFixed(2)}× one worker`;
        console.log(`${label}: ${n} worker${n > 1 ? 's' : ''} through Redis: ${rate} posts/s${extra}`);
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
