import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { averagePrecision, computeMetrics, confusion, evaluate, fitThresholds, type Scored } from '../../src/eval/index.js';
import { CATEGORIES, type Category } from '../../src/types.js';
import { fakeClassifier } from '../helpers/fake-classifier.js';

const zero = () => Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;

function randomItems(seed: number, n: number): Scored[] {
  let s = seed;
  const rand = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return Array.from({ length: n }, () => {
    const scores = zero();
    const gold: Category[] = [];
    const predicted: Category[] = [];
    for (const c of CATEGORIES) {
      scores[c] = Math.round(rand() * 10) / 10; // ties on purpose
      if (rand() < 0.2) gold.push(c);
      if (scores[c] >= 0.5) predicted.push(c);
    }
    return { gold, predicted, scores };
  });
}

/** The textbook definitions, written out separately from the implementation. */
function naive(items: Scored[], c: Category) {
  const tp = items.filter((i) => i.gold.includes(c) && i.predicted.includes(c)).length;
  const fp = items.filter((i) => !i.gold.includes(c) && i.predicted.includes(c)).length;
  const fn = items.filter((i) => i.gold.includes(c) && !i.predicted.includes(c)).length;
  const p = tp + fp > 0 ? tp / (tp + fp) : 0;
  const r = tp + fn > 0 ? tp / (tp + fn) : 0;
  // Average precision = mean over distinct thresholds of precision, weighted by recall gained there.
  const pos = items.filter((i) => i.gold.includes(c)).length;
  const ts = [...new Set(items.map((i) => i.scores[c]))].sort((a, b) => b - a);
  let ap = 0;
  let prevR = 0;
  for (const t of ts) {
    const sel = items.filter((i) => i.scores[c] >= t);
    const tpt = sel.filter((i) => i.gold.includes(c)).length;
    const rt = pos ? tpt / pos : 0;
    ap += (rt - prevR) * (sel.length ? tpt / sel.length : 0);
    prevR = rt;
  }
  return { tp, fp, fn, p, r, f1: p + r ? (2 * p * r) / (p + r) : 0, ap };
}

describe('computeMetrics()', () => {
  it.each([1, 2, 3, 4, 5])('agrees exactly with a from-scratch computation (seed %i)', (seed) => {
    const items = randomItems(seed, 200);
    const m = computeMetrics(items);
    let TP = 0;
    let FP = 0;
    let FN = 0;
    const f1s: number[] = [];
    for (const c of CATEGORIES) {
      const x = naive(items, c);
      expect(m.perCategory[c].tp).toBe(x.tp);
      expect(m.perCategory[c].fp).toBe(x.fp);
      expect(m.perCategory[c].fn).toBe(x.fn);
      expect(m.perCategory[c].precision).toBeCloseTo(x.p, 12);
      expect(m.perCategory[c].recall).toBeCloseTo(x.r, 12);
      expect(m.perCategory[c].f1).toBeCloseTo(x.f1, 12);
      expect(m.perCategory[c].prAuc).toBeCloseTo(x.ap, 12);
      TP += x.tp;
      FP += x.fp;
      FN += x.fn;
      if (x.tp + x.fn > 0) f1s.push(x.f1);
    }
    const mp = TP / (TP + FP);
    const mr = TP / (TP + FN);
    expect(m.microF1).toBeCloseTo((2 * mp * mr) / (mp + mr), 12);
    expect(m.macroF1).toBeCloseTo(f1s.reduce((a, b) => a + b, 0) / f1s.length, 12);
    const clean = items.filter((i) => i.gold.length === 0);
    expect(m.cleanFlaggedRate).toBeCloseTo(clean.filter((i) => i.predicted.length > 0).length / clean.length, 12);
  });

  it('computes a small case by hand', () => {
    const items: Scored[] = [
      { gold: ['drugs'], predicted: ['drugs'], scores: { ...zero(), drugs: 0.9 } },
      { gold: ['drugs'], predicted: [], scores: { ...zero(), drugs: 0.3 } },
      { gold: [], predicted: ['drugs'], scores: { ...zero(), drugs: 0.6 } },
      { gold: [], predicted: [], scores: zero() },
    ];
    const m = computeMetrics(items);
    expect(m.perCategory.drugs).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    // Ranking 0.9(+) 0.6(-) 0.3(+): AP = 1·½ + ⅔·½.
    expect(m.perCategory.drugs.prAuc).toBeCloseTo(0.5 + 1 / 3, 12);
    expect(m.cleanFlaggedRate).toBe(0.5);
    expect(confusion(items).drugs!.clean).toBe(1);
    expect(confusion(items).clean!.drugs).toBe(1);
  });
});

describe('averagePrecision()', () => {
  it('is 1 for a perfect ranking and takes tied scores together', () => {
    expect(averagePrecision([0.9, 0.8, 0.1], [true, true, false])).toBe(1);
    expect(averagePrecision([0.5, 0.5], [true, false])).toBe(0.5);
    expect(averagePrecision([0.5], [false])).toBe(0);
  });
});

