#!/usr/bin/env node
// Prints the README's evaluation tables: rules-only, model-only and fused, per category and per language,
// on one split of the labelled corpus. Same scoring as `qorgau eval` (it calls the same evaluate()).
// Usage: node scripts/eval/table.mjs [--split test] [--json out.json] [gold.jsonl...]   (after npm run build)
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, scoreGold, fitThresholds, CATEGORIES } from '../../dist/index.js';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  if (i === -1) return dflt;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const split = opt('split', 'test');
const jsonOut = opt('json', undefined);
const gold = argv.length ? argv : readdirSync('corpora/labelled').filter((f) => f.endsWith('.jsonl')).map((f) => join('corpora/labelled', f));
const quiet = { onNotice: () => {} };
// The model alone gets best-F1 thresholds fitted on dev (`qorgau calibrate --best-f1`: at a 0.9 precision target
// the tiny model keeps almost no recall); rules-only and fused runs use models/thresholds.json (calibrate on dev).
const modelOnly = { rules: false, fusion: false, ...quiet };
const devModel = await scoreGold({ gold, splits: ['dev'], ...modelOnly });
const modelThresholds = fitThresholds(devModel.items, 'f1').thresholds;
const runs = {
  rules: await evaluate({ gold, splits: [split], model: false, ...quiet }),
  model: await evaluate({ gold, splits: [split], ...modelOnly, threshold: modelThresholds }),
  fused: await evaluate({ gold, splits: [split], ...quiet }),
};
const f = (x) => x.toFixed(2);
const cell = (m) => `${f(m.precision)} / ${f(m.recall)} / **${f(m.f1)}**`;
console.log(`Split \`${split}\`: ${runs.fused.n} posts (${runs.fused.cleanPosts} clean). Cells: precision / recall / **F1**.\n`);
console.log('| category | support | rules only | model only | rules + model (fused) |');
console.log('| --- | ---: | --- | --- | --- |');
for (const c of CATEGORIES) {
  console.log(`| ${c} | ${runs.fused.perCategory[c].support} | ${cell(runs.rules.perCategory[c])} | ${cell(runs.model.perCategory[c])} | ${cell(runs.fused.perCategory[c])} |`);
}
const overall = (r) => `micro ${f(r.microF1)}, macro ${f(r.macroF1)}`;
console.log(`| **all** | | ${overall(runs.rules)} | ${overall(runs.model)} | ${overall(runs.fused)} |`);
console.log(`| clean posts flagged | ${runs.fused.cleanPosts} | ${(runs.rules.cleanFlaggedRate * 100).toFixed(1)}% | ${(runs.model.cleanFlaggedRate * 100).toFixed(1)}% | ${(runs.fused.cleanFlaggedRate * 100).toFixed(1)}% |`);
const hard = (r) => `${(r.hardNegatives.flaggedRate * 100).toFixed(1)}%`;
console.log(`| hard negatives flagged | ${runs.fused.hardNegatives.posts} | ${hard(runs.rules)} | ${hard(runs.model)} | ${hard(runs.fused)} |`);
const news = (r) => {
  const k = ['news', 'police', 'court'].map((x) => r.hardNegatives.byKind[x] ?? { posts: 0, flagged: 0 });
  const posts = k.reduce((a, b) => a + b.posts, 0);
  return { posts, text: `${k.reduce((a, b) => a + b.flagged, 0)} of ${posts}` };
};
console.log(`| news/police/court about crime flagged | ${news(runs.fused).posts} | ${news(runs.rules).text} | ${news(runs.model).text} | ${news(runs.fused).text} |`);
const obf = (r) => `recall ${f(r.byObfuscation.obfuscated.microRecall)}`;
console.log(`| obfuscated positives | ${runs.fused.byObfuscation.obfuscated.n} | ${obf(runs.rules)} | ${obf(runs.model)} | ${obf(runs.fused)} |`);
console.log('\nPer language (micro F1 / macro F1 / clean flagged):\n');
console.log('| lang | posts | rules only | model only | fused |');
console.log('| --- | ---: | --- | --- | --- |');
for (const lang of Object.keys(runs.fused.byLanguage)) {
  const c = (r) => {
    const m = r.byLanguage[lang];
    return `${f(m.microF1)} / ${f(m.macroF1)} / ${(m.cleanFlaggedRate * 100).toFixed(1)}%`;
  };
  console.log(`| ${lang} | ${runs.fused.byLanguage[lang].n} | ${c(runs.rules)} | ${c(runs.model)} | ${c(runs.fused)} |`);
}
console.log(`\nModel: ${runs.fused.model ?? 'none'}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(runs, null, 2));
