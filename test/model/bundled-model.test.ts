import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalyzer } from '../../src/analyzer.js';
import { loadTransformersClassifier, modelLogits } from '../../src/model/transformers.js';
import { normalize } from '../../src/normalize/index.js';
import { BUNDLED_MODEL_DIR } from '../../src/paths.js';
import { CATEGORIES } from '../../src/types.js';

// The one test that loads the real model shipped in models/qorgau-tiny (offline, as a user's scan does).
const ref = JSON.parse(readFileSync(join(BUNDLED_MODEL_DIR, 'reference_logits.json'), 'utf8')) as {
  labels: string[];
  tolerance_fp32: number;
  samples: { text: string; logits: number[] }[];
};
const texts = ref.samples.map((s) => s.text);

describe('the bundled model', () => {
  it('gives the logits PyTorch gave at export time, within 1e-4 (fp32)', async () => {
    const { labels, logits } = await modelLogits(BUNDLED_MODEL_DIR, 'fp32', texts);
    expect(labels).toEqual([...CATEGORIES]);
    expect(ref.tolerance_fp32).toBeLessThanOrEqual(1e-4);
    let worst = 0;
    logits.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - ref.samples[i]!.logits[j]!)))));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  it('makes the same decisions in int8 as in fp32', async () => {
    const samples = readFileSync(join(import.meta.dirname, '..', '..', 'corpora', 'samples', 'lines.txt'), 'utf8').split('\n').filter(Boolean);
    const all = [...texts, ...samples];
    const [q8, fp32] = await Promise.all([modelLogits(BUNDLED_MODEL_DIR, 'q8', all), modelLogits(BUNDLED_MODEL_DIR, 'fp32', all)]);
    const decide = (rows: number[][]) => rows.map((r) => r.map((v) => v >= 0));
    expect(decide(q8.logits)).toEqual(decide(fp32.logits));
  });

  it('gives the same probabilities through its own WordPiece encoder as through the transformers.js pipeline', async () => {
    const samples = readFileSync(join(import.meta.dirname, '..', '..', 'corpora', 'samples', 'lines.txt'), 'utf8').split('\n').filter(Boolean);
    // Normalized text is what the analyzer hands the model; raw text exercises case, emoji and punctuation.
    const all = [...texts, ...samples, ...samples.map((t) => normalize(t).text), 'x '.repeat(400)];
    const [fast, reference] = await Promise.all([
      loadTransformersClassifier({ dir: BUNDLED_MODEL_DIR }),
      loadTransformersClassifier({ dir: BUNDLED_MODEL_DIR, tokenizer: 'transformers' }),
    ]);
    try {
      const [a, b] = await Promise.all([fast.classify(all), reference.classify(all)]);
      expect(a).toHaveLength(all.length);
      let worst = 0;
      a.forEach((row, i) => CATEGORIES.forEach((c) => (worst = Math.max(worst, Math.abs(row[c]! - b[i]![c]!)))));
      expect(worst).toBeLessThan(1e-6);
    } finally {
      await Promise.all([fast.dispose(), reference.dispose()]);
    }
  });

  it('is what createAnalyzer() loads by default, and it scores a shop ad above a news report', async () => {
    const analyzer = await createAnalyzer({ onNotice: () => {} });
    try {
      expect(analyzer.info.model).toMatch(/qorgau-tiny/);
      const shop = await analyzer.analyze('Меф, шишки, альфа в наличии. Ровный клад по Алматы, цены от 8000₸, оператор @almaty_shop_bot');
      const news = await analyzer.analyze('Полиция Алматы задержала закладчика, изъято 40 свертков. Возбуждено уголовное дело по статье 297.');
      expect(shop.labels).toContain('drugs');
      expect(shop.scores.drugs).toBeGreaterThan(news.scores.drugs);
      expect(news.labels).not.toContain('drugs');
    } finally {
      await analyzer.close();
    }
  });
});
