import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer } from '../../src/analyzer.js';
import { DEFAULT_SCHEME } from '../../src/linear/features.js';
import { writeLinearFusion } from '../../src/linear/fusion-file.js';
import { encodeModel } from '../../src/linear/model.js';
import { trainLinear } from '../../src/linear/train.js';
import { normalize } from '../../src/normalize/index.js';
import { resolveOptions } from '../../src/options.js';
import { fitStack } from '../../src/score/fusion.js';
import { CATEGORIES, isErrorRecord, type Result } from '../../src/types.js';
import { collect } from '../helpers/collect.js';
import { fakeClassifier } from '../helpers/fake-classifier.js';
import { makeCorpus } from '../helpers/corpus.js';

const quiet = { onNotice: () => {} };
let dir: string;

beforeAll(() => {
  // Made-up slang («брунька», «зуммер») that no rule knows, so only the linear model can flag it.
  const rows = [
    ...makeCorpus(300, 3),
    ...Array.from({ length: 90 }, (_, i) => ({ text: `${i % 2 ? 'брунька' : 'зуммер брунька'} по городу ${['есть', 'опт', 'всем'][i % 3]}`, labels: ['drugs' as const] })),
  ];
  const trained = trainLinear(
    rows.map((r) => ({ text: normalize(r.text).text, labels: r.labels })),
    { scheme: { ...DEFAULT_SCHEME, bits: 16 }, minCount: 1 },
  );
  dir = join(mkdtempSync(join(tmpdir(), 'qorgau-lin-')), 'lin');
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.bin'), encodeModel(trained.model));
});

describe('the analyzer with the linear model', () => {
  it('scores every post with it and explains a label no rule explains with n-grams of the original text', async () => {
    const notices: string[] = [];
    const analyzer = await createAnalyzer({ model: false, linear: dir, keepComponents: true, onNotice: (m) => notices.push(m) });
    expect(analyzer.info.linear).toBe('lin');
    // Obfuscated: Latin look-alikes and a zero-width space; the evidence must still be a slice of this text.
    const text = 'Бpунькa и ЗУМ\u200BМЕР по городу';
    const r = await analyzer.analyze(text);
    expect(r.labels).toContain('drugs');
    expect(r.components?.linear?.drugs).toBeGreaterThan(0.5);
    const ev = r.evidence.filter((e) => e.rule === 'model:ngram');
    expect(ev.length).toBeGreaterThan(0);
    for (const e of ev) {
      expect(text.slice(e.start, e.end)).toBe(e.match);
      expect(e.category).toBe('drugs');
      expect(e.weight).toBeGreaterThan(0);
    }
    expect(ev.map((e) => e.match).join(' ')).toMatch(/Бpунькa|ЗУМ\u200BМЕР/);
    // No fusion was fitted for rules+linear: said once, and the stronger signal wins.
    expect(notices.some((n) => /no fusion layer in .*fusion\.json for rules\+linear/.test(n))).toBe(true);
    expect(r.scores.drugs).toBeCloseTo(Math.max(r.components!.rules.drugs, r.components!.linear!.drugs!), 3);
    await analyzer.close();
  });

  it('leaves a clean post clean and adds no evidence to rule-explained labels', async () => {
    const analyzer = await createAnalyzer({ model: false, linear: dir, ...quiet });
    const [clean, shop] = (await collect(
      analyzer.analyzeStream([
        { id: '1', text: 'погода сегодня в городе, концерт', meta: {} },
        { id: '2', text: 'Закладки по городу, пиши @shop_bot', meta: {} },
      ]),
    )) as Result[];
    expect(clean!.labels).toEqual([]);
    expect(shop!.labels).toContain('drugs');
    expect(shop!.evidence.some((e) => e.rule === 'model:ngram' && e.category === 'drugs')).toBe(false);
  });

  it('uses the fitted version 3 layer and its thresholds for the detectors that run', async () => {
    const own = join(mkdtempSync(join(tmpdir(), 'qorgau-lin2-')), 'lin');
    mkdirSync(own);
    writeFileSync(join(own, 'model.bin'), encodeModel(trainLinear([{ text: 'брунька', labels: ['drugs'] }, { text: 'погода', labels: [] }], { scheme: { ...DEFAULT_SCHEME, bits: 12 }, minCount: 1 }).model));
    const zero = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<(typeof CATEGORIES)[number], number>;
    const fusion = fitStack(
      [
        { scores: { rules: zero, linear: { drugs: 0.9 } }, gold: ['drugs'] },
        { scores: { rules: zero, linear: { drugs: 0.1 } }, gold: [] },
      ],
      'rules-or',
      ['linear'],
    );
    writeLinearFusion(own, 'rules+linear', { fusion, thresholds: { ...zero, drugs: 0.42 } });
    expect(resolveOptions({ model: false, linear: own }).thresholds.drugs).toBe(0.42);
    expect(resolveOptions({ model: false, linear: own }).fusion).toEqual(fusion);
    // Another set of detectors has no entry: default thresholds.
    expect(resolveOptions({ model: false, linear: own, rules: false }).thresholds.drugs).toBe(0.5);
  });

  it('is off with linear: false, for rules-only runs and with an injected classifier unless named', () => {
    expect(resolveOptions({ model: false }).linear).toBe(false);
    expect(resolveOptions({ classifier: fakeClassifier() }).linear).toBe(false);
    expect(resolveOptions({ linear: false }).linear).toBe(false);
    expect(resolveOptions({ classifier: fakeClassifier(), linear: dir }).detectors).toBe('rules+model+linear');
    expect(() => resolveOptions({ linear: '' as string })).toThrow('Expected `linear` to be a folder path or false');
  });

  it('gives the same results in worker threads (each loads the model once) as on this thread', async () => {
    const texts = ['брунька по городу', 'погода в городе', 'Закладки по городу, пиши @shop_bot', 'зуммер брунька опт', 'ставки на спорт, фрибет'];
    const posts = texts.map((text, i) => ({ id: String(i), text, meta: {} }));
    const single = await createAnalyzer({ model: false, linear: dir, keepComponents: true, batchSize: 2, ...quiet });
    const pooled = await createAnalyzer({ model: false, linear: dir, keepComponents: true, batchSize: 2, workers: 2, ...quiet });
    try {
      expect(pooled.info.linear).toBe('lin');
      expect(await collect(pooled.analyzeStream(posts))).toEqual(await collect(single.analyzeStream(posts)));
    } finally {
      await Promise.all([single.close(), pooled.close()]);
    }
  });

  it('fails at load with a message naming a folder without a model', async () => {
    await expect(createAnalyzer({ model: false, linear: mkdtempSync(join(tmpdir(), 'qorgau-none-')), ...quiet })).rejects.toThrow(/No linear model at .*model\.bin.*--no-linear/);
  });

  it('with a transformer too: the n-gram evidence when the linear model raised the label', async () => {
    const analyzer = await createAnalyzer({ classifier: fakeClassifier({ погода: { weapons: 0.95 } }), linear: dir, ...quiet });
    const [a, b] = (await collect(
      analyzer.analyzeStream([
        { id: '1', text: 'брунька по городу', meta: {} },
        { id: '2', text: 'погода в городе', meta: {} },
      ]),
    )).filter((o): o is Result => !isErrorRecord(o));
    expect(a!.evidence.filter((e) => e.category === 'drugs').map((e) => e.rule)).toEqual(['model:ngram']);
    // Raised by the transformer alone (the fake one): explained by its sentence, as before.
    expect(b!.labels).toEqual(['weapons']);
    expect(b!.evidence.map((e) => e.rule)).toEqual(['model']);
  });
});
