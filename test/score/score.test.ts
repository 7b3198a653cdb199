import { describe, expect, it } from 'vitest';
import { fuseScores, labelsFor, priorityOf } from '../../src/score/index.js';
import { CATEGORIES, type Category } from '../../src/types.js';

const zero = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;

describe('priorityOf()', () => {
  it('ranks by the strongest label and breaks ties in favour of more labels', () => {
    const one = { ...zero, drugs: 0.8 };
    const two = { ...zero, drugs: 0.8, fraud: 0.6 };
    const t = Object.fromEntries(CATEGORIES.map((c) => [c, 0.5])) as Record<Category, number>;
    expect(priorityOf(two, labelsFor(two, t))).toBeGreaterThan(priorityOf(one, labelsFor(one, t)));
    expect(priorityOf({ ...zero, hate: 0.9 }, ['hate'])).toBeGreaterThan(priorityOf(two, labelsFor(two, t)));
  });
});

describe('fuseScores()', () => {
  it('takes the model probability where it is stronger than the rules', () => {
    const s = fuseScores({ ...zero, drugs: 0.4 }, { drugs: 0.7, hate: 0.2 });
    expect(s.drugs).toBe(0.7);
    expect(s.hate).toBe(0.2);
    expect(fuseScores({ ...zero, drugs: 0.4 }, undefined).drugs).toBe(0.4);
  });
});
