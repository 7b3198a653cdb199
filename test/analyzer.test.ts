import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_MODEL_DIR } from '../src/paths.js';
import { createAnalyzer } from '../src/analyzer.js';
import { QorgauError } from '../src/errors.js';
import { isErrorRecord, type ErrorRecord, type Post, type Result } from '../src/types.js';
import { collect } from './helpers/collect.js';
import { fakeClassifier } from './helpers/fake-classifier.js';

const quiet = { onNotice: () => {} };
const post = (id: string, text: string): Post => ({ id, text, meta: {}, source: 't', line: Number(id) || 0 });

describe('createAnalyzer()', () => {
  it('puts evidence spans into the original text, not the normalized one', async () => {
    const analyzer = await createAnalyzer({ model: false, ...quiet });
    const text = 'Ровный   ЗА\u200BКЛАДКИ по городу, оператор @shop_bot';
    const r = await analyzer.analyze(text);
    expect(r.labels).toContain('drugs');
    expect(r.evidence.length).toBeGreaterThan(0);
    for (const e of r.evidence) expect(text.slice(e.start, e.end)).toBe(e.match);
    expect(r.evidence.map((e) => e.match)).toContain('ЗА\u200BКЛАДКИ по');
    expect(r.contacts).toEqual([{ type: 'bot', value: '@shop_bot', start: text.indexOf('@'), end: text.length }]);
  });

  it('yields exactly one result or error per input record, in input order', async () => {
    const analyzer = await createAnalyzer({ model: false, batchSize: 2, ...quiet });
    const error: ErrorRecord = { source: 't', line: 3, error: { code: 'bad_json', message: 'x' } };
    const input = [post('1', 'закладки тут'), post('2', 'привет'), error, post('4', 'x'.repeat(10)), post('5', 'ещё')];
    const out = await collect(analyzer.analyzeStream(input));
    expect(out).toHaveLength(input.length);
    expect(out.map((o) => (isErrorRecord(o) ? `e${o.line}` : o.id))).toEqual(['1', '2', 'e3', '4', '5']);
  });

  it('batches posts for the model and fuses its probabilities into the scores', async () => {
    const classifier = fakeClassifier({ казино: { gambling: 0.93 } });
    const analyzer = await createAnalyzer({ classifier, batchSize: 3, ...quiet });
    const input = Array.from({ length: 7 }, (_, i) => post(String(i + 1), i === 4 ? 'Лучшее КАЗИНО' : `пост ${i}`));
    const out = (await collect(analyzer.analyzeStream(input))) as Result[];
    expect(classifier.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(classifier.batches[1]).toContain('лучшее казино'); // the model sees normalized text
    expect(out[4]!.labels).toEqual(['gambling']);
    expect(out[4]!.scores.gambling).toBeCloseTo(0.93);
    expect(out[0]!.labels).toEqual([]);
  });

  it('closes a batch at batchChars characters, so long posts go to the model a few at a time', async () => {
    const classifier = fakeClassifier();
    const analyzer = await createAnalyzer({ classifier, batchSize: 256, batchChars: 2_500, ...quiet });
    const lengths = [1_000, 1_000, 1_000, 10, 3_000, 10, 10];
    const input = lengths.map((n, i) => post(String(i + 1), `пост ${'а'.repeat(n)}`));
    const out = await collect(analyzer.analyzeStream(input));
    expect(out).toHaveLength(input.length);
    // Closed after the post that reached 2,500 characters: 3 posts, then 2 (the 3,000-character post), then the rest.
    expect(classifier.batches.map((b) => b.length)).toEqual([3, 2, 2]);
  });

  it('turns a model failure into error records for that batch only', async () => {
    let calls = 0;
    const analyzer = await createAnalyzer({
      classifier: {
        name: 'flaky',
        async classify(texts) {
          calls += 1;
          if (calls === 1) throw new Error('boom');
          return texts.map(() => ({}));
        },
        async dispose() {},
      },
      batchSize: 2,
      ...quiet,
    });
    const out = await collect(analyzer.analyzeStream([post('1', 'a'), post('2', 'b'), post('3', 'c')]));
    expect(out.map((o) => (isErrorRecord(o) ? o.error.code : 'ok'))).toEqual(['scoring_failed', 'scoring_failed', 'ok']);
  });

  it('applies per-category thresholds', async () => {
    const classifier = fakeClassifier({ x: { fraud: 0.6, hate: 0.6 } });
    const analyzer = await createAnalyzer({ classifier, threshold: { fraud: 0.7 }, ...quiet });
    const r = await analyzer.analyze('x');
    expect(r.labels).toEqual(['hate']);
  });

  it('rejects empty and oversized texts with a clear error', async () => {
    const analyzer = await createAnalyzer({ model: false, maxTextLength: 10, ...quiet });
    await expect(analyzer.analyze('  ')).rejects.toThrow(QorgauError);
    await expect(analyzer.analyze('слишком длинный текст')).rejects.toThrow(/more than maxTextLength/);
  });

  it.each([
    [{ threshold: 1.5 }, 'Expected `threshold` to be a number from 0 to 1, got `1.5`.'],
    [{ batchSize: 0 }, 'Expected `batchSize` to be an integer from 1 to 4096, got `0`.'],
    [{ batchChars: 0.5 }, 'Expected `batchChars` to be an integer from 1 to 1000000000, got `0.5`.'],
    [{ threshold: { drug: 0.5 } }, 'Expected `threshold` keys to be categories'],
    [{ model: '' }, 'Expected `model` to be a folder path or false'],
  ])('validates options %j', async (options, message) => {
    await expect(createAnalyzer({ ...(options as object), ...quiet })).rejects.toThrow(message);
  });

  it('says once that it runs rules-only when no model is loaded', async () => {
    const notes: string[] = [];
    await createAnalyzer({ model: false, onNotice: (m) => notes.push(m) });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/rules-only/);
  });

  it('fails clearly for a model folder that does not exist', async () => {
    await expect(createAnalyzer({ model: '/tmp/no-such-model', ...quiet })).rejects.toThrow(/missing config\.json.*--no-model/);
    // transformers.js would fail on this name with a TypeError deep inside; the check names the fix.
    const oddName = join(mkdtempSync(join(tmpdir(), 'qorgau-')), 'my--model');
    cpSync(BUNDLED_MODEL_DIR, oddName, { recursive: true });
    await expect(createAnalyzer({ model: oddName, ...quiet })).rejects.toThrow(/my--model cannot be loaded.*Rename the folder/);
  });
});

