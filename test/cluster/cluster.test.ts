import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { QorgauError } from '../../src/errors.js';
import { clusterResults, clusterSkeleton, createClusterer, resolveClusterOptions } from '../../src/cluster/index.js';
import { pairScores } from '../../src/cluster/evaluate.js';
import { makeReposts, type Repost, type Seed } from '../../src/cluster/reposts.js';
import { CATEGORIES, type Category, type Result } from '../../src/types.js';

const CLUSTERS = join(import.meta.dirname, '..', '..', 'corpora', 'clusters');
const AD = 'Меф, альфа, шишки в наличии.\nРовный клад по Алматы, магниты и прикопы.\nЦены от 8000₸ за грамм. Оператор: @almaty_shop_bot';

function result(id: string, text: string, priority: number): Result {
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, c === 'drugs' ? priority : 0])) as Record<Category, number>;
  return { id, lang: 'ru', labels: ['drugs'], scores, priority, evidence: [], contacts: [], text };
}

describe('clusterSkeleton()', () => {
  it.each([
    ['look-alike Latin letters', 'зaклaдки', 'закладки'],
    ['@ and 0 for letters', 'з@кл@дки c0ль', 'закладки соль'],
    ['spaced-out letters', 'з а к л а д к и по городу', 'закладки по городу'],
    ['dotted letters', 'м.е.ф, шишки', 'меф шишки'],
    ['stretched letters', 'мееееф наличии', 'меф наличи'],
    ['zero-width characters', 'за\u200Bклад\u200Dки', 'закладки'],
    ['case and ё', 'ЁЛКА Ёлка', 'елка елка'],
  ])('folds %s', (_, text, expected) => {
    expect(clusterSkeleton(text)).toBe(expected);
  });

  it('drops what changes between reposts: contacts, numbers, emoji, punctuation', () => {
    expect(clusterSkeleton('🔥 Меф 1г — 12000₸!!! Бот: @shop_bot, t.me/shop2, +7 701 123 45 67, best-shop.kz')).toBe('меф г бот');
  });

  it('keeps single-letter words that are not part of a spaced-out run', () => {
    expect(clusterSkeleton('клад в Алматы и Астане')).toBe('клад в алматы и астане');
  });
});

describe('createClusterer()', () => {
  it('groups reposts with edits and keeps a different ad from the same kind of shop apart', () => {
    const c = createClusterer();
    c.add(AD, 0.8);
    c.add(AD.replace('8000', '9500').replace('@almaty_shop_bot', '@almaty_new_bot'), 0.8); // price, handle
    c.add(AD.split('\n').reverse().join('\n'), 0.8); // line order
    c.add(`🔥🔥 ${AD.replace('шишки', 'ш и ш к и').replace('клад', 'kлaд')}`, 0.9); // emoji, obfuscation
    c.add('Гашиш, бошки, соль в наличии. Ровный клад по Караганде, только прикопы. Оператор: @krg_shop_bot', 0.8);
    const a = c.assignments();
    expect(a.map((x) => x.cluster)).toEqual([3, 3, 3, 3, 4]);
    expect(a.map((x) => x.size)).toEqual([4, 4, 4, 4, 1]);
  });

  it('makes the highest-priority member the representative, the earliest on ties', () => {
    const c = createClusterer();
    c.add(AD, 0.5);
    c.add(AD, 0.7);
    c.add(AD, 0.7);
    expect(c.assignments().map((x) => x.cluster)).toEqual([1, 1, 1]);
  });

  it('leaves posts with nothing to compare alone (only contacts, numbers and emoji)', () => {
    const c = createClusterer();
    c.add('@shop_bot 💎', 0.5);
    c.add('@other_bot 💎', 0.5);
    expect(c.assignments()).toEqual([
      { cluster: 0, size: 1 },
      { cluster: 1, size: 1 },
    ]);
  });

  it('grows past its initial capacity without losing assignments', () => {
    const c = createClusterer();
    for (let i = 0; i < 3000; i += 1) c.add(i % 2 === 0 ? AD : `уникальный пост номер ${'абвгдежзиклмнопрстуфхцчшщэюя'.slice(i % 20, (i % 20) + 8)} ${i}`, 0.5);
    const a = c.assignments();
    expect(c.size).toBe(3000);
    expect(a[2998]).toEqual({ cluster: 0, size: 1500 });
  });
});

describe('clusterResults()', () => {
  it('sets cluster to the representative id and clusterSize on every result, keeping order', () => {
    const out = clusterResults([result('a', AD, 0.6), result('b', 'совсем другой текст про погоду в городе', 0.9), result('c', `${AD} 🔥`, 0.8)]);
    expect(out.map((r) => [r.id, r.cluster, r.clusterSize])).toEqual([
      ['a', 'c', 2],
      ['b', 'b', 1],
      ['c', 'c', 2],
    ]);
  });
});

describe('resolveClusterOptions()', () => {
  it.each([
    [{ threshold: 0 }, /cluster\.threshold/],
    [{ hashes: 96, bands: 7 }, /divisor of `hashes` \(96\)/],
    [{ shingleSize: 0 }, /shingleSize/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveClusterOptions(options)).toThrow(QorgauError);
    expect(() => resolveClusterOptions(options)).toThrow(message);
  });
});

describe('pairScores()', () => {
  it.each([
    { predicted: ['a', 'a', 'b', 'b'], truth: ['x', 'x', 'y', 'y'], precision: 1, recall: 1 },
    { predicted: ['a', 'a', 'a', 'a'], truth: ['x', 'x', 'y', 'y'], precision: 2 / 6, recall: 1 },
    { predicted: ['a', 'b', 'c', 'd'], truth: ['x', 'x', 'y', 'y'], precision: 1, recall: 0 },
    { predicted: ['a', 'a', 'a', 'b'], truth: ['x', 'x', 'x', 'x'], precision: 1, recall: 3 / 6 },
  ])('$predicted vs $truth', ({ predicted, truth, precision, recall }) => {
    const s = pairScores(predicted, truth);
    expect(s.precision).toBeCloseTo(precision);
    expect(s.recall).toBeCloseTo(recall);
  });
});

describe('the repost test set', () => {
  const seeds = (parseYaml(readFileSync(join(CLUSTERS, 'seeds.yaml'), 'utf8')) as { seeds: Seed[] }).seeds;
  const set = readFileSync(join(CLUSTERS, 'reposts.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Repost);

  it('is what the generator makes from the seeds (regenerate with npm run eval:clusters -- --generate)', () => {
    expect(makeReposts(seeds)).toEqual(set);
  });

  it('is clustered with pair precision ≥ 0.98 and recall ≥ 0.95', () => {
    const c = createClusterer();
    for (const r of set) c.add(r.text);
    const predicted = c.assignments().map((a) => String(a.cluster));
    const s = pairScores(predicted, set.map((r) => r.cluster));
    expect(s.precision).toBeGreaterThanOrEqual(0.98);
    expect(s.recall).toBeGreaterThanOrEqual(0.95);
  });
});
