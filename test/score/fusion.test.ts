import { describe, expect, it } from 'vitest';
import { applyFusion, fitFusion, type FusionSample } from '../../src/score/fusion.js';
import { CATEGORIES, type Category } from '../../src/types.js';

const zero = () => Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;

describe('fitFusion()', () => {
  // Gold is positive when the model is confident OR a rule fired: both signals must get positive weight.
  const samples: FusionSample[] = [];
  for (let i = 0; i < 200; i += 1) {
    const model = (i % 10) / 10 + 0.05;
    const rule = i % 7 === 0 ? 0.6 : 0;
    samples.push({ category: i % 2 ? 'drugs' : 'fraud', model, rule, gold: model > 0.7 || rule > 0 });
  }
  const f = fitFusion(samples);

  it('learns positive weights for both the model and the rules', () => {
    expect(f.weights.model).toBeGreaterThan(0);
    expect(f.weights.rule + f.weights.fired).toBeGreaterThan(0);
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