describe('model-only evidence', () => {
  it('explains a label no rule explains with the sentence the model scores highest', async () => {
    const classifier = fakeClassifier({ 'ставки принимаем': { gambling: 0.95 }, казино: { gambling: 0.6 } });
    const analyzer = await createAnalyzer({ classifier, ...quiet });
    const text = 'Привет всем. Ставки принимаем круглосуточно! Пишите.';
    const r = await analyzer.analyze(text);
    expect(r.labels).toEqual(['gambling']);
    const e = r.evidence.find((x) => x.rule === 'model')!;
    expect(e.category).toBe('gambling');
    expect(text.slice(e.start, e.end)).toBe(e.match);
    expect(e.match).toBe('Ставки принимаем круглосуточно!');
  });

  it('adds no model evidence where a rule already explains the label', async () => {
    const classifier = fakeClassifier({ закладки: { drugs: 0.9 } });
    const analyzer = await createAnalyzer({ classifier, ...quiet });
    const r = await analyzer.analyze('закладки по городу');
    expect(r.evidence.some((e) => e.rule === 'model')).toBe(false);
    expect(classifier.batches).toHaveLength(1);
  });

  it('uses a fusion layer when given one and keeps the components on request', async () => {
    const bias = Object.fromEntries(['drugs', 'cyberbullying', 'extremism', 'hate', 'suicide', 'gambling', 'fraud', 'sexual', 'weapons'].map((c) => [c, -3]));
    const fusion = { version: 1 as const, weights: { model: 1, rule: 0, fired: 0 }, bias: bias as never };
    const analyzer = await createAnalyzer({ classifier: fakeClassifier({ x: { fraud: 0.9 } }), fusion, keepComponents: true, ...quiet });
    const r = await analyzer.analyze('x');
    // sigmoid(-3 + logit(0.9)) = 0.9 / (0.9 + 0.1·e³)
    expect(r.scores.fraud).toBeCloseTo(0.9 / (0.9 + 0.1 * Math.exp(3)), 3);
    expect(r.components?.model?.fraud).toBe(0.9);
  });
});