describe('fitThresholds()', () => {
  it('picks the lowest threshold reaching the target precision', () => {
    const s = (x: number, pos: boolean): Scored => ({ gold: pos ? ['fraud'] : [], predicted: [], scores: { ...zero(), fraud: x } });
    const items = [s(0.9, true), s(0.8, true), s(0.7, false), s(0.6, true), s(0.5, false), s(0.4, false)];
    const cal = fitThresholds(items, 0.75);
    expect(cal.thresholds.fraud).toBe(0.6); // 3 of 4 at ≥ 0.6
    expect(cal.perCategory.fraud.recall).toBe(1);
    expect(fitThresholds(items, 1).thresholds.fraud).toBe(0.8);
    expect(cal.thresholds.drugs).toBe(0.5); // no positives: default
  });
});

describe('evaluate()', () => {
  it('scores the gold file as a scan would and breaks figures down by language, obfuscation and split', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-eval-'));
    const gold = join(dir, 'gold.jsonl');
    const rows = [
      { id: '1', lang: 'ru', labels: ['gambling'], text: 'казино бонус', split: 'test', obfuscated: true },
      { id: '2', lang: 'kk', labels: [], text: 'казино жабылды', split: 'test', hard: true, kind: 'news' },
      { id: '3', lang: 'ru', labels: ['fraud'], text: 'пирамида', split: 'test' },
      { id: '4', lang: 'ru', labels: ['fraud'], text: 'не в тесте', split: 'dev' },
      { id: '5', lang: 'ru', labels: ['hate'], text: 'silver', split: 'test', silver: true },
    ];
    writeFileSync(gold, rows.map((r) => JSON.stringify(r)).join('\n'));
    const report = await evaluate({
      gold: [gold],
      splits: ['test'],
      classifier: fakeClassifier({ казино: { gambling: 0.9 } }),
      onNotice: () => {},
    });
    expect(report.n).toBe(3);
    expect(report.perCategory.gambling).toMatchObject({ tp: 1, fp: 1, fn: 0 });
    expect(report.perCategory.fraud).toMatchObject({ tp: 0, fn: 1, support: 1 });
    expect(report.cleanFlaggedRate).toBe(1);
    expect(report.byLanguage.kk!.n).toBe(1);
    expect(report.byObfuscation.obfuscated.n).toBe(1);
    expect(report.hardNegatives).toEqual({ posts: 1, flaggedRate: 1, byKind: { news: { posts: 1, flagged: 1 } } });
    expect(Object.keys(report.byOrigin)).toEqual(['written']);
  });

  it('reports written and real posts apart, with real posts per public set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-eval-'));
    const gold = join(dir, 'gold.jsonl');
    const rows = [
      { id: 'w1', lang: 'ru', labels: ['gambling'], text: 'казино бонус', split: 'test', source: 'written' },
      { id: 'w2', lang: 'ru', labels: [], text: 'погода', split: 'test', source: 'written' },
      { id: 'r1', lang: 'ru', labels: ['gambling'], text: 'слоты тут', split: 'test', source: 'spam-set', real: true, obfuscated: true },
      { id: 'r2', lang: 'kk', labels: [], text: 'казино жабылды', split: 'test', source: 'news-set', real: true, hard: true },
      { id: 'r3', lang: 'ru', labels: [], text: 'привет', split: 'test', source: 'spam-set', real: true },
    ];
    writeFileSync(gold, rows.map((r) => JSON.stringify(r)).join('\n'));
    const report = await evaluate({ gold: [gold], classifier: fakeClassifier({ казино: { gambling: 0.9 } }), onNotice: () => {} });
    const { written, real } = report.byOrigin;
    expect(written).toMatchObject({ n: 2, cleanPosts: 1, cleanFlaggedRate: 0 });
    expect(written!.perCategory.gambling).toMatchObject({ tp: 1, fn: 0 });
    expect(real).toMatchObject({ n: 3, cleanPosts: 2, cleanFlaggedRate: 0.5 });
    expect(real!.perCategory.gambling).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    expect(Object.keys(real!.bySource)).toEqual(['news-set', 'spam-set']);
    expect(real!.bySource['spam-set']!.n).toBe(2);
    expect(real!.hardNegatives).toEqual({ posts: 1, flaggedRate: 1 });
    expect(real!.obfuscatedRecall).toEqual({ posts: 1, recall: 0 });
    expect(Object.keys(real!.byLanguage)).toEqual(['kk', 'ru']);
  });
});

describe('readThresholdsFile()', () => {
  it('keeps separate thresholds for runs with a model and rules-only runs', async () => {
    const { readThresholdsFile } = await import('../../src/options.js');
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-thr-'));
    const file = join(dir, 't.json');
    writeFileSync(file, JSON.stringify({ thresholds: { drugs: 0.7 }, rulesOnly: { drugs: 0.4 } }));
    expect(readThresholdsFile(file, 'model')).toEqual({ drugs: 0.7 });
    expect(readThresholdsFile(file, 'rules')).toEqual({ drugs: 0.4 });
    writeFileSync(file, JSON.stringify({ fraud: 0.3 }));
    expect(readThresholdsFile(file, 'rules')).toEqual({ fraud: 0.3 });
    writeFileSync(file, JSON.stringify({ thresholds: { fraud: 2 } }));
    expect(() => readThresholdsFile(file, 'model')).toThrow('Expected `thresholds.fraud` to be a number from 0 to 1, got `2`.');
  });
});
