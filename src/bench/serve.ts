import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../paths.js';
import { generateCorpus } from './corpus.js';

/**
 * `npm run bench:serve`: starts `qorgau serve` as its own process and sends it requests from 50 concurrent
 * keep-alive clients: 10,000 requests of 1 post and 10,000 of 64, then an overload run against a small queue,
 * where 429s are expected and nothing else is. Reports requests/s, posts/s, p50/p99 latency and the server's
 * peak RSS. Flags: --requests N, --clients N, --workers N, --no-model.
 */

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '50' },
    workers: { type: 'string', default: String(Math.max(1, Math.min(8, cpus().length))) },
    'no-model': { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(values.requests);
const CLIENTS = Number(values.clients);
const WORKERS = Number(values.workers);

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
  peakRss(): number;
  stop(): Promise<void>;
}

function rssOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function startServer(extra: string[]): Promise<Server> {
  const args = [join(PACKAGE_ROOT, 'dist', 'cli', 'main.js'), 'serve', '--port', '0', '--workers', String(WORKERS), ...(values['no-model'] ? ['--no-model'] : []), ...extra];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`qorgau serve exited (${code}): ${stderr}`)));
  });
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!, 'VmRSS'))), 100);
  return {
    child,
    port,
    peakRss: () => Math.max(peak, rssOf(child.pid!, 'VmHWM')),
    async stop() {
      clearInterval(timer);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Reply {
  readonly status: number;
  readonly ms: number;
}

function post(agent: Agent, port: number, body: string): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ agent, host: '127.0.0.1', port, path: '/v1/score', method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function load(name: string, server: Server, bodies: readonly string[], batch: number, requests: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  // Warm-up: the JIT, the model's first batches, the sockets.
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => post(agent, server.port, bodies[i % bodies.length]!)));
  const replies: Reply[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < requests) {
        const body = bodies[next++ % bodies.length]!;
        replies.push(await post(agent, server.port, body));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const byStatus = new Map<number, number>();
  for (const r of replies) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const ok = replies.filter((r) => r.status === 200);
  const lat = ok.map((r) => r.ms).sort((a, b) => a - b);
  const other = replies.length - (byStatus.get(200) ?? 0) - (byStatus.get(429) ?? 0);
  console.log(
    `| ${name} | ${replies.length} | ${byStatus.get(200) ?? 0} | ${byStatus.get(429) ?? 0} | ${other} | ${Math.round(replies.length / seconds)} | ${Math.round((ok.length * batch) / seconds)} | ${percentile(lat, 50).toFixed(1)} | ${percentile(lat, 99).toFixed(1)} | ${Math.round(server.peakRss() / 2 ** 20)} |`,
  );
  if (other > 0) console.log(`  statuses: ${[...byStatus.entries()].map(([s, n]) => `${s}: ${n}`).join(', ')}`);
}

async function main(): Promise<void> {
  const { posts } = generateCorpus(4);
  const bodies = (batch: number): string[] =>
    Array.from({ length: 200 }, (_, i) => JSON.stringify({ posts: Array.from({ length: batch }, (_, j) => ({ id: `b${i}-${j}`, text: posts[(i * batch + j) % posts.length]! })) }));
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; server: ${values['no-model'] ? 'rules only' : 'bundled model'}, --workers ${WORKERS}; ${CLIENTS} keep-alive clients in this process`);
  console.log('| run | requests | 200 | 429 | other | requests/s | posts/s | p50 ms | p99 ms | server peak RSS MiB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const batch of [1, 64]) {
    const server = await startServer([]);
    try {
      await load(`batches of ${batch}`, server, bodies(batch), batch, REQUESTS);
    } finally {
      await server.stop();
    }
  }
  // 50 clients × 64 posts is 3,200 posts asked for at once: with room for 256 the queue must turn some away.
  const server = await startServer(['--max-queue', '256', '--max-batch', '64']);
  try {
    await load('overload: batches of 64, --max-queue 256', server, bodies(64), 64, Math.min(REQUESTS, 2000));
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
