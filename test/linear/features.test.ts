import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DEFAULT_SCHEME, FeatureExtractor, type FeatureScheme } from '../../src/linear/features.js';

const scheme: FeatureScheme = { ...DEFAULT_SCHEME, bits: 18 };

function features(text: string, s = scheme): { char: Map<number, number>; word: Map<number, number> } {
  const fx = new FeatureExtractor(s);
  fx.extract(text);
  const char = new Map<number, number>();
  const word = new Map<number, number>();
  for (let i = 0; i < fx.count; i += 1) (i < fx.charCount ? char : word).set(fx.idx[i]!, fx.val[i]!);
  return { char, word };
}

const norm = (m: Map<number, number>): number => Math.sqrt([...m.values()].reduce((a, v) => a + v * v, 0));

describe('FeatureExtractor', () => {
  it('takes char n-grams inside words only: two words give the union of their n-grams', () => {
    const both = features('закладки меф').char;
    const a = features('закладки').char;
    const b = features('меф').char;
    expect(new Set(both.keys())).toEqual(new Set([...a.keys(), ...b.keys()]));
    // Padded 2–5-grams of a word of length L: 4L − 2 (L ≥ 3), fewer distinct if some repeat.
    expect(features('меф').char.size).toBe(10);
  });

  it('normalizes each block to unit length, with sublinear counts', () => {
    const f = features('меф меф меф соль @shop_bot 💊');
    expect(norm(f.char)).toBeCloseTo(1, 5);
    expect(norm(f.word)).toBeCloseTo(1, 5);
    const once = features('меф соль').word;
    const thrice = features('меф меф меф соль').word;
    const ratio = (m: Map<number, number>) => Math.max(...m.values()) / Math.min(...m.values());
    expect(ratio(once)).toBeCloseTo(1, 5);
    expect(ratio(thrice)).toBeCloseTo(1 + Math.log(3), 5);
  });

  it('treats emoji and symbols as tokens of their own, and ignores punctuation', () => {
    expect(features('меф, соль!').word).toEqual(features('меф соль').word);
    const withEmoji = features('меф 💊 соль');
    expect(withEmoji.word.size).toBe(features('меф соль').word.size + 2); // 💊 and one more bigram
    expect(withEmoji.char).toEqual(features('меф соль').char);
  });

  it('gives the same buckets from spans() as from extract(), each span inside the text', () => {
    const text = 'купи закладки ❄ у @shop_bot. есірткі сатамыз';
    const fx = new FeatureExtractor(scheme);
    fx.extract(text);
    const buckets = new Set(Array.from(fx.idx.subarray(0, fx.count)));
    const { tokens, spans } = fx.spans(text);
    expect(new Set(spans.map((s) => s.bucket))).toEqual(buckets);
    for (const s of spans) {
      expect(s.start).toBeGreaterThanOrEqual(0);
      expect(s.end).toBeLessThanOrEqual(text.length);
      expect(s.end).toBeGreaterThan(s.start);
      expect(s.start).toBeGreaterThanOrEqual(tokens[s.token]!.start);
    }
    expect(tokens.map((t) => text.slice(t.start, t.end))).toEqual(['купи', 'закладки', '❄', 'у', '@shop_bot', 'есірткі', 'сатамыз']);
  });

  it('keeps its feature scheme stable: models trained earlier read the same buckets', () => {
    // A fingerprint of the buckets of a fixed text. If this changes, every shipped model.bin is invalid:
    // bump the scheme version instead of editing the hashing.
    const fx = new FeatureExtractor(DEFAULT_SCHEME);
    fx.extract('ровный клад по алматы, меф 💊 @shop_bot 8000₸');
    const sorted = Array.from(fx.idx.subarray(0, fx.count)).sort((a, b) => a - b);
    const digest = createHash('sha1').update(sorted.join(',')).digest('hex').slice(0, 12);
    expect({ count: fx.count, digest }).toEqual({ count: 138, digest: '4d9a3df2b549' });
  });

  it.each([
    ['empty', ''],
    ['only punctuation', '!!! ... ???'],
    ['lone surrogates', '\ud800 меф \udc00 x\ud83d'],
    ['a very long word', 'а'.repeat(10_000)],
  ])('never throws and stays normalized on %s', (_, text) => {
    const f = features(text);
    if (f.char.size) expect(norm(f.char)).toBeCloseTo(1, 5);
    if (f.word.size) expect(norm(f.word)).toBeCloseTo(1, 5);
  });

  it('reads at most maxChars of a huge post, and stays correct after growing its buffers', () => {
    const fx = new FeatureExtractor({ ...scheme, maxChars: 50_000 });
    const words = Array.from({ length: 40_000 }, (_, i) => `слово${i}`).join(' ');
    fx.extract(words);
    const big = fx.count;
    expect(big).toBeGreaterThan(10_000);
    // After a huge post the next small one gives exactly what a fresh extractor gives.
    fx.extract('меф соль');
    const fresh = new FeatureExtractor({ ...scheme, maxChars: 50_000 });
    fresh.extract('меф соль');
    expect(Array.from(fx.idx.subarray(0, fx.count))).toEqual(Array.from(fresh.idx.subarray(0, fresh.count)));
    expect(Array.from(fx.val.subarray(0, fx.count))).toEqual(Array.from(fresh.val.subarray(0, fresh.count)));
    const capped = new FeatureExtractor({ ...scheme, maxChars: 100 });
    capped.extract(words);
    expect(capped.count).toBeLessThan(600);
  });
});
