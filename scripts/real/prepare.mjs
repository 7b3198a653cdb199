#!/usr/bin/env node
// Cuts the imported public sets (.cache/imported, from scripts/import/import_public.py) into labelling batches
// under .cache/real/todo/: one TSV per batch, `id <TAB> sha1-prefix <TAB> text` (newlines shown as ⏎), reposts
// of one text next to each other so a writer reads a cluster together. File names start with a priority so
// writers take the most useful batches first. Nothing here is committed: the texts stay under .cache/.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClusterer } from '../../dist/cluster/index.js';

const IMPORTED = process.argv[2] ?? '.cache/imported';
const OUT = process.argv[3] ?? '.cache/real/todo';
const MAX_POSTS = 400;
const MAX_CHARS = 45_000;

export const sha1 = (text) => createHash('sha1').update(text, 'utf8').digest('hex');
const read = (name) => fs.readFileSync(path.join(IMPORTED, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
// A stable pseudo-random order from the id, so a sample is the same on every machine.
const byHash = (rows) => [...rows].sort((a, b) => (sha1(a.id) < sha1(b.id) ? -1 : 1));

function clusterOrder(rows) {
  const c = createClusterer({ threshold: 0.5 });
  for (const r of rows) c.add(r.text);
  const groups = new Map();
  c.assignments().forEach((a, i) => {
    const g = groups.get(a.cluster) ?? [];
    g.push(rows[i]);
    groups.set(a.cluster, g);
  });
  return [...groups.values()].flat();
}

const plan = [];
const spam = read('ru-telegram-spam-tizhproger');
plan.push(['1-spam', clusterOrder(spam.filter((r) => r.spam === 1))]);
plan.push(['2-ytkk', byHash(read('kk-ru-toxic-comments-asnbkk'))]);
plan.push(['3-ham', clusterOrder(byHash(spam.filter((r) => r.spam === 0)).slice(0, 3000))]);
const pik = byHash(read('ru-toxic-2ch-pikabu'));
plan.push(['4-pikabu', byHash([...pik.filter((r) => r.labels.length).slice(0, 4000), ...pik.filter((r) => !r.labels.length).slice(0, 600)])]);
const sens = byHash(read('ru-sensitive-topics-inappropriate'));
const sensPos = sens.filter((r) => r.labels.length);
plan.push(['5-sensitive', byHash([...sensPos, ...sens.filter((r) => !r.labels.length).slice(0, Math.max(0, 4000 - sensPos.length))])]);
// News about the categories' subjects are the hard negatives; channel ads are where real betting ads hide.
const crime = /(задерж|суд|наркот|мошенн|казино|ставк|оруж|теракт|экстрем|самоуб|проститу|полиц|МВД)/i;
const news = byHash(read('ru-telegram-news-posts'));
plan.push(['6-clean', [
  ...news.filter((r) => r.category !== 'advertisement' && crime.test(r.text)).slice(0, 400),
  ...news.filter((r) => r.category === 'advertisement').slice(0, 200),
  ...news.filter((r) => r.category !== 'advertisement' && !crime.test(r.text)).slice(0, 200),
  ...byHash(read('kk-kaznerd-tvnews')).slice(0, 500),
  ...byHash(read('kk-kazsandra-sentiment')).slice(0, 400),
]]);
plan.push(['7-hate', [...read('ru-abusive-sariellee'), ...read('ru-hatespeech-biriuchinskii')]]);
plan.push(['8-yt', byHash(read('kk-ru-youtube-comments-asnbkk'))]);

fs.mkdirSync(OUT, { recursive: true });
let files = 0;
let total = 0;
for (const [name, rows] of plan) {
  let batch = [];
  let chars = 0;
  let n = 0;
  const flush = () => {
    if (!batch.length) return;
    n += 1;
    files += 1;
    fs.writeFileSync(path.join(OUT, `${name}-${String(n).padStart(3, '0')}.tsv`), batch.join('\n') + '\n');
    batch = [];
    chars = 0;
  };
  for (const r of rows) {
    const text = r.text.replace(/\t/g, ' ').replace(/\r?\n/g, ' ⏎ ');
    batch.push(`${r.id}\t${sha1(r.text).slice(0, 10)}\t${text}`);
    chars += text.length;
    total += 1;
    if (batch.length >= MAX_POSTS || chars >= MAX_CHARS) flush();
  }
  flush();
  console.log(`${name}: ${rows.length} posts`);
}
console.log(`${total} posts in ${files} batches under ${OUT}`);
