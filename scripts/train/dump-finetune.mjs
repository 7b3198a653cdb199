#!/usr/bin/env node
// Builds the fine-tuning file for scripts/train/finetune.py from the labelled corpus and the imported public
// sets, with the text passed through the SAME normalize() the pipeline runs (dist/, so `npm run build` first).
// Positives of the train split also get obfuscated copies (Latin look-alikes, digits for letters, spaced or
// dotted letters, repeated letters), normalized again: the model learns from what the normalizer leaves of them.
//
// Usage: node scripts/train/dump-finetune.mjs [--imported .cache/imported] [--out .cache/finetune/finetune.jsonl] [--seed 1]
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalize } from '../../dist/index.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const imported = args.imported ?? '.cache/imported';
const out = args.out ?? '.cache/finetune/finetune.jsonl';
let seed = Number(args.seed ?? 1);
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const readJsonl = (p) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

// Cyrillic letters and what obfuscators put in their place.
const LOOKALIKE = { а: 'a', о: 'o', е: 'e', с: 'c', р: 'p', х: 'x', у: 'y', к: 'k', м: 'm', т: 't', в: 'b', н: 'h' };
const DIGIT = { о: '0', з: '3', ч: '4', б: '6', а: '@', с: '$', и: 'u', л: 'л', е: '3' };

export function obfuscateWord(w) {
  const trick = Math.floor(rand() * 6);
  const chars = [...w];
  switch (trick) {
    case 0:
      return chars.map((c) => (LOOKALIKE[c] && rand() < 0.6 ? LOOKALIKE[c] : c)).join('');
    case 1:
      return chars.map((c) => (DIGIT[c] && rand() < 0.7 ? DIGIT[c] : c)).join('');
    case 2:
      return chars.join(pick([' ', '.', '-', '*', '_']));
    case 3:
      return chars.map((c) => (/[аеоиуыя]/.test(c) && rand() < 0.5 ? c.repeat(2 + Math.floor(rand() * 3)) : c)).join('');
    case 4:
      return chars.map((c, i) => (i > 0 && rand() < 0.25 ? `\u200b${c}` : c)).join('');
    default:
      return chars.map((c) => (rand() < 0.5 ? c.toUpperCase() : c)).join('');
  }
}

export function obfuscate(text) {
  return text.replace(/[\p{L}]{4,}/gu, (w) => (rand() < 0.35 ? obfuscateWord(w.toLowerCase()) : w));
}

function main() {
  const rows = [];
  const add = (text, labels, weight, split, source) => {
    const n = normalize(text).text.trim();
    if (n) rows.push({ text: n, labels, weight, split, source });
  };

  // 1. The written corpus: gold labels, its own splits.
  const corpusDir = 'corpora/labelled';
  let augmented = 0;
  for (const f of readdirSync(corpusDir).filter((f) => f.endsWith('.jsonl'))) {
    for (const p of readJsonl(join(corpusDir, f))) {
      // The calib split fits the fusion layer and thresholds: the model never sees it.
      if (p.split === 'calib') continue;
      add(p.text, p.labels, 1, p.split, 'written');
      if (p.split === 'train' && p.labels.length > 0) {
        for (let k = 0; k < 2; k += 1) {
          add(obfuscate(p.text), p.labels, 1, 'train', 'written-augmented');
          augmented += 1;
        }
      }
    }
  }

  // 2. Public sets, train only, down-weighted; machine labels (silver) lower still. Which rows, and why:
  const PUBLIC = [
    // [file, filter, weight, max rows]
    // Sizes keep the written corpus (~4,400 rows with augmentation) from drowning in public rows.
    ['ru-toxic-2ch-pikabu.binary.jsonl', (p) => p.split === 'train', 0.3, 5000], // its dev/test stay out: anchor figures
    ['kk-ru-toxic-comments-asnbkk.jsonl', () => true, 0.3, 2000],
    ['ru-detox-russe2022.jsonl', (p) => p.part !== 'test', 0.2, 1500],
    ['ru-telegram-news-posts.jsonl', () => true, 0.5, 3000], // clean news, also news ABOUT crime
    ['kk-kaznerd-tvnews.jsonl', () => true, 0.4, 1500],
    ['kk-kazsandra-sentiment.jsonl', () => true, 0.4, 1500],
    // Topic labels say what is discussed, not that it is a violation: keep only the topic-free rows as clean.
    ['ru-sensitive-topics-inappropriate.jsonl', (p) => p.labels.length === 0, 0.3, 1000],
    // Spam rows are unlabelled by category; only ham is usable (as clean chat).
    ['ru-telegram-spam-tizhproger.jsonl', (p) => !p.spam, 0.3, 1000],
  ];
  const counts = {};
  for (const [file, keep, weight, max] of PUBLIC) {
    const path = join(imported, file);
    if (!existsSync(path)) {
      console.error(`skip ${path}: not imported (python3 scripts/import/import_public.py first)`);
      continue;
    }
    const kept = readJsonl(path).filter(keep);
    // Deterministic subsample.
    for (let i = kept.length - 1; i > 0; i -= 1) {
      const j = Math.floor(rand() * (i + 1));
      [kept[i], kept[j]] = [kept[j], kept[i]];
    }
    for (const p of kept.slice(0, max)) add(p.text, p.labels, weight, 'train', file);
    counts[file] = Math.min(max, kept.length);
  }

  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const bySplit = rows.reduce((m, r) => ((m[r.split] = (m[r.split] ?? 0) + 1), m), {});
  console.log(`wrote ${rows.length} rows to ${out}`, bySplit, `augmented ${augmented}`, counts);
}

// Imported by dump-mix.mjs for obfuscate(): run only as a script.
if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
