import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../src/bench/corpus.js';

describe('generateCorpus()', () => {
  it('reaches the asked size, the same way for the same seed', () => {
    const a = generateCorpus(0.2, 7);
    const b = generateCorpus(0.2, 7);
    expect(a.bytes).toBeGreaterThanOrEqual(200_000);
    expect(a.bytes).toBe(a.posts.reduce((s, p) => s + Buffer.byteLength(p), 0));
    expect(b.posts).toEqual(a.posts);
    expect(generateCorpus(0.2, 8).posts).not.toEqual(a.posts);
  });

  it('mixes the kinds of post the pipeline reads', () => {
    const text = generateCorpus(0.2).posts.join('\n');
    for (const sample of [/з@кл@дки/, /@shop\d+_bot/, /Бүгін/, /Esirtki satamyz/, /₸/, /\+7 70\d/, /https:\/\//, /❄️/]) expect(text).toMatch(sample);
  });
});
