#!/usr/bin/env node
// Kazakh and mixed adaptations of real posts (corpora/real/adapted.jsonl), written by the project's writers where
// real Kazakh positives are too few to learn from.
//   node scripts/real/adapt.mjs add <batch.tsv> <answers.tsv> <writer>
// <batch.tsv> (under .cache/, never committed): `n <TAB> source id <TAB> source labels <TAB> source lang <TAB> text`;
// <answers.tsv>, the writer's: `n <TAB> kk|mixed <TAB> labels|- <TAB> text`. Every answer is checked (one per line of
// the batch, known labels, not a copy of its source, not a source that already has an adaptation) and appended
// with the next free id. The labels are the writer's reading of what the adaptation does, by the guide; the
// adaptation keeps its source's split (scripts/real/build.mjs), so batches drawn from train rows stay in train.
import fs from 'node:fs';
import { CATEGORIES } from './accept.mjs';

const ADAPTED = 'corpora/real/adapted.jsonl';
const REAL = '.cache/real/real.jsonl';
const KK = /[әғқңөұүһі]/i;
const readJsonl = (f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

export function parseAdaptations(batchText, answersText) {
  const batch = batchText.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const errors = [];
  const out = new Map();
  answersText.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const at = `answer line ${i + 1}`;
    const f = line.split('\t');
    if (f.length !== 4) return void errors.push(`${at}: expected n, lang, labels, text (4 tab-separated fields), got ${f.length}`);
    const [n, lang, labels, text] = f;
    const src = batch[Number(n) - 1];
    if (!src) return void errors.push(`${at}: n=${n} is not a line of the batch`);
    if (out.has(n)) return void errors.push(`${at}: n=${n} answered twice`);
    if (lang !== 'kk' && lang !== 'mixed') return void errors.push(`${at}: expected lang kk or mixed, got ${lang}`);
    const cats = labels === '-' ? [] : labels.split(',');
    if (!cats.every((c) => CATEGORIES.includes(c))) return void errors.push(`${at}: unknown labels ${labels}`);
    const t = (text ?? '').trim();
    if (t.length < 3) return void errors.push(`${at}: empty text`);
    if (lang === 'kk' && !KK.test(t)) return void errors.push(`${at}: lang kk without a Kazakh letter`);
    if (t === (src[4] ?? '').trim()) return void errors.push(`${at}: a copy of its source`);
    out.set(n, { from: src[1], lang, labels: cats, text: t });
  });
  batch.forEach((_, i) => {
    if (!out.has(String(i + 1))) errors.push(`line ${i + 1} of the batch has no answer`);
  });
  return { rows: [...out.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([, r]) => r), errors };
}

const [cmd, batchFile, answersFile, writer] = process.argv.slice(2);
if (cmd === 'add' && batchFile && answersFile && writer) {
  const { rows, errors } = parseAdaptations(fs.readFileSync(batchFile, 'utf8'), fs.readFileSync(answersFile, 'utf8'));
  if (errors.length) {
    console.error(errors.slice(0, 20).join('\n'));
    process.exit(1);
  }
  const existing = readJsonl(ADAPTED);
  const taken = new Set(existing.map((a) => a.from));
  // The set a row comes from, as build.mjs names it: a row id's prefix is not always the set's name
  // (the YouTube set's unlabelled comments are `kk-ru-youtube-comments-asnbkk-N` in `kk-ru-toxic-comments-asnbkk`).
  const sourceOf = new Map(readJsonl(REAL).map((r) => [r.id, r.source]));
  let next = Math.max(0, ...existing.map((a) => Number(a.id.replace(/^adapted-/, '')))) + 1;
  const lines = [];
  for (const r of rows) {
    if (taken.has(r.from)) {
      console.error(`${r.from} already has an adaptation — skipped`);
      continue;
    }
    taken.add(r.from);
    const set = sourceOf.get(r.from);
    if (!set) {
      console.error(`${r.from} is not a row of ${REAL} (run node scripts/real/build.mjs) — skipped`);
      continue;
    }
    const source = `adapted:${set}`;
    lines.push(JSON.stringify({ id: `adapted-${String(next++).padStart(4, '0')}`, from: r.from, lang: r.lang, labels: r.labels, kind: 'comment', obfuscated: false, text: r.text, source, writer }));
  }
  fs.appendFileSync(ADAPTED, lines.map((l) => `${l}\n`).join(''));
  console.log(`${lines.length} adaptations by ${writer} appended to ${ADAPTED}`);
} else if (cmd) {
  console.error('usage: node scripts/real/adapt.mjs add <batch.tsv> <answers.tsv> <writer>');
  process.exit(2);
}
