#!/usr/bin/env node
// Rebuilds the labelled real-post corpus from the committed labels and the public sets, which are never copied
// into the repository:
//   /usr/bin/python3 scripts/import/import_public.py --datasets ../shared/datasets --out .cache/imported
//   npm run build && node scripts/real/build.mjs [--imported .cache/imported] [-o .cache/real/real.jsonl]
//                                               [--labels corpora/real/labels] [--adapted corpora/real/adapted.jsonl]
// Joins corpora/real/labels/*.tsv (id, sha1 prefix, labels, kind, flags, writer) with the imported rows by id,
// checks the text hash (a changed dataset file is reported, never silently relabelled), adds the adapted posts of
// corpora/real/adapted.jsonl (the project's own Kazakh and mixed versions of real posts, which keep their source
// row's split), detects ru / kk / mixed with qorgau's own detector, and assigns the real splits: near-duplicates
// (reposts of one spam text, by qorgau's MinHash clustering) share one split, chosen by a hash of the cluster's
// first member: 60% train, 10% dev, 15% calib, 15% test.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClusterer } from '../../dist/cluster/index.js';
import { detectLanguage } from '../../dist/lang/index.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const IMPORTED = opt('--imported', '.cache/imported');
const OUT = opt('-o', '.cache/real/real.jsonl');
const LABELS = opt('--labels', 'corpora/real/labels');
const ADAPTED = opt('--adapted', 'corpora/real/adapted.jsonl');

const sha1 = (s) => createHash('sha1').update(s, 'utf8').digest('hex');
export function realSplit(key) {
  const h = parseInt(sha1(key).slice(0, 8), 16) % 100;
  return h < 60 ? 'train' : h < 70 ? 'dev' : h < 85 ? 'calib' : 'test';
}

const labels = new Map();
for (const f of fs.readdirSync(LABELS).filter((f) => f.endsWith('.tsv')).sort()) {
  for (const line of fs.readFileSync(path.join(LABELS, f), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [id, hash, ls, kind, flags, writer] = line.split('\t');
    labels.set(id, { hash, labels: ls === '-' ? [] : ls.split(','), kind, flags: flags === '-' ? [] : flags.split(','), writer, file: f });
  }
}
// The importer's file for an id is its prefix up to the row number.
const sets = new Set([...labels.keys()].map((id) => id.replace(/-\d+$/, '')));
const rows = [];
let changed = 0;
for (const set of [...sets].sort()) {
  for (const line of fs.readFileSync(path.join(IMPORTED, `${set}.jsonl`), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    const l = labels.get(r.id);
    if (!l) continue;
    if (!sha1(r.text).startsWith(l.hash)) {
      changed += 1;
      if (changed <= 5) console.error(`${r.id}: text hash differs from the label file (${l.file}); the dataset changed — skipped`);
      continue;
    }
    rows.push({
      id: r.id,
      lang: detectLanguage(r.text).lang,
      labels: l.labels,
      text: r.text,
      source: r.source,
      kind: l.kind,
      ...(l.flags.includes('hard') ? { hard: true } : {}),
      obfuscated: l.flags.includes('obf'),
      real: true,
      writer: l.writer,
    });
  }
}

const c = createClusterer({ threshold: 0.5 });
for (const r of rows) c.add(r.text);
const splitById = new Map();
c.assignments().forEach((a, i) => {
  rows[i].split = realSplit(rows[a.cluster].text);
  rows[i].cluster = rows[a.cluster].id;
  splitById.set(rows[i].id, rows[i].split);
});

if (fs.existsSync(ADAPTED)) {
  for (const line of fs.readFileSync(ADAPTED, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const a = JSON.parse(line);
    const split = splitById.get(a.from);
    if (!split) {
      console.error(`${a.id}: adapted from ${a.from}, which is not a labelled real post — skipped`);
      continue;
    }
    rows.push({ ...a, lang: a.lang ?? detectLanguage(a.text).lang, real: true, adapted: true, split, cluster: a.from });
  }
}

fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
const count = {};
const bump = (k) => (count[k] = (count[k] ?? 0) + 1);
for (const r of rows) {
  bump(`split ${r.split}`);
  bump(`lang ${r.lang}`);
  for (const l of r.labels.length ? r.labels : ['clean']) bump(`label ${l}`);
  if (r.labels.length) bump('positive');
  if (r.adapted) bump('adapted');
}
for (const k of Object.keys(count).sort()) console.log(`${k.padEnd(22)} ${count[k]}`);
// The README's table: posts and positives per public set and category, and Kazakh/mixed posts.
const CATS = ['drugs', 'cyberbullying', 'extremism', 'hate', 'suicide', 'gambling', 'fraud', 'sexual', 'weapons'];
const bySource = new Map();
for (const r of rows) {
  const key = r.adapted ? 'adapted (project writing)' : r.source;
  const s = bySource.get(key) ?? { posts: 0, clean: 0, kk: 0, ...Object.fromEntries(CATS.map((c) => [c, 0])) };
  s.posts += 1;
  if (!r.labels.length) s.clean += 1;
  if (r.lang === 'kk' || r.lang === 'mixed') s.kk += 1;
  for (const l of r.labels) s[l] += 1;
  bySource.set(key, s);
}
console.log(`\n| set | posts | ${CATS.join(' | ')} | clean | kk or mixed |`);
console.log(`| --- | ---: | ${CATS.map(() => '---:').join(' | ')} | ---: | ---: |`);
const total = { posts: 0, clean: 0, kk: 0, ...Object.fromEntries(CATS.map((c) => [c, 0])) };
for (const [k, s] of [...bySource].sort()) {
  for (const f of Object.keys(total)) total[f] += s[f];
  console.log(`| ${k} | ${s.posts} | ${CATS.map((c) => s[c]).join(' | ')} | ${s.clean} | ${s.kk} |`);
}
console.log(`| **all** | ${total.posts} | ${CATS.map((c) => total[c]).join(' | ')} | ${total.clean} | ${total.kk} |`);
console.log(`${rows.length} real posts → ${OUT}${changed ? ` (${changed} skipped: dataset changed)` : ''}`);
