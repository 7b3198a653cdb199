import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { AUTO_WORKERS_MIN_BYTES, resolveWorkers } from '../../src/cli/common.js';
import { SAMPLES, qorgau } from '../helpers/cli.js';

describe('qorgau score', () => {
  it('prints one result object with the contract schema for --json', async () => {
    const r = await qorgau(['score', '--json', '--no-model', 'Закладки по городу, пиши @shop_bot']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['id', 'lang', 'labels', 'scores', 'priority', 'evidence', 'text', 'contacts']));
    expect(result.labels).toContain('drugs');
    expect(Object.keys(result.scores)).toHaveLength(9);
    const e = result.evidence[0];
    expect(e).toEqual(expect.objectContaining({ category: 'drugs', rule: expect.any(String), start: 0 }));
    expect(result.text.slice(e.start, e.end)).toBe(e.match);
  });

  it('reads the text from stdin and prints a readable table', async () => {
    const r = await qorgau(['score', '--no-model'], 'ты урод\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/labels\s+cyberbullying/);
    expect(r.stdout).toMatch(/«ты урод»/);
  });

  it('exits 2 with a message for a bad flag value', async () => {
    const r = await qorgau(['score', '--threshold', '1.5', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Expected a number from 0 to 1, got `1.5`/);
  });
});

describe('qorgau scan', () => {
  const inputs = ['posts.jsonl', 'comments.csv', 'telegram-export/result.json', 'lines.txt'].map((f) => join(SAMPLES, f));

  it('writes candidates sorted by priority, then error records, and a summary on stderr', async () => {
    const r = await qorgau(['scan', '--no-model', ...inputs]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const results = lines.filter((l) => !l.error);
    const errors = lines.filter((l) => l.error);
    expect(results.length).toBeGreaterThan(3);
    for (const x of results) expect(x.labels.length).toBeGreaterThan(0);
    const priorities = results.map((x) => x.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    expect(lines.indexOf(errors[0])).toBe(results.length); // errors come after the candidates
    expect(r.stderr).toMatch(/records read/);
    expect(r.stderr).toMatch(/posts\/s/);
    const m = /(\d+) records read, (\d+) posts scored, (\d+) candidates/.exec(r.stderr)!;
    expect(Number(m[3])).toBe(results.length);
    expect(Number(m[1])).toBe(Number(m[2]) + errors.length);
  });

  it('with --all writes one line per input record, in input order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-'));
    const out = join(dir, 'all.jsonl');
    const r = await qorgau(['scan', '--no-model', '--all', '-o', out, join(SAMPLES, 'posts.jsonl')]);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const inputLines = readFileSync(join(SAMPLES, 'posts.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(inputLines.length);
    expect(lines.map((l) => l.line)).toEqual(inputLines.map((_, i) => i + 1));
  });

  it('writes CSV with --format csv and keeps only --top N', async () => {
    const r = await qorgau(['scan', '--no-model', '--format', 'csv', '--top', '2', '--errors', '/dev/null', ...inputs]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^id,lang,labels,priority,drugs,/);
    expect(rows).toHaveLength(3);
  });

  it('scores a small file on this thread by default and says when worker threads ran', async () => {
    const small = await qorgau(['scan', '--no-model', join(SAMPLES, 'posts.jsonl')]);
    expect(small.code).toBe(0);
    expect(small.stderr).not.toMatch(/worker threads/);
    const pooled = await qorgau(['scan', '--no-model', '--workers', '2', '--all', join(SAMPLES, 'posts.jsonl')]);
    expect(pooled.code).toBe(0);
    expect(pooled.stderr).toMatch(/, 2 worker threads/);
    expect(pooled.stdout.trim().split('\n')).toHaveLength(readFileSync(join(SAMPLES, 'posts.jsonl'), 'utf8').trim().split('\n').length);
  });

  it('reads stdin with -', async () => {
    const r = await qorgau(['scan', '--no-model', '--all', '-'], '{"id":"x","text":"закладки"}\n');
    expect(JSON.parse(r.stdout).id).toBe('x');
  });

  it('exits 1 naming the file when an input does not exist', async () => {
    const r = await qorgau(['scan', '--no-model', '/no/such.jsonl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/no\/such\.jsonl does not exist/);
  });

  it('exits 1 naming the rule file when a rule file is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-rules-'));
    writeFileSync(join(dir, 'extra.yaml'), 'category: drugs\nrules:\n  - id: Bad Id\n');
    const r = await qorgau(['scan', '--no-model', '--rules', dir, '--', join(SAMPLES, 'lines.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/extra\.yaml: rule #1: expected `id`/);
  });
});

describe('resolveWorkers()', () => {
  const cores = Math.max(1, Math.min(8, availableParallelism()));
  it.each([
    [3, 10, 3],
    [1, 'unknown', 1],
    ['auto', 1000, 1],
    ['auto', AUTO_WORKERS_MIN_BYTES - 1, 1],
    ['auto', AUTO_WORKERS_MIN_BYTES, cores],
    ['auto', 'unknown', cores],
  ] as const)('workers %s with %s input bytes → %s', (workers, bytes, expected) => {
    expect(resolveWorkers(workers, bytes)).toBe(expected);
  });
});
