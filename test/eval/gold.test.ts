import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupKey, hashSplit, selectGold } from '../../src/eval/gold.js';

function file(rows: object[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'qorgau-gold-')), 'c.jsonl');
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n'));
  return path;
}

describe('hashSplit()', () => {
  it('splits about 70/10/10/10 and keeps near-copies (same opening) together', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 5000; i += 1) {
      const letters = [...String(i)].map((d) => String.fromCharCode(0x430 + Number(d))).join('');
      const s = hashSplit(groupKey(`пост ${letters} про погоду`));
      counts[s] = (counts[s] ?? 0) + 1;
    }
    expect(counts.train! / 5000).toBeGreaterThan(0.66);
    expect(counts.train! / 5000).toBeLessThan(0.74);
    for (const s of ['dev', 'calib', 'test']) expect(counts[s]! / 5000).toBeGreaterThan(0.08);
    const ad = 'Меф, шишки в наличии. Ровный клад по Алматы, цены от 8000₸, оператор @almaty_shop_bot';
    expect(hashSplit(groupKey(ad))).toBe(hashSplit(groupKey(`${ad.replace('8000', '9000')}, пишите в лс`)));
  });
});

describe('selectGold()', () => {
  const rows = Array.from({ length: 400 }, (_, i) => ({ id: `r${i}`, lang: 'ru', labels: [], text: `обычный пост ${[...String(i)].map((d) => String.fromCharCode(0x430 + Number(d))).join('')} о погоде`, source: 'news' }));

  it('keeps a post’s own split and gives the others one by hash', async () => {
    const path = file([{ id: 'a', lang: 'ru', labels: ['drugs'], text: 'меф', split: 'test' }, ...rows]);
    const all = await selectGold([path]);
    expect(all).toHaveLength(401);
    expect(all[0]!.g).toMatchObject({ split: 'test' });
    expect(all[0]!.g.hashedSplit).toBeUndefined();
    expect(all[1]!.g.hashedSplit).toBe(true);
    const test = await selectGold([path], { splits: ['test'] });
    expect(test.map((s) => s.g.id)).toContain('a');
    expect(test.every((s) => s.g.split === 'test')).toBe(true);
  });

  it('samples at most perFile posts by hash: the same posts in every split filter', async () => {
    const path = file(rows);
    const sample = await selectGold([path], { perFile: 100 });
    expect(sample).toHaveLength(100);
    expect((await selectGold([path], { perFile: 100 })).map((s) => s.g.id)).toEqual(sample.map((s) => s.g.id));
    const train = await selectGold([path], { perFile: 100, splits: ['train'] });
    const calib = await selectGold([path], { perFile: 100, splits: ['calib'] });
    const ids = new Set(sample.map((s) => s.g.id));
    expect(train.every((s) => ids.has(s.g.id))).toBe(true);
    expect(calib.every((s) => ids.has(s.g.id))).toBe(true);
    expect(train.filter((t) => calib.some((c) => c.g.id === t.g.id))).toEqual([]);
  });

  it('splits review exports by cluster, so reposts of one ad share a split', async () => {
    const path = file(
      Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, lang: 'ru', labels: ['drugs'], text: `совсем разный текст ${[...String(i * 7919)].map((d) => String.fromCharCode(0x430 + Number(d))).join('')}`, cluster: 'c1' })),
    );
    const splits = new Set((await selectGold([path])).map((s) => s.g.split));
    expect(splits.size).toBe(1);
  });

  it('leaves silver rows out unless asked', async () => {
    const path = file([...rows.slice(0, 3), { id: 's', lang: 'ru', labels: ['hate'], text: 'x', silver: true }]);
    expect(await selectGold([path])).toHaveLength(3);
    expect(await selectGold([path], { excludeSilver: false })).toHaveLength(4);
  });
});

describe('selectGold() across files', () => {
  it('drops an unsplit copy of a post another file labels with a split, and samples only unsplit posts', async () => {
    const text = 'Ставки на спорт, фрибет 5000 по промокоду';
    const real = file([{ id: 'r1', lang: 'ru', labels: ['gambling'], text, split: 'test', source: 'ru-telegram-news-posts' }]);
    const news = file([
      { id: 'n1', lang: 'ru', labels: [], text, source: 'ru-telegram-news-posts' },
      ...Array.from({ length: 30 }, (_, i) => ({ id: `n${i + 2}`, lang: 'ru', labels: [], text: `новость ${String.fromCharCode(0x430 + i)}`, source: 'ru-telegram-news-posts' })),
    ]);
    const all = await selectGold([real, news]);
    expect(all.filter((s) => s.g.text === text).map((s) => s.g.id)).toEqual(['r1']);
    expect(all).toHaveLength(31);
    const sampled = await selectGold([real, news], { perFile: 5 });
    expect(sampled.map((s) => s.g.id)).toContain('r1');
    expect(sampled).toHaveLength(6);
  });
});
