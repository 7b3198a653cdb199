#!/usr/bin/env node
// Prints the README's evaluation tables: each detector alone (rules, linear model, transformer), the previous
// default (rules + transformer) and the shipped fusion of all three, per category and per language, on one
// split of the labelled corpus; then the clean posts flagged on the held-out part of public clean sets, and
// (with --real) the same tables on a real labelled set. Same scoring as `qorgau eval` (it calls evaluate()).
// Usage (after npm run build):
//   node scripts/eval/table.mjs [--split test] [--fit-split calib] [--per-file 7000] [--clean f.jsonl,…] [--real f.jsonl,…] [--json out.json] [gold.jsonl…]
// Written and real data are kept apart: each set gets its own tables, and the functions below take any set, so
// further real-data reports can reuse them.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compareDetectors, COLUMNS, CATEGORIES } from '../../dist/index.js';

// The columns and their scoring live in src/eval/compare.ts (`qorgau eval --compare` prints the same).
export { COLUMNS };
export const runColumns = (o) => compareDetectors(o);

const f = (x) => x.toFixed(2);
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const cell = (m) => `${f(m.precision)} / ${f(m.recall)} / **${f(m.f1)}**`;

/** The per-category table (with clean, hard-negative, news and obfuscation rows) as Markdown lines. */
export function categoryTable(runs, columns = COLUMNS) {
  const cols = columns.filter((c) => runs[c.key]);
  const ref = runs[cols[cols.length - 1].key];
  const out = [];
  const row = (fn) => cols.map((c) => fn(runs[c.key])).join(' | ');
  out.push(`| category | support | ${cols.map((c) => c.title).join(' | ')} |`);
  out.push(`| --- | ---: | ${cols.map(() => '---').join(' | ')} |`);
  for (const c of CATEGORIES) out.push(`| ${c} | ${ref.perCategory[c].support} | ${row((r) => cell(r.perCategory[c]))} |`);
  out.push(`| **all** | | ${row((r) => `micro **${f(r.microF1)}**, macro ${f(r.macroF1)}`)} |`);
  out.push(`| clean posts flagged | ${ref.cleanPosts} | ${row((r) => pct(r.cleanFlaggedRate))} |`);
  out.push(`| hard negatives flagged | ${ref.hardNegatives.posts} | ${row((r) => pct(r.hardNegatives.flaggedRate))} |`);
  const news = (r) => {
    const k = ['news', 'police', 'court'].map((x) => r.hardNegatives.byKind[x] ?? { posts: 0, flagged: 0 });
    const posts = k.reduce((a, b) => a + b.posts, 0);
    return { posts, text: `${k.reduce((a, b) => a + b.flagged, 0)} of ${posts}` };
  };
  out.push(`| news/police/court about crime flagged | ${news(ref).posts} | ${row((r) => news(r).text)} |`);
  out.push(`| obfuscated positives | ${ref.byObfuscation.obfuscated.n} | ${row((r) => `recall ${f(r.byObfuscation.obfuscated.microRecall)}`)} |`);
  return out;
}

/** Micro F1 / macro F1 / clean flagged per language. */
export function languageTable(runs, columns = COLUMNS) {
  const cols = columns.filter((c) => runs[c.key]);
  const ref = runs[cols[cols.length - 1].key];
  const out = [`| lang | posts | ${cols.map((c) => c.short ?? c.title).join(' | ')} |`, `| --- | ---: | ${cols.map(() => '---').join(' | ')} |`];
  for (const lang of Object.keys(ref.byLanguage)) {
    const c = (r) => {
      const m = r.byLanguage[lang];
      return m ? `${f(m.microF1)} / ${f(m.macroF1)} / ${pct(m.cleanFlaggedRate)}` : '—';
    };
    out.push(`| ${lang} | ${ref.byLanguage[lang].n} | ${cols.map((col) => c(runs[col.key])).join(' | ')} |`);
  }
  return out;
}

/** Clean posts flagged on unlabelled public sets, one row per file, one column per detector configuration. */
export function cleanTable(bySet, columns = COLUMNS) {
  const sets = Object.keys(bySet);
  const cols = columns.filter((c) => bySet[sets[0]]?.[c.key]);
  const out = [`| set (held-out split) | posts | ${cols.map((c) => c.short ?? c.title).join(' | ')} |`, `| --- | ---: | ${cols.map(() => '---:').join(' | ')} |`];
  for (const s of sets) {
    const runs = bySet[s];
    const ref = runs[cols[cols.length - 1].key];
    out.push(`| ${s} | ${ref.cleanPosts} | ${cols.map((c) => `${pct(runs[c.key].cleanFlaggedRate)}`).join(' | ')} |`);
  }
  return out;
}

function argList(argv, name) {
  const i = argv.indexOf(`--${name}`);
  if (i === -1) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
}

async function main() {
  const argv = process.argv.slice(2);
  const split = argList(argv, 'split') ?? 'test';
  const fitSplit = argList(argv, 'fit-split') ?? 'calib';
  const jsonOut = argList(argv, 'json');
  const perFileArg = argList(argv, 'per-file');
  const perFile = perFileArg === undefined ? undefined : Number(perFileArg);
  const clean = (argList(argv, 'clean') ?? '').split(',').filter(Boolean);
  const real = (argList(argv, 'real') ?? '').split(',').filter(Boolean);
  const linear = argList(argv, 'linear');
  const gold = argv.length ? argv : readdirSync('corpora/labelled').filter((x) => x.endsWith('.jsonl')).map((x) => join('corpora/labelled', x));
  // The fitted columns use the calib mix the shipped fusion was fitted on: the written calib split and the
  // calib parts of the clean (and real) sets.
  const fitGold = [...gold, ...clean, ...real];
  const all = {};

  const written = await runColumns({ gold, split, fitGold, fitSplit, perFile, linear });
  all.written = written;
  console.log(`Split \`${split}\` of ${gold.length === 1 ? gold[0] : `${gold.length} files`}: ${written.fused.n} posts (${written.fused.cleanPosts} clean). Cells: precision / recall / **F1**.\n`);
  console.log(categoryTable(written).join('\n'));
  console.log('\nPer language (micro F1 / macro F1 / clean flagged):\n');
  console.log(languageTable(written).join('\n'));

  if (clean.length) {
    const bySet = {};
    for (const file of clean) bySet[file.split('/').pop().replace(/\.jsonl$/, '')] = await runColumns({ gold: [file], split, fitGold, fitSplit, perFile, linear });
    all.clean = bySet;
    console.log(`\nClean posts flagged on public sets (split \`${split}\` by hash${perFile ? `, at most ${perFile} posts per file` : ''}; never trained or calibrated on):\n`);
    console.log(cleanTable(bySet).join('\n'));
  }
  if (real.length) {
    const runs = await runColumns({ gold: real, split, fitGold, fitSplit, perFile, linear });
    all.real = runs;
    console.log(`\nReal posts (${real.join(', ')}), split \`${split}\`: ${runs.fused.n} posts (${runs.fused.cleanPosts} clean).\n`);
    console.log(categoryTable(runs).join('\n'));
    console.log('\nPer language:\n');
    console.log(languageTable(runs).join('\n'));
  }
  console.log(`\nModels: ${written.fused.model ?? 'none'}, linear ${written.fused.linear ?? 'none'}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(all, null, 2));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
