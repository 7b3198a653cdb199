import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer, type Analyzer } from '../src/analyzer.js';
import { scan, type ScanOptions } from '../src/scan.js';
import { ROOT, SAMPLES } from './helpers/cli.js';

function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { text(): string };
  w.text = () => chunks.join('');
  return w;
}

const inputs = [
  { path: join(ROOT, 'corpora', 'clusters', 'reposts.jsonl') },
  { path: join(SAMPLES, 'posts.jsonl') },
  { path: join(SAMPLES, 'comments.csv') },
];

let shared: Analyzer;
beforeAll(async () => {
  shared = await createAnalyzer({ model: false, onNotice: () => {} });
});
afterAll(async () => {
  await shared.close();
});

async function run(options: Partial<ScanOptions>): Promise<string> {
  const out = sink();
  await scan({ model: false, onNotice: () => {}, inputs, out, analyzer: shared, ...options });
  return out.text();
}

/** An analyzer that aborts the scan after `after` outputs: a user's Ctrl-C at a known point. */
async function stoppingAfter(after: number, stop: AbortController): Promise<Analyzer> {
  const inner = shared;
  return {
    ...inner,
    async *analyzeStream(input) {
      let n = 0;
      for await (const out of inner.analyzeStream(input)) {
        yield out;
        if (++n === after) stop.abort();
      }
    },
  };
}

describe('scan() with bounded memory', () => {
  it.each([
    ['default', {}],
    ['csv', { format: 'csv' as const }],
    ['top 20', { top: 20 }],
    ['no clusters', { cluster: false }],
  ])('%s: spilling everything to disk writes the same output as holding it in memory', async (_name, flags) => {
    const held = await run(flags);
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-scan-'));
    const spilled = await run({ ...flags, spillChars: 300, clusterInMemory: 0, workDir: dir });
    expect(spilled).toBe(held);
    expect(held.length).toBeGreaterThan(1000);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it.each([
    ['default', {}],
    ['all', { all: true }],
    ['csv with separate errors', { format: 'csv' as const, errors: 'separate' }],
  ])('%s: interrupted, then resumed, gives the output of an uninterrupted run', async (_name, flags) => {
    const { errors, ...rest } = flags as { errors?: string };
    const refErr = sink();
    const reference = await run({ ...rest, ...(errors ? { errors: refErr } : {}) });
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-scan-'));
    const stop = new AbortController();
    const firstErr = sink();
    const first = sink();
    const s1 = await scan({
      model: false,
      onNotice: () => {},
      inputs,
      out: first,
      ...rest,
      ...(errors ? { errors: firstErr } : {}),
      workDir: dir,
      spillChars: 500,
      signal: stop.signal,
      analyzer: await stoppingAfter(150, stop),
    });
    expect(s1.interrupted).toBe(true);
    expect(s1.records).toBeLessThan(300);
    expect(readdirSync(dir)).toContain('checkpoint.json');
    const secondErr = sink();
    const second = await run({ ...rest, ...(errors ? { errors: secondErr } : {}), workDir: dir, resume: true, spillChars: 500 });
    expect(second).toBe(reference);
    if (errors) expect(secondErr.text()).toBe(refErr.text());
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('refuses to resume from a checkpoint for other inputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-scan-'));
    const stop = new AbortController();
    await scan({ model: false, onNotice: () => {}, inputs, out: sink(), workDir: dir, signal: stop.signal, analyzer: await stoppingAfter(10, stop) });
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, '{"text":"x"}\n');
    await expect(scan({ model: false, onNotice: () => {}, inputs: [{ path: other }], out: sink(), workDir: dir, resume: true })).rejects.toThrow(/for other inputs/);
  });
});
