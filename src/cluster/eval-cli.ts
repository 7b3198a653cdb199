#!/usr/bin/env node
// Scores near-duplicate clustering on the repost test set: `npm run eval:clusters`.
// `--generate` first rewrites the set from the seeds (deterministic; commit the result).
// `--stress SEED` scores a harder set made in memory instead: other random draws, 3 to 7 edits per repost.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_ROOT } from '../paths.js';
import { createClusterer, resolveClusterOptions, type ClusterOptions } from './index.js';
import { pairScores } from './evaluate.js';
import { makeReposts, type Repost, type Seed } from './reposts.js';

const { values } = parseArgs({
  options: {
    generate: { type: 'boolean', default: false },
    seeds: { type: 'string', default: join(PACKAGE_ROOT, 'corpora', 'clusters', 'seeds.yaml') },
    set: { type: 'string', default: join(PACKAGE_ROOT, 'corpora', 'clusters', 'reposts.jsonl') },
    threshold: { type: 'string' },
    'shingle-size': { type: 'string' },
    hashes: { type: 'string' },
    bands: { type: 'string' },
    stress: { type: 'string' },
  },
});

if (values.generate) {
  const seeds = (parseYaml(readFileSync(values.seeds, 'utf8')) as { seeds: Seed[] }).seeds;
  const reposts = makeReposts(seeds);
  writeFileSync(values.set, reposts.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(`wrote ${reposts.length} reposts of ${seeds.length} seeds to ${values.set}`);
}

const set: Repost[] = values.stress
  ? makeReposts((parseYaml(readFileSync(values.seeds, 'utf8')) as { seeds: Seed[] }).seeds, { seed: Number(values.stress), minEdits: 3, maxEdits: 7 })
  : readFileSync(values.set, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Repost);
const options: ClusterOptions = resolveClusterOptions({
  ...(values.threshold ? { threshold: Number(values.threshold) } : {}),
  ...(values['shingle-size'] ? { shingleSize: Number(values['shingle-size']) } : {}),
  ...(values.hashes ? { hashes: Number(values.hashes) } : {}),
  ...(values.bands ? { bands: Number(values.bands) } : {}),
});

const started = performance.now();
const clusterer = createClusterer(options);
for (const r of set) clusterer.add(r.text);
const assigned = clusterer.assignments();
const ms = performance.now() - started;
const predicted = assigned.map((a) => set[a.cluster]!.id);
const s = pairScores(predicted, set.map((r) => r.cluster));

// Per edit: the share of reposts carrying it that landed in the same cluster as their seed's original.
const originalCluster = new Map(set.map((r, i) => [r.id, predicted[i]!] as const));
const perEdit = new Map<string, { n: number; ok: number }>();
set.forEach((r, i) => {
  for (const e of r.edits) {
    const x = perEdit.get(e) ?? { n: 0, ok: 0 };
    x.n += 1;
    if (predicted[i] === originalCluster.get(`${r.cluster}-0`)) x.ok += 1;
    perEdit.set(e, x);
  }
});

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
console.log(`set: ${values.stress ? `stress set, random seed ${values.stress}, 3-7 edits per repost` : values.set}; options: ${JSON.stringify(options)}`);
console.log(`${set.length} posts, ${new Set(set.map((r) => r.cluster)).size} true clusters, ${new Set(predicted).size} predicted clusters (${ms.toFixed(0)} ms)`);
console.log(`pairs: precision ${pct(s.precision)}, recall ${pct(s.recall)}, F1 ${pct(s.f1)} (${s.correctPairs} correct of ${s.predictedPairs} predicted, ${s.truePairs} true)`);
console.log(
  `same cluster as the seed, by edit: ${[...perEdit.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([e, x]) => `${e} ${pct(x.ok / x.n)} (${x.n})`)
    .join(', ')}`,
);
