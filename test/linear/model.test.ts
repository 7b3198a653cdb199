import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SCHEME, FeatureExtractor } from '../../src/linear/features.js';
import { createScorer, decodeModel, encodeModel, loadLinearModel, quantize, type LinearModel } from '../../src/linear/model.js';
import { CATEGORIES } from '../../src/types.js';
import { QorgauError } from '../../src/errors.js';

const scheme = { ...DEFAULT_SCHEME, bits: 14 };
const K = CATEGORIES.length;

/** A model whose drugs weights are +1 on the features of «закладки» and fraud −1 on them. */
function handMade(): Omit<LinearModel, 'name'> {
  const w = new Float64Array((1 << scheme.bits) * K);
  const fx = new FeatureExtractor(scheme);
  fx.extract('закладки');
  for (let i = 0; i < fx.count; i += 1) {
    w[fx.idx[i]! * K + 0] = 1;
    w[fx.idx[i]! * K + 6] = -0.5;
  }
  const { q, scale } = quantize(w, K);
  return { scheme, categories: CATEGORIES, weights: q, scale, bias: Float64Array.from({ length: K }, () => -1) };
}

describe('quantize()', () => {
  it('maps each category’s largest weight to ±127 and keeps signs and ratios', () => {
    // Row per bucket: w[b·K + c]. Bucket 0: drugs 0.5, cyberbullying −2, weapons 0.001; bucket 1: drugs 0.25, cyberbullying 1.
    const w = Float64Array.from([0.5, -2, 0, 0, 0, 0, 0, 0, 0.001, 0.25, 1, ...new Array(K - 2).fill(0)]);
    const { q, scale } = quantize(w, K);
    expect(q[0]).toBe(127);
    expect(q[1]).toBe(-127);
    expect(q[K]).toBe(64);
    expect(q[K + 1]).toBe(64);
    expect(scale[0]).toBeCloseTo(0.5 / 127, 9);
    expect(q[8]).toBe(127); // its own scale
  });
});

describe('model file', () => {
  it('round-trips: the decoded model scores exactly as the encoded one', () => {
    const m = handMade();
    const bytes = encodeModel(m);
    const back = decodeModel(bytes, '/x/m/model.bin');
    expect(back.name).toBe('m');
    expect(Array.from(back.weights)).toEqual(Array.from(m.weights));
    expect(Array.from(back.bias)).toEqual(Array.from(m.bias));
    const s = createScorer(back);
    expect(s.score('закладки').drugs).toBeGreaterThan(0.5);
    expect(s.score('закладки').fraud).toBeLessThan(s.score('привет').fraud);
    expect(s.score('привет').drugs).toBeCloseTo(1 / (1 + Math.E), 6);
    // The header is JSON naming the scheme.
    const len = bytes.readUInt32LE(4);
    expect(JSON.parse(bytes.subarray(8, 8 + len).toString())).toMatchObject({ format: 'qorgau-linear', version: 1, scheme: { name: 'qorgau-ngram', bits: 14 } });
  });

  it.each([
    ['no magic', (b: Buffer) => Buffer.concat([Buffer.from('XXXX'), b.subarray(4)]), /no QLIN magic/],
    ['a cut header', (b: Buffer) => b.subarray(0, 20), /header is cut short/],
    ['a corrupt body', (b: Buffer) => Buffer.concat([b.subarray(0, b.length - 40), Buffer.alloc(40, 7)]), /corrupt body|cut short|expected \d+ weights/],
    [
      'another feature scheme',
      (b: Buffer) => {
        const len = b.readUInt32LE(4);
        const h = JSON.parse(b.subarray(8, 8 + len).toString());
        h.scheme.name = 'other';
        const json = Buffer.from(JSON.stringify(h));
        const head = Buffer.alloc(8);
        head.writeUInt32LE(b.readUInt32LE(0), 0);
        head.writeUInt32LE(json.length, 4);
        return Buffer.concat([head, json, b.subarray(8 + len)]);
      },
      /feature scheme .* not one this version reads/,
    ],
  ])('rejects a file with %s, saying what to do', (_, damage, message) => {
    const bytes = damage(encodeModel(handMade()));
    try {
      decodeModel(bytes, 'm/model.bin');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QorgauError);
      expect((error as QorgauError).code).toBe('bad_model');
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/retrain it or pass another --linear folder/);
    }
  });

  it('names the missing file when a folder has no model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-lin-'));
    expect(() => loadLinearModel(dir)).toThrow(/No linear model at .*model\.bin/);
    mkdirSync(join(dir, 'ok'));
    writeFileSync(join(dir, 'ok', 'model.bin'), encodeModel(handMade()));
    expect(loadLinearModel(join(dir, 'ok')).name).toBe('ok');
  });
});

describe('explain()', () => {
  it('names the words that pushed a category up, strongest first, as spans of the given text', () => {
    const s = createScorer(decodeModel(encodeModel(handMade()), 'm/model.bin'));
    const text = 'ровные закладки по городу';
    const spans = s.explain(text, 'drugs');
    expect(spans.length).toBeGreaterThan(0);
    expect(text.slice(spans[0]!.start, spans[0]!.end)).toBe('закладки');
    expect(spans[0]!.weight).toBeGreaterThan(0);
    // Nothing pushes fraud up (its weights are negative): no evidence.
    expect(s.explain(text, 'fraud')).toEqual([]);
  });
});
