import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnalyzer } from '../src/analyzer.js';
import { isErrorRecord, type Output, type Post } from '../src/types.js';
import { collect } from './helpers/collect.js';
import { BIN } from './helpers/cli.js';

const quiet = { onNotice: () => {} };

function nested(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let cur = root;
  for (let i = 0; i < depth; i += 1) {
    const next: Record<string, unknown> = {};
    cur.a = next;
    cur = next;
  }
  return root;
}

const posts = (n: number, special: Record<number, string> = {}): Post[] =>
  Array.from({ length: n }, (_, i) => ({ id: String(i + 1), text: special[i + 1] ?? `обычный пост номер ${i + 1}`, meta: {}, source: 't', line: i + 1 }));

/** Fails the test instead of hanging it: the pool's contract is that every stream ends. */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms: the pool hung`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

function summary(outputs: readonly Output[]): string[] {
  return outputs.map((o) => (isErrorRecord(o) ? `${o.id}:${o.error.code}` : `${o.id}:ok`));
}

/** Runs the built CLI with `input` on stdin; kills it after `ms` (a hang is a failure, not a stuck test). */
function cli(args: string[], input: string, ms: number, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('node', [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, ms);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
    child.stdin.end(input);
  });
}

describe('worker pool: no input leaves it waiting', () => {
  afterEach(() => {
    delete process.env.QORGAU_TEST_CRASH_ON;
    delete process.env.QORGAU_TEST_CRASH_ONCE;
  });

  it.each([2000, 2500, 3000])('a 3-line stdin with extra fields nested %i deep: a multi-threaded scan ends with 3 records', async (depth) => {
    const lines = [
      JSON.stringify({ id: 'a', text: 'привет мир' }),
      JSON.stringify({ id: 'b', text: 'закладки в городе', extra: nested(depth) }),
      JSON.stringify({ id: 'c', text: 'ещё один пост' }),
    ];
    const r = await cli(['scan', '--no-model', '--workers', '2', '--all', '-'], `${lines.join('\n')}\n`, 60_000);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Output);
    expect(out.map((o) => o.id)).toEqual(['a', 'b', 'c']);
    expect(isErrorRecord(out[0]!) || isErrorRecord(out[2]!)).toBe(false);
  });

  it('a post whose meta cannot be copied back costs that post only, not its batch', async () => {
    const input = posts(8);
    input[4] = { ...input[4]!, meta: { deep: nested(20_000) } };
    const a = await createAnalyzer({ model: false, workers: 2, batchSize: 8, ...quiet });
    try {
      const out = await within(60_000, collect(a.analyzeStream(input)));
      expect(summary(out)).toEqual(['1:ok', '2:ok', '3:ok', '4:ok', '5:scoring_failed', '6:ok', '7:ok', '8:ok']);
      expect((out[4] as { error: { message: string } }).error.message).toMatch(/tried twice|nested too deep/);
    } finally {
      await a.close();
    }
  });

  it.each([
    ['throws', 'boom'],
    ['exits', 'boom-exit'],
  ])('a worker that %s on a post: its batch is retried once on a fresh worker, then each of its posts is an error record', async (_how, text) => {
    process.env.QORGAU_TEST_CRASH_ON = text;
    const a = await createAnalyzer({ model: false, workers: 2, batchSize: 4, ...quiet });
    try {
      const out = await within(60_000, collect(a.analyzeStream(posts(12, { 6: text }))));
      expect(summary(out)).toEqual(['1:ok', '2:ok', '3:ok', '4:ok', '5:scoring_failed', '6:scoring_failed', '7:scoring_failed', '8:scoring_failed', '9:ok', '10:ok', '11:ok', '12:ok']);
      expect((out[5] as { error: { message: string } }).error.message).toMatch(/stopped \(exit code \d+.*tried twice/);
      // The pool replaced the dead workers: it still scores.
      const again = await within(30_000, collect(a.analyzeStream(posts(3))));
      expect(summary(again)).toEqual(['1:ok', '2:ok', '3:ok']);
    } finally {
      await a.close();
    }
  });

  it('a worker that dies once: the retry on a fresh worker scores the whole batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-pool-'));
    try {
      process.env.QORGAU_TEST_CRASH_ON = 'boom-exit';
      process.env.QORGAU_TEST_CRASH_ONCE = join(dir, 'crashed');
      const a = await createAnalyzer({ model: false, workers: 2, batchSize: 4, ...quiet });
      try {
        const out = await within(60_000, collect(a.analyzeStream(posts(12, { 6: 'boom-exit' }))));
        expect(existsSync(join(dir, 'crashed'))).toBe(true);
        expect(summary(out)).toEqual(Array.from({ length: 12 }, (_, i) => `${i + 1}:ok`));
      } finally {
        await a.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes batches at batchChars characters: a post that always kills its worker costs only its own small batch', async () => {
    process.env.QORGAU_TEST_CRASH_ON = 'boom-exit';
    delete process.env.QORGAU_TEST_CRASH_ONCE;
    // Posts 1-12 hold 20 characters each, «boom-exit» 9: batches close at 50 characters as [1-3] [4-7] [8-10] [11-12].
    const a = await createAnalyzer({ model: false, workers: 2, batchSize: 256, batchChars: 50, ...quiet });
    try {
      const out = await within(60_000, collect(a.analyzeStream(posts(12, { 6: 'boom-exit' }))));
      expect(summary(out)).toEqual(Array.from({ length: 12 }, (_, i) => `${i + 1}:${i + 1 >= 4 && i + 1 <= 7 ? 'scoring_failed' : 'ok'}`));
    } finally {
      await a.close();
      delete process.env.QORGAU_TEST_CRASH_ON;
    }
  });

  it('a post that never finishes: its worker is stopped, the post is a scoring_timeout record, the rest of its batch is scored', async () => {
    process.env.QORGAU_TEST_CRASH_ON = 'hang';
    const a = await createAnalyzer({ model: false, workers: 2, batchSize: 4, postTimeout: 300, ...quiet });
    try {
      const out = await within(60_000, collect(a.analyzeStream(posts(8, { 3: 'hang' }))));
      expect(summary(out)).toEqual(['1:ok', '2:ok', '3:scoring_timeout', '4:ok', '5:ok', '6:ok', '7:ok', '8:ok']);
      expect(out[2]).toMatchObject({ source: 't', line: 3 });
    } finally {
      await a.close();
    }
  });
});
