#!/usr/bin/env node
// Agreement of two independent reads of the same posts: Cohen's kappa per category (label present or not), for
// "any label" (clean vs not), and raw agreement.
//   node scripts/real/agreement.mjs [corpora/real/second-read.tsv]
// The second read is a label file in the corpora/real/labels format (id, sha1, labels, kind, flags, writer); the
// first read is whatever corpora/real/labels/*.tsv holds for the same ids.
import fs from 'node:fs';
import path from 'node:path';
import { CATEGORIES } from './accept.mjs';

export function kappa(pairs) {
  const n = pairs.length;
  if (!n) return { n, agree: 0, kappa: NaN, positivesA: 0, positivesB: 0 };
  let agree = 0;
  let a1 = 0;
  let b1 = 0;
  for (const [a, b] of pairs) {
    if (a === b) agree += 1;
    if (a) a1 += 1;
    if (b) b1 += 1;
  }
  const po = agree / n;
  const pe = (a1 / n) * (b1 / n) + (1 - a1 / n) * (1 - b1 / n);
  // No positives (or no negatives) in either read: agreement is trivial and kappa undefined.
  return { n, agree: po, kappa: pe === 1 ? NaN : (po - pe) / (1 - pe), positivesA: a1, positivesB: b1 };
}

const readLabels = (file) =>
  fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [id, , labels, , , writer] = l.split('\t');
    return { id, labels: labels === '-' ? [] : labels.split(','), writer };
  });

if (import.meta.url === `file://${process.argv[1]}`) {
  const second = readLabels(process.argv[2] ?? 'corpora/real/second-read.tsv');
  const first = new Map();
  for (const f of fs.readdirSync('corpora/real/labels')) for (const r of readLabels(path.join('corpora/real/labels', f))) first.set(r.id, r);
  const both = second.filter((s) => first.has(s.id)).map((s) => [first.get(s.id), s]);
  console.log(`${both.length} posts read twice (first: ${[...new Set(both.map(([a]) => a.writer))].join(', ')}; second: ${[...new Set(both.map(([, b]) => b.writer))].join(', ')})\n`);
  console.log('| category | first read positives | second read positives | agreement | Cohen\'s kappa |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const row = (name, k) => console.log(`| ${name} | ${k.positivesA} | ${k.positivesB} | ${(100 * k.agree).toFixed(1)}% | ${Number.isNaN(k.kappa) ? 'n/a' : k.kappa.toFixed(2)} |`);
  for (const c of CATEGORIES) row(c, kappa(both.map(([a, b]) => [a.labels.includes(c), b.labels.includes(c)])));
  row('**any label** (clean or not)', kappa(both.map(([a, b]) => [a.labels.length > 0, b.labels.length > 0])));
  const exact = both.filter(([a, b]) => a.labels.slice().sort().join() === b.labels.slice().sort().join()).length;
  console.log(`\nSame label set on ${exact} of ${both.length} posts (${((100 * exact) / both.length).toFixed(1)}%).`);
}
