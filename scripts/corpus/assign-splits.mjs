#!/usr/bin/env node
// Adds a fixed `split` (train/dev/test) to every post of the labelled corpus and checks the files.
// The split comes from a stable hash of a group key (the first 60 letters of the text, case-folded), so
// that a post and its near-copies (same opening, other punctuation, prices or handles) land in one split.
// Posts written later as a `calib` split (fresh posts for fitting the fusion layer and thresholds, written
// without sight of the rules) keep that split; one whose group key matches a post of another split is a problem.
// Usage: node scripts/corpus/assign-splits.mjs [corpora/labelled/*.jsonl]   (rewrites the files in place)
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CATEGORIES = ['drugs', 'cyberbullying', 'extremism', 'hate', 'suicide', 'gambling', 'fraud', 'sexual', 'weapons'];

export function groupKey(text) {
  return text.toLowerCase().replace(/ё/g, 'е').replace(/[^\p{L}]/gu, '').slice(0, 60);
}

export function splitOf(text) {
  const h = parseInt(createHash('sha1').update(groupKey(text)).digest('hex').slice(0, 8), 16) % 100;
  return h < 70 ? 'train' : h < 85 ? 'dev' : 'test';
}

const dir = 'corpora/labelled';
const files = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, f));
const ids = new Set();
const otherKeys = new Set();
const calibPosts = [];
const counts = {};
const bump = (k) => (counts[k] = (counts[k] ?? 0) + 1);
let problems = 0;
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  const out = lines.map((line, i) => {
    const post = JSON.parse(line);
    const where = `${file}:${i + 1}`;
    if (ids.has(post.id)) (problems += 1), console.error(`${where}: duplicate id ${post.id}`);
    ids.add(post.id);
    if (!Array.isArray(post.labels) || post.labels.some((l) => !CATEGORIES.includes(l))) (problems += 1), console.error(`${where}: bad labels`);
    if (typeof post.text !== 'string' || !post.text.trim()) (problems += 1), console.error(`${where}: empty text`);
    if (post.split === 'calib') calibPosts.push({ where, key: groupKey(post.text) });
    else post.split = splitOf(post.text), otherKeys.add(groupKey(post.text));
    bump(`split ${post.split}`);
    bump(`lang ${post.lang}`);
    for (const l of post.labels.length ? post.labels : ['clean']) bump(`label ${l}`), bump(`${post.split} ${l}`);
    if (post.obfuscated) bump('obfuscated');
    if (post.hard) bump('hard');
    bump('posts');
    return JSON.stringify(post);
  });
  writeFileSync(file, `${out.join('\n')}\n`);
}
for (const { where, key } of calibPosts) {
  if (otherKeys.has(key)) (problems += 1), console.error(`${where}: a calib post with the same opening as a train/dev/test post`);
}
for (const k of Object.keys(counts).sort()) console.log(`${k.padEnd(24)} ${counts[k]}`);
if (problems) {
  console.error(`${problems} problems`);
  process.exit(1);
}
