import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Message engines for tests: the Debian binaries, started on a free loopback port. Without the binary a
 * suite is skipped with the reason printed, unless QORGAU_REQUIRE_<NAME>=1 (CI), where that is a failure.
 */
export function serverBinary(binary: string, requireEnv: string, install: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${binary} || ls /usr/sbin/${binary} /usr/bin/${binary} 2>/dev/null | head -1`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (found) return found;
  if (process.env[requireEnv] === '1') throw new Error(`${binary} is missing and ${requireEnv}=1: ${install}`);
  console.warn(`skipped: ${binary} is not installed (${install}); set ${requireEnv}=1 to make this a failure.`);
  return undefined;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface TestServer {
  readonly port: number;
  readonly url: string;
  readonly log: () => string;
  /** Stops it (SIGTERM: Redis writes its AOF out, NATS flushes) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again after `stop()`, on the same port with the same data folder. */
  start(): Promise<void>;
  /** Stops it and starts it again. */
  restart(): Promise<void>;
}

function startProcess(binary: string, args: readonly string[], port: number, url: string, ready?: (log: string) => boolean): Promise<TestServer> {
  let child: ChildProcess;
  let output = '';
  const launch = async (): Promise<void> => {
    child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitForPort(port, child);
    if (ready) {
      const end = Date.now() + 15_000;
      while (!ready(output)) {
        if (Date.now() > end) throw new Error(`${binary} did not get ready:\n${output}`);
        await sleep(50);
      }
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  return launch().then(() => ({
    port,
    url,
    log: () => output,
    stop,
    async start() {
      output += '\n--- restart ---\n';
      await launch();
    },
    async restart() {
      await stop();
      output += '\n--- restart ---\n';
      await launch();
    },
  }));
}

/** redis-server on a free port; `dir` with `aof` keeps an append-only file there, so a restart keeps the data. */
export async function startRedis(options: { dir: string; aof?: boolean; binary?: string }): Promise<TestServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', options.dir, '--maxmemory-policy', 'noeviction'];
  args.push(...(options.aof ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']));
  return startProcess(options.binary ?? 'redis-server', args, port, `redis://127.0.0.1:${port}/0`, (log) => /Ready to accept connections/.test(log.split('--- restart ---').pop() ?? ''));
}

/** nats-server with JetStream, storing in `dir`. */
export async function startNats(options: { dir: string; binary?: string }): Promise<TestServer> {
  const port = await freePort();
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', options.dir];
  return startProcess(options.binary ?? 'nats-server', args, port, `nats://127.0.0.1:${port}`, (log) => /Server is ready/.test(log.split('--- restart ---').pop() ?? ''));
}
