import { describe, expect, it } from 'vitest';
import { minimize } from '../../src/linear/lbfgs.js';
import { createScorer, decodeModel, encodeModel } from '../../src/linear/model.js';
import { trainLinear, type TrainExample } from '../../src/linear/train.js';
import { DEFAULT_SCHEME } from '../../src/linear/features.js';
import type { Category } from '../../src/types.js';

describe('minimize() (L-BFGS)', () => {
  it('finds the minimum of an ill-conditioned quadratic', () => {
    const target = [3, -1, 0.5, 10];
    const scale = [1, 100, 0.01, 5];
    const r = minimize(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < 4; i += 1) {
          const d = x[i]! - target[i]!;
          f += 0.5 * scale[i]! * d * d;
          g[i] = scale[i]! * d;
        }
        return f;
      },
      new Float64Array(4),
      { maxIterations: 200, tolerance: 1e-14, gradientTolerance: 1e-10 },
    );
    expect(r.converged).toBe(true);
    r.x.forEach((v, i) => expect(v).toBeCloseTo(target[i]!, 4));
  });
});

// A small synthetic corpus: shop posts (drugs) and scam posts (fraud) built from separate vocabularies, each
// with filler shared with the clean posts, so a model must learn which words carry the label.
const filler = ['сегодня', 'в городе', 'друзья', 'пишите', 'быстро', 'ночью', 'качество', 'отзывы', 'бүгін', 'қалада', 'жылдам'];
const drugWords = ['закладки', 'меф', 'шишки', 'кристаллы', 'клад', 'гашиш', 'есірткі'];
const fraudWords = ['пирамида', 'гарантированный доход', 'ваша карта заблокирована', 'дропы', 'инвестиции под 300%', 'ұтыс'];
const cleanWords = ['погода', 'футбол', 'новости', 'рецепт плова', 'концерт', 'кітап', 'ауа райы', 'автобус'];

function corpus(n: number, seed: number): { ex: TrainExample; label: Category | 'clean' }[] {
  let s = seed;
  const rnd = (k: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % k;
  };
  const out: { ex: TrainExample; label: Category | 'clean' }[] = [];
  for (let i = 0; i < n; i += 1) {
    const kind = i % 3;
    const words = kind === 0 ? drugWords : kind === 1 ? fraudWords : cleanWords;
    const parts = [words[rnd(words.length)]!, filler[rnd(filler.length)]!, cleanWords[rnd(cleanWords.length)]!, filler[rnd(filler.length)]!];
    if (kind !== 2) parts.splice(rnd(3), 0, words[rnd(words.length)]!);
    const labels: Category[] = kind === 0 ? ['drugs'] : kind === 1 ? ['fraud'] : [];
    out.push({ ex: { text: parts.join(' '), labels }, label: labels[0] ?? 'clean' });
  }
  return out;
}

describe('trainLinear()', () => {
  const scheme = { ...DEFAULT_SCHEME, bits: 16 };
  const train = corpus(240, 1);
  const heldOut = corpus(60, 99);
  const trained = trainLinear(
    train.map((t) => t.ex),
    { scheme, c: 5, minCount: 1 },
  );

  it('learns held-out examples it never saw', () => {
    const scorer = createScorer(decodeModel(encodeModel(trained.model), 'm/model.bin'));
    let right = 0;
    for (const h of heldOut) {
      const s = scorer.score(h.ex.text);
      const guess = s.drugs >= 0.5 ? 'drugs' : s.fraud >= 0.5 ? 'fraud' : 'clean';
      if (guess === h.label) right += 1;
    }
    expect(right / heldOut.length).toBeGreaterThan(0.9);
    expect(trained.stats.drugs.positives).toBe(80);
    expect(trained.stats.hate).toEqual({ positives: 0, iterations: 0, converged: true });
    // A category without positives never fires.
    expect(scorer.score('закладки пирамида').hate).toBeLessThan(0.001);
  });

  it('is deterministic: training twice gives the same bytes', () => {
    const again = trainLinear(
      train.map((t) => t.ex),
      { scheme, c: 5, minCount: 1 },
    );
    expect(encodeModel(again.model).equals(encodeModel(trained.model))).toBe(true);
  });

  it('drops features seen in fewer than minCount posts, and a stronger penalty shrinks the weights', () => {
    const pruned = trainLinear(
      train.map((t) => t.ex),
      { scheme, c: 5, minCount: 5 },
    );
    expect(pruned.features.kept).toBeLessThan(trained.features.kept);
    const strong = trainLinear(
      train.map((t) => t.ex),
      { scheme, c: 0.01, minCount: 1 },
    );
    const norm = (m: typeof trained.model) => m.scale[0]! * 127;
    expect(norm(strong.model)).toBeLessThan(norm(trained.model));
  });

  it('weights examples: a heavy clean twin of a positive pulls its score down', () => {
    const text = 'закладки погода сегодня';
    const base = train.map((t) => t.ex);
    const light = trainLinear([...base, { text, labels: [] }], { scheme, minCount: 1 });
    const heavy = trainLinear([...base, { text, labels: [], weight: 50 }], { scheme, minCount: 1 });
    const p = (m: typeof light) => createScorer(decodeModel(encodeModel(m.model), 'm/model.bin')).score(text).drugs;
    expect(p(heavy)).toBeLessThan(p(light));
  });
});

describe('trainLinearParallel()', () => {
  it('gives the same bytes with worker threads as on one thread', async () => {
    const { trainLinearParallel, TRAIN_WORKER_SCRIPT } = await import('../../src/linear/train.js');
    const { existsSync } = await import('node:fs');
    expect(existsSync(TRAIN_WORKER_SCRIPT), 'run npm run build first: the workers run dist/linear/train-worker.js').toBe(true);
    const examples = corpus(240, 5).map((t) => t.ex);
    const options = { scheme: { ...DEFAULT_SCHEME, bits: 16 }, minCount: 1 };
    let calls = 0;
    const parallel = await trainLinearParallel(examples, { ...options, threads: 3, onProgress: () => (calls += 1) });
    const serial = trainLinear(examples, options);
    expect(encodeModel(parallel.model).equals(encodeModel(serial.model))).toBe(true);
    expect(parallel.stats).toEqual(serial.stats);
    expect(calls).toBeGreaterThan(0);
  });
});
