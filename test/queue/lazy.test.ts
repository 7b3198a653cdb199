import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, SAMPLES } from '../helpers/cli.js';

const run = promisify(execFile);
const ENGINE_PACKAGES = /^(redis|@redis\/|@nats-io\/|prom-client)/;

/** Runs the CLI with a module hook that refuses the engine clients: any command that loads one fails. */
async function withoutClients(args: string[], script = BIN): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run('node', ['--import', register, ...(script ? [script] : []), ...args]);
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

let register: string;

describe('the engine clients (redis, @nats-io, prom-client)', () => {
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-lazy-'));
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `export async function resolve(specifier, context, next) {
  if (${ENGINE_PACKAGES}.test(specifier)) throw new Error('refused to load ' + specifier);
  return next(specifier, context);
}\n`,
    );
    register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  });

  it('are not loaded by scan, score or the help of the worker commands', async () => {
    for (const args of [['scan', '--no-model', join(SAMPLES, 'posts.jsonl')], ['score', '--no-model', 'привет'], ['worker', '--help'], ['collect', '--help']]) {
      const r = await withoutClients(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });

  it('are not loaded by importing the library, which exports the queue API', async () => {
    const index = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
    const r = await withoutClients(['--input-type=module', '-e', `const q = await import(${JSON.stringify(index)}); if (typeof q.runWorker !== 'function' || typeof q.openRedisWorkerQueue !== 'function') process.exit(3);`], '');
    expect(r.code, r.stderr).toBe(0);
  });

  it.each([
    ['worker', ['worker', '--redis', 'redis://127.0.0.1:1/0', '--no-model'], /Could not load the Redis client .*refused to load redis/],
    ['enqueue', ['enqueue', '--nats', 'nats://127.0.0.1:1', join(SAMPLES, 'posts.jsonl')], /Could not load the NATS client .*refused to load @nats-io/],
  ])('are loaded by %s, and only when it runs', async (_name, args, message) => {
    const r = await withoutClients(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});
