#!/usr/bin/env node
// Fine-tuning file for scripts/train/finetune.py from the SAME corpus files and selection as `qorgau train`
// (the linear model's recipe): written corpus, the relabelled real set, the public clean sets; each post keeps its
// split (the file's own, or the hash split `qorgau train` gives it), so calib and test stay out of training.
// Text goes through the pipeline's normalize(); written positives of the train split also get two obfuscated
// copies (dump-finetune.mjs's tricks). Rows: {text, labels, weight, split: train|dev, source}.
//
// Usage: node scripts/train/dump-mix.mjs --out .cache/finetune/mix.jsonl [--per-file 7000] [--weight written=3] corpus.jsonl…
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { normalize, selectGold } from '../../dist/index.js';
import { obfuscate } from './dump-finetune.mjs';

const argv = process.argv.slice(2);
const files = [];
const opts = { out: '.cache/finetune/mix.jsonl', 'per-file': undefined, weight: [] };
for (let i = 0; i < argv.length; i += 1) {
  const a = argv[i];
  if (a === '--weight') opts.weight.push(argv[++i]);
  else if (a.startsWith('--')) opts[a.slice(2)] = argv[++i];
  else files.push(a);
}
if (!files.length) throw new Error('usage: dump-mix.mjs --out f.jsonl [--per-file n] [--weight source=w] corpus.jsonl…');
const weights = Object.fromEntries(opts.weight.map((w) => w.split('=')).map(([k, v]) => [k, Number(v)]));
const perFile = opts['per-file'] ? { perFile: Number(opts['per-file']) } : {};

const rows = [];
const counts = {};
for (const split of ['train', 'dev']) {
  for (const s of await selectGold(files, { ...perFile, excludeSilver: true, splits: [split] })) {
    const source = s.g.source ?? basename(s.file).replace(/\.jsonl?$/, '');
    const text = normalize(s.g.text).text.trim();
    if (!text) continue;
    rows.push({ text, labels: s.g.labels, weight: weights[source] ?? 1, split, source });
    counts[`${split} ${source}`] = (counts[`${split} ${source}`] ?? 0) + 1;
    if (split === 'train' && source === 'written' && s.g.labels.length > 0) {
      for (let k = 0; k < 2; k += 1) {
        const t = normalize(obfuscate(s.g.text)).text.trim();
        if (t) rows.push({ text: t, labels: s.g.labels, weight: 1, split, source: 'written-augmented' });
      }
    }
  }
}
mkdirSync(dirname(opts.out), { recursive: true });
writeFileSync(opts.out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`wrote ${rows.length} rows to ${opts.out}`, counts);
