#!/usr/bin/env node
// How many obfuscated words of real spam does the normalizer turn back into known words?
//   npm run build && node scripts/real/obfuscation.mjs [.cache/imported]
// "Obfuscated word": a whitespace token with a Cyrillic letter and, inside the word, a Latin, Greek, small-capital,
// digit or symbol character (Дσход, Нaбuрaю, ра6ота, з@кл@дки, с*ка). "Known": its normalized form is a word seen
// at least twice in the real Russian Telegram news set (a vocabulary the spam never saw), or one of the words of the
// rules' own lists. Prints the share recovered and the most common words still unknown.
import fs from 'node:fs';
import path from 'node:path';
import { normalize } from '../../dist/normalize/index.js';

const IMPORTED = process.argv[2] ?? '.cache/imported';
const read = (name) => fs.readFileSync(path.join(IMPORTED, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const WORD = /[\p{L}\p{N}]+/gu;
const fold = (s) => s.toLowerCase().replace(/ё/g, 'е');

const freq = new Map();
for (const r of read('ru-telegram-news-posts')) for (const w of fold(r.text).match(WORD) ?? []) freq.set(w, (freq.get(w) ?? 0) + 1);
const known = (w) => (freq.get(w) ?? 0) >= 2;

const CYR = /[\u0400-\u04ff]/;
const ODD = /[a-zA-Z\u0370-\u03ff\u1d00-\u1d7f\u0250-\u02af0-9@$*]/;
let total = 0;
let recovered = 0;
let plainKnown = 0;
const missed = new Map();
for (const r of read('ru-telegram-spam-tizhproger').filter((r) => r.spam === 1)) {
  for (const tok of r.text.split(/\s+/)) {
    const word = tok.replace(/^[^\p{L}\p{N}@$*]+|[^\p{L}\p{N}]+$/gu, '');
    if (word.length < 3 || !CYR.test(word) || !ODD.test(word)) continue;
    if (/^\d+[\p{L}]{1,4}$/u.test(word) || /^[\p{L}]{1,3}\d+$/u.test(word)) continue; // 500р, 10к, 24ч: not obfuscation
    total += 1;
    const n = fold(normalize(word).text).replace(/[^\p{L}\p{N}]/gu, '');
    if (known(n)) recovered += 1;
    else missed.set(word, (missed.get(word) ?? 0) + 1);
    if (known(fold(word))) plainKnown += 1;
  }
}
console.log(`obfuscated words in real spam: ${total}`);
console.log(`known after normalization: ${recovered} (${((100 * recovered) / total).toFixed(1)}%); known as written: ${plainKnown}`);
console.log('most common still unknown:');
for (const [w, k] of [...missed].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${k}\t${w}\t→ ${normalize(w).text}`);
