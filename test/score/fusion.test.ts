import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FUSION_COMBINES,
  applyFusion,
  applyStack,
  checkStack,
  fitFusion,
  fitSmallLogistic,
  fitStack,
  readFusion,
  type FusionSample,
  type LogisticFusion,
  type StackSample,
} from '../../src/score/fusion.js';
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

describe('version 3 (rules, transformer, linear model)', () => {
  // Gold: drugs when either model is confident or a rule fired. The transformer is over-confident, the
  // linear model informative but shy; a good layer trusts each as far as it is right.
  const samples: StackSample[] = [];
  for (let i = 0; i < 600; i += 1) {
    const truth = (i % 20) / 20 + 0.025;
    const lin = truth / 2;
    const mod = Math.min(0.99, ((i * 7) % 20) / 20 + 0.3); // noise
    const rule = i % 11 === 0 ? 0.7 : 0;
    const gold = truth > 0.6 || rule > 0 ? (['drugs'] as Category[]) : [];
    samples.push({ scores: { rules: { ...zero(), drugs: rule }, model: { drugs: mod }, linear: { drugs: lin } }, gold });
  }

  it.each(FUSION_COMBINES)('%s separates the training data at its best threshold and is deterministic', (combine) => {
    const f = fitStack(samples, combine, ['model', 'linear']);
    const scored = samples.map((s) => ({ score: applyStack(f, s.scores).drugs, gold: s.gold.includes('drugs') }));
    const best = Math.max(...scored.map((t) => scored.filter((s) => s.score >= t.score === s.gold).length));
    expect(best / samples.length).toBeGreaterThan(0.9);
    expect(fitStack(samples, combine, ['model', 'linear'])).toEqual(f);
  });

  it('leans on the informative model, not the noisy one', () => {
    const f = fitStack(samples, 'rules-or', ['model', 'linear']);
    expect(f.params.drugs.a!.linear!).toBeGreaterThan(Math.abs(f.params.drugs.a!.model!) * 3);
    const n = fitStack(samples, 'noisy-or', ['model', 'linear']);
    expect(n.params.drugs.platt!.linear!.a).toBeGreaterThan(Math.abs(n.params.drugs.platt!.model!.a) * 3);
  });

  it.each(['noisy-or', 'rules-or'] as const)('%s never lowers a rule hit', (combine) => {
    const f = fitStack(samples, combine, ['model', 'linear']);
    for (const p of [0.001, 0.3, 0.9]) {
      expect(applyStack(f, { rules: { ...zero(), drugs: 0.6 }, model: { drugs: p }, linear: { drugs: p } }).drugs).toBeGreaterThanOrEqual(0.6);
    }
  });

  it('reads a version 3 layer through readFusion and rejects a broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-'));
    const f = fitStack(samples, 'logistic', ['linear']);
    writeFileSync(join(dir, 'f.json'), JSON.stringify(f));
    expect(readFusion(join(dir, 'f.json'))).toEqual(f);
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ ...f, combine: 'average' }));
    expect(() => readFusion(join(dir, 'g.json'))).toThrow(/version 3 fusion layer .*Refit it with qorgau calibrate/);
    expect(() => checkStack({ ...f, params: { drugs: f.params.drugs } }, 'x')).toThrow(/Refit/);
  });
});

describe('fitSmallLogistic()', () => {
  it('recovers the weights of a logistic model from its own probabilities', () => {
    const xs: number[][] = [];
    const ys: boolean[] = [];
    for (let i = 0; i < 4000; i += 1) {
      const a = ((i * 37) % 100) / 25 - 2;
      const b = ((i * 61) % 100) / 25 - 2;
      const p = 1 / (1 + Math.exp(-(1.5 * a - 0.5 * b + 0.3)));
      xs.push([a, b]);
      ys.push(((i * 7919) % 1000) / 1000 < p);
    }
    const w = fitSmallLogistic(xs, ys, 0);
    expect(w[0]).toBeCloseTo(1.5, 0);
    expect(w[1]).toBeCloseTo(-0.5, 0);
  });
});
