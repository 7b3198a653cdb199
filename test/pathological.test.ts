import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer, type Analyzer } from '../src/analyzer.js';
import { SHAPES, repeatTo } from '../src/bench/shapes.js';
import { createClusterer } from '../src/cluster/index.js';
import { isErrorRecord } from '../src/types.js';
import { collect } from './helpers/collect.js';

// Before issue 15 the normalizer took 2.2 s on «1 » × 25,000 and 76 s on «1.2.» × 50,000, and whole posts of
// 62,500 characters took 15 to 60 s in several shapes: quadratic, so hours at 1,000,000. Linear, each takes well
// under a second here; 30 s per post leaves room for a loaded machine and none for a quadratic step.
// The scaling itself (time for 2n against n) is measured by `npm run bench:pathological`.
const LENGTH = 1_000_000;
const LIMIT_MS = 30_000;

describe('1 MB posts of every repetitive shape finish in bounded time', () => {
  let analyzer: Analyzer;
  beforeAll(async () => {
    analyzer = await createAnalyzer({ model: false, postTimeout: 120_000, onNotice: () => {} });
  });
  afterAll(async () => {
    await analyzer.close();
  });

  it.each(SHAPES.map((s) => [s.name, s.unit] as const))('%s', async (_name, unit) => {
    const text = repeatTo(unit, LENGTH);
    const started = performance.now();
    const [record] = await collect(analyzer.analyzeStream([{ id: 'p', text, meta: {}, source: 't', line: 1 }]));
    const scored = performance.now() - started;
    // Scored, not a scoring_timeout or scoring_failed record: a post handed to analyzeStream is scored whatever it holds.
    expect(isErrorRecord(record!)).toBe(false);
    const clustered = performance.now();
    createClusterer().add(text, 1);
    expect(scored).toBeLessThan(LIMIT_MS);
    expect(performance.now() - clustered).toBeLessThan(LIMIT_MS);
  });
});
