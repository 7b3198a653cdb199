import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qorgau } from '../helpers/cli.js';
import { makeCorpus, writeCorpus } from '../helpers/corpus.js';

describe('qorgau train', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qorgau-train-'));
  const corpus = writeCorpus(join(dir, 'corpus.jsonl'), makeCorpus(450, 7));

  it('writes a model, its card and a README naming every source with its count, deterministically', async () => {
    const a = await qorgau(['train', corpus, '--bits', '16', '-o', join(dir, 'a')]);
    expect(a.stderr).toMatch(/trained on \d+ posts \(synthetic \d+\)/);
    expect(a.code).toBe(0);
    for (const f of ['model.bin', 'card.json', 'README.md']) expect(existsSync(join(dir, 'a', f))).toBe(true);
    const card = JSON.parse(readFileSync(join(dir, 'a', 'card.json'), 'utf8'));
    expect(card.data.sources).toEqual([expect.objectContaining({ source: 'synthetic', licence: 'unknown to qorgau' })]);
    expect(card.data.posts).toBeGreaterThan(250);
    expect(card.dev.microF1).toBeGreaterThan(0.8);
    expect(readFileSync(join(dir, 'a', 'README.md'), 'utf8')).toMatch(/\| category \| support \| precision/);
    const b = await qorgau(['train', corpus, '--bits', '16', '-o', join(dir, 'b')]);
    expect(b.code).toBe(0);
    expect(readFileSync(join(dir, 'b', 'model.bin')).equals(readFileSync(join(dir, 'a', 'model.bin')))).toBe(true);
  });

  it('eval --compare prints every detector configuration side by side', async () => {
    const r = await qorgau(['eval', corpus, '--split', 'test', '--compare', '--linear', join(dir, 'a')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/rules only\s+linear only\s+transformer only\s+rules \+ transformer\s+fused \(shipped\)/);
    const drugs = lines.find((l) => l.startsWith('drugs'))!.trim().split(/\s+/).slice(1).map(Number);
    expect(drugs).toHaveLength(5);
    // The made-up corpus is the linear model's own: alone it beats the rules, which know few of its words.
    expect(drugs[1]!).toBeGreaterThan(drugs[0]!);
    expect(lines.some((l) => l.startsWith('clean flagged'))).toBe(true);
  });

  it.each([
    [['--split', 'nosuch'], /No posts to train on in split nosuch/, 2],
    [['--bits', '40'], /Expected an integer from 12 to 24/, 2],
    [['--weight', 'written'], /Expected source=weight/, 2],
  ])('rejects %j with a message saying what to fix', async (args, message, code) => {
    const r = await qorgau(['train', corpus, '-o', join(dir, 'x'), ...(args as string[])]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message as RegExp);
  });
});

describe('retraining from review decisions (the README steps)', () => {
  it('export → train → calibrate → scan: a label only the decisions taught is found, with n-gram evidence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-retrain-'));
    const corpus = writeCorpus(join(dir, 'corpus.jsonl'), makeCorpus(450, 11));
    // What the review page's "Export decisions" writes: reviewers relabelled a shop's new slang («брунька»,
    // «зуммер»: made up, no rule knows them), in reposts grouped in clusters (a cluster stays in one split).
    const decisions = Array.from({ length: 150 }, (_, i) => {
      const slang = i % 2 ? 'брунька и зуммер' : 'зуммер брунька';
      return {
        id: `p${i}`,
        lang: 'ru',
        labels: i % 3 === 2 ? [] : ['drugs'],
        text: i % 3 === 2 ? `зуммер для будильника ${['купить', 'ремонт', 'отзывы'][i % 4 % 3]} погода ${i}` : `${slang} ${['по городу', 'есть', 'опт'][i % 3]} всем привет ${i}`,
        source: 'chat:shop',
        reviewed: true,
        decision: i % 3 === 2 ? 'clean' : 'relabelled',
        predicted: [],
        cluster: `c${i % 30}`,
        reviewedAt: '2026-12-01T10:00:00.000Z',
      };
    });
    const exported = writeCorpus(join(dir, 'qorgau-decisions.jsonl'), decisions);
    const model = join(dir, 'my-linear');
    const train = await qorgau(['train', corpus, exported, '--bits', '16', '-o', model]);
    expect(train.code).toBe(0);
    expect(train.stderr).toMatch(/chat:shop \d+/);
    const cal = await qorgau(['calibrate', corpus, exported, '--split', 'calib', '--linear', model]);
    expect(cal.stderr).toMatch(/fusion: (noisy-or|rules-or|logistic) over rules \+ model \+ linear/);
    expect(cal.code).toBe(0);
    const fusion = JSON.parse(readFileSync(join(model, 'fusion.json'), 'utf8'));
    expect(Object.keys(fusion.modes)).toEqual(['rules+model+linear']);
    const post = 'БРУНЬКА и зуммер по городу, пишите';
    const scan = await qorgau(['score', '--json', '--linear', model, post]);
    expect(scan.code).toBe(0);
    const result = JSON.parse(scan.stdout);
    expect(result.labels).toContain('drugs');
    const ngram = result.evidence.filter((e: { rule: string }) => e.rule === 'model:ngram');
    expect(ngram.length).toBeGreaterThan(0);
    for (const e of ngram) expect(post.slice(e.start, e.end)).toBe(e.match);
    expect(ngram.map((e: { match: string }) => e.match.toLowerCase()).join(' ')).toMatch(/брунька|зуммер/);
    // Without the new model, the bundled pipeline does not know the slang.
    const before = JSON.parse((await qorgau(['score', '--json', '--no-linear', post])).stdout);
    expect(before.labels).not.toContain('drugs');
  });
});
