import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SAMPLES, qorgau } from '../helpers/cli.js';

const REPOSTS = join(ROOT, 'corpora', 'clusters', 'reposts.jsonl');

describe('qorgau report', () => {
  it('turns the results of scan --all into a page and says what it counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-report-'));
    const results = join(dir, 'all.jsonl');
    const page = join(dir, 'report.html');
    expect((await qorgau(['scan', '--no-model', '--all', '-o', results, join(SAMPLES, 'posts.jsonl'), join(SAMPLES, 'comments.csv')])).code).toBe(0);
    const r = await qorgau(['report', results, '-o', page, '--title', 'Проверка']);
    expect(r.code).toBe(0);
    const lines = readFileSync(results, 'utf8').trim().split('\n');
    const candidates = lines.filter((l) => !JSON.parse(l).error && JSON.parse(l).labels.length > 0).length;
    expect(r.stderr).toMatch(new RegExp(`${lines.length} records read, ${candidates} candidates in \\d+ clusters, \\d+ errors`));
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('<title>Проверка</title>');
    expect(html).toMatch(new RegExp(`data-total="candidates"><b>${candidates}</b>`));
  });

  it('exits 1 naming the file when a results file does not exist', async () => {
    const r = await qorgau(['report', '/no/such/results.jsonl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/no\/such\/results\.jsonl does not exist/);
  });
});

describe('qorgau scan cluster fields', () => {
  it('writes cluster and clusterSize in JSONL, one cluster id per reposted ad', async () => {
    const r = await qorgau(['scan', '--no-model', REPOSTS]);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; cluster: string; clusterSize: number });
    const bySeed = new Map<string, Set<string>>();
    for (const row of rows) {
      const seed = row.id.split('-')[0]!;
      bySeed.set(seed, (bySeed.get(seed) ?? new Set()).add(row.cluster));
      expect(rows.filter((x) => x.cluster === row.cluster)).toHaveLength(row.clusterSize);
    }
    expect([...bySeed.values()].filter((s) => s.size > 1)).toEqual([]);
    expect(r.stderr).toMatch(/qorgau: \d+ candidates in \d+ near-duplicate clusters/);
  });

  it('adds cluster and clusterSize columns to CSV, and none with --no-cluster', async () => {
    const csv = await qorgau(['scan', '--no-model', '--format', 'csv', REPOSTS]);
    const cols = csv.stdout.split('\n')[0]!.split(',');
    expect(cols.slice(cols.indexOf('line'))).toEqual(['line', 'cluster', 'clusterSize', 'error_code', 'error_message']);
    // Rows end with …,source,line,cluster,clusterSize,, (texts span several lines, so match the whole output).
    const ends = [...csv.stdout.matchAll(/reposts\.jsonl,\d+,(s\d\d-\d+),(\d+),,\n/g)];
    expect(ends.length).toBeGreaterThan(10);
    const off = await qorgau(['scan', '--no-model', '--no-cluster', REPOSTS]);
    expect(JSON.parse(off.stdout.split('\n')[0]!)).not.toHaveProperty('cluster');
  });
});
