import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFusion, fitFusion, readFusion, type FusionSample, type LogisticFusion } from '../../src/score/fusion.js';
import { CATEGORIES, type Category } from '../../src/types.js';

const zero = () => Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;

describe('fitFusion()', () => {
  // Gold is positive when the model is confident OR a rule fired; the model is over-confident for drugs and
  // under-confident for fraud, which the per-category calibration must undo.
  const samples: FusionSample[] = [];
  for (let i = 0; i < 400; i += 1) {
    const category: Category = i % 2 ? 'drugs' : 'fraud';
    const truth = (i % 10) / 10 + 0.05;
    const model = category === 'drugs' ? Math.min(0.99, truth + 0.3) : truth / 3;
    const rule = i % 7 === 0 ? 0.6 : 0;
    samples.push({ category, model, rule, gold: truth > 0.7 || rule > 0 });
  }
  const f = fitFusion(samples);

  it('calibrates the model per category: a higher bar where it is over-confident', () => {
    expect(f.version).toBe(2);
    expect(f.platt.drugs.a).toBeGreaterThan(0);
    expect(f.platt.fraud.a).toBeGreaterThan(0);
    // The same raw probability means less for drugs (over-confident) than for fraud (under-confident).
    const at = (c: Category) => applyFusion(f, zero(), { [c]: 0.3 })[c];
    expect(at('drugs')).toBeLessThan(at('fraud'));
  });

  it('never lets the model lower a rule hit', () => {
    for (const p of [0.001, 0.2, 0.9]) {
      expect(applyFusion(f, { ...zero(), drugs: 0.6 }, { drugs: p }).drugs).toBeGreaterThanOrEqual(0.6);
    }
  });

  it('separates the training data', () => {
    let right = 0;
    for (const s of samples) {
      const scores = applyFusion(f, { ...zero(), [s.category]: s.rule }, { [s.category]: s.model });
      if (scores[s.category] >= 0.5 === s.gold) right += 1;
    }
    expect(right / samples.length).toBeGreaterThan(0.9);
  });

  it('is deterministic', () => {
    expect(fitFusion(samples)).toEqual(f);
  });
});

describe('readFusion()', () => {
  const write = (data: unknown): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'qorgau-')), 'fusion.json');
    writeFileSync(path, JSON.stringify(data));
    return path;
  };

  it('still reads and applies a version 1 logistic layer', () => {
    const v1: LogisticFusion = { version: 1, weights: { model: 1, rule: 2, fired: 0 }, bias: { ...zero(), drugs: -1 } };
    const f = readFusion(write(v1));
    // σ(-1 + 1·logit(0.5) + 2·0.5) = σ(0) = 0.5
    expect(applyFusion(f, { ...zero(), drugs: 0.5 }, { drugs: 0.5 }).drugs).toBeCloseTo(0.5, 4);
  });

  it('rejects a file without calibration for every category, saying how to fix it', () => {
    expect(() => readFusion(write({ version: 2, platt: { drugs: { a: 1, b: 0 } } }))).toThrow(/Refit it with qorgau calibrate/);
  });
});
