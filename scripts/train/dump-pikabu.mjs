#!/usr/bin/env node
// The 2ch/pikabu anchor set for finetune.py: the imported binary file (toxic → cyberbullying) with each text
// passed through the pipeline's normalize(), keeping the set's own train/dev/test split (`npm run build` first).
// Usage: node scripts/train/dump-pikabu.mjs [--in .cache/imported/ru-toxic-2ch-pikabu.binary.jsonl] [--out .cache/finetune/pikabu.jsonl]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { normalize } from '../../dist/index.js';

const argv = process.argv.slice(2);
const arg = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const input = arg('in', '.cache/imported/ru-toxic-2ch-pikabu.binary.jsonl');
const out = arg('out', '.cache/finetune/pikabu.jsonl');
const rows = [];
for (const line of readFileSync(input, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const p = JSON.parse(line);
  const text = normalize(p.text).text.trim();
  if (text) rows.push(JSON.stringify({ text, labels: p.labels, split: p.split }));
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${rows.join('\n')}\n`);
console.log(`${input} → ${out}: ${rows.length} rows`);
