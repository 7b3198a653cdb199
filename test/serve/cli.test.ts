import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, textHash } from '../../src/serve/store/index.js';
import { BIN, SAMPLES, qorgau } from '../helpers/cli.js';

describe('qorgau serve import / reviewer / export / agreement', () => {
  it('loads a scan into a database, adds reviewers, and exports what they decided with their agreement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-serve-cli-'));
    const results = join(dir, 'results.jsonl');
    const db = join(dir, 'review.db');
    expect((await qorgau(['scan', '--no-model', join(SAMPLES, 'posts.jsonl'), '--errors', '/dev/null', '-o', results])).code).toBe(0);
    const imported = await qorgau(['serve', 'import', results, '--db', db]);
    expect(imported.code).toBe(0);
    const lines = readFileSync(results, 'utf8').trim().split('\n');
    expect(imported.stderr).toMatch(new RegExp(`run 1: ${lines.length} records, ${lines.length} candidates in \\d+ clusters \\(as the results grouped them\\), 0 errors`));
    const added = await qorgau(['serve', 'reviewer', 'add', 'alice', '--role', 'reviewer', '--db', db]);
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toMatch(/^[\w-]{32}$/);
    expect(added.stderr).toMatch(/reviewer alice \(reviewer\) added; the token above signs them in and is not shown again/);
    expect((await qorgau(['serve', 'reviewer', 'add', 'bob', '--db', db])).code).toBe(0);
    expect((await qorgau(['serve', 'reviewer', 'add', 'alice', '--db', db])).stderr).toMatch(/A reviewer named alice exists already/);

    const store = await openStore(db);
    const first = JSON.parse(lines[0]!) as { id: string; text: string; labels: string[] };
    const second = JSON.parse(lines[1]!) as { id: string; text: string };
    const [alice, bob] = (await store.listReviewers()).filter((r) => r.name !== 'local');
    const k1 = { postId: first.id, hash: textHash(first.text) };
    const k2 = { postId: second.id, hash: textHash(second.text) };
    await store.decide(alice!, [{ ...k1, decision: 'confirmed', labels: first.labels as never, viaCluster: false }, { ...k2, decision: 'clean', labels: [], viaCluster: false }], { leaseMs: 60_000 });
    await store.decide(bob!, [{ ...k1, decision: 'confirmed', labels: first.labels as never, viaCluster: false }, { ...k2, decision: 'relabelled', labels: ['fraud'], viaCluster: false }], { leaseMs: 60_000 });
    await store.close();

    expect((await qorgau(['serve', 'reviewer', 'list', '--db', db])).stdout).toBe('alice\treviewer\t2\nbob\treviewer\t2\n');
    const out = join(dir, 'decisions.jsonl');
    const exported = await qorgau(['serve', 'export', '--db', db, '-o', out]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/1 decided posts → .*decisions\.jsonl; 1 left out where reviewers disagree/);
    expect(exported.stderr).toMatch(/agreement on 2 posts decided by 2\+ reviewers: same labels 50\.0%/);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toMatchObject([{ id: first.id, labels: first.labels, decision: 'confirmed', reviewed: true, reviewers: ['alice', 'bob'] }]);
    // The export is a corpus qorgau eval reads.
    const evaluated = await qorgau(['eval', '--no-model', out]);
    expect(evaluated.code).toBe(0);
    const agreement = JSON.parse((await qorgau(['serve', 'agreement', '--db', db])).stdout) as { items: number; pairs: { a: string; b: string }[] };
    expect(agreement).toMatchObject({ items: 2, pairs: [{ a: 'alice', b: 'bob', items: 2, exact: 0.5 }] });
  });

  it.each([
    [['serve', 'import', '/no/such/results.jsonl', '--db', '/tmp/x.db'], 1, /Results file \/no\/such\/results\.jsonl does not exist/],
    [['serve', 'export'], 2, /required option '--db <db>' not specified/],
    [['serve', '--no-model', '--host', '0.0.0.0', '--port', '0'], 2, /Refusing to listen on 0\.0\.0\.0 without credentials: pass --token-file FILE/],
    [['serve', 'reviewer', 'add', 'x', '--role', 'boss', '--db', '/tmp/x.db'], 2, /Allowed choices are triage, reviewer, admin/],
  ])('qorgau %j exits %i saying why', async (args, code, message) => {
    const r = await qorgau(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a token file with short tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-serve-cli-'));
    writeFileSync(join(dir, 'tokens'), '# one per line\nshort\n');
    const r = await qorgau(['serve', '--no-model', '--token-file', join(dir, 'tokens')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/token 1 is shorter than 16 characters/);
  });
});

describe('qorgau serve', () => {
  it('serves until SIGTERM, saying where, and then shuts down cleanly', async () => {
    const child = spawn('node', [BIN, 'serve', '--no-model', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    const res = await fetch(`${url}/v1/score`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ posts: [{ id: 'x', text: 'Меф в наличии, клад' }] }) });
    expect(((await res.json()) as { results: { id: string; labels: string[] }[] }).results).toMatchObject([{ id: 'x', labels: ['drugs'] }]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/shutting down/);
  });
});
