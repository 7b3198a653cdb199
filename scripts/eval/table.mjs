#!/usr/bin/env node
// Prints the README's evaluation tables: rules-only, model-only and fused, per category and per language,
// on one split of the labelled corpus. Same scoring as `qorgau eval` (it calls the same evaluate()).
// Usage: node scripts/eval/table.mjs [--split test] [--fit-split calib] [--json out.json] [gold.jsonl...]   (after npm run build)
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
const fitSplit = opt('fit-split', 'calib');
const gold = argv.length ? argv : readdirSync('corpora/labelled').filter((f) => f.endsWith('.jsonl')).map((f) => join('corpora/labelled', f));
const quiet = { onNotice: () => {} };
// Rules-only and fused runs use what ships (models/thresholds.json: `qorgau calibrate --split calib`, precision
// target 0.9). The model alone, and the fused scores a second time, get best-F1 thresholds fitted on the calib
// split (`qorgau calibrate --best-f1`), so the model-only column and the last one compare at the same kind of
// operating point.
const modelOnly = { rules: false, fusion: false, ...quiet };
const bestF1 = async (options) => fitThresholds((await scoreGold({ gold, splits: [fitSplit], ...options })).items, 'f1').thresholds;
const runs = {
  rules: await evaluate({ gold, splits: [split], model: false, ...quiet }),
  model: await evaluate({ gold, splits: [split], ...modelOnly, threshold: await bestF1(modelOnly) }),
  fused: await evaluate({ gold, splits: [split], ...quiet }),
  fusedF1: await evaluate({ gold, splits: [split], ...quiet, threshold: await bestF1(quiet) }),
};
const f = (x) => x.toFixed(2);
const cell = (m) => `${f(m.precision)} / ${f(m.recall)} / **${f(m.f1)}**`;
console.log(`Split \`${split}\`: ${runs.fused.n} posts (${runs.fused.cleanPosts} clean). Cells: precision / recall / **F1**.\n`);
console.log('| category | support | rules only | model only (best-F1 thresholds) | fused (shipped: precision 0.9 target) | fused (best-F1 thresholds) |');
console.log('| --- | ---: | --- | --- | --- | --- |');
const cols = [runs.rules, runs.model, runs.fused, runs.fusedF1];
const row = (fn) => cols.map(fn).join(' | ');
for (const c of CATEGORIES) {
  console.log(`| ${c} | ${runs.fused.perCategory[c].support} | ${row((r) => cell(r.perCategory[c]))} |`);
}
const overall = (r) => `micro ${f(r.microF1)}, macro ${f(r.macroF1)}`;
console.log(`| **all** | | ${row(overall)} |`);
console.log(`| clean posts flagged | ${runs.fused.cleanPosts} | ${row((r) => `${(r.cleanFlaggedRate * 100).toFixed(1)}%`)} |`);
const hard = (r) => `${(r.hardNegatives.flaggedRate * 100).toFixed(1)}%`;
console.log(`| hard negatives flagged | ${runs.fused.hardNegatives.posts} | ${row(hard)} |`);
const news = (r) => {
  const k = ['news', 'police', 'court'].map((x) => r.hardNegatives.byKind[x] ?? { posts: 0, flagged: 0 });
  const posts = k.reduce((a, b) => a + b.posts, 0);
  return { posts, text: `${k.reduce((a, b) => a + b.flagged, 0)} of ${posts}` };
};
console.log(`| news/police/court about crime flagged | ${news(runs.fused).posts} | ${row((r) => news(r).text)} |`);
const obf = (r) => `recall ${f(r.byObfuscation.obfuscated.microRecall)}`;
console.log(`| obfuscated positives | ${runs.fused.byObfuscation.obfuscated.n} | ${row(obf)} |`);
console.log('\nPer language (micro F1 / macro F1 / clean flagged):\n');
console.log('| lang | posts | rules only | model only (best F1) | fused (shipped) | fused (best F1) |');
console.log('| --- | ---: | --- | --- | --- | --- |');
for (const lang of Object.keys(runs.fused.byLanguage)) {
  const c = (r) => {
    const m = r.byLanguage[lang];
    return `${f(m.microF1)} / ${f(m.macroF1)} / ${(m.cleanFlaggedRate * 100).toFixed(1)}%`;
  };
  console.log(`| ${lang} | ${runs.fused.byLanguage[lang].n} | ${row(c)} |`);
}
console.log(`\nModel: ${runs.fused.model ?? 'none'}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(runs, null, 2));
