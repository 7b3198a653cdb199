import { cpus } from 'node:os';
import { createAnalyzer } from '../analyzer.js';
import { detectLanguage } from '../lang/index.js';
import { normalize } from '../normalize/index.js';
import { tokenizeNormalized } from '../tokenize/index.js';
import type { Post } from '../types.js';
import { generateCorpus } from './corpus.js';

function timed(label: string, bytes: number, count: number, fn: () => number): void {
  const t = performance.now();
  const units = fn();
  const sec = (performance.now() - t) / 1000;
  console.log(`${label}: ${(bytes / 1e6 / sec).toFixed(1)} MB/s, ${Math.round(count / sec)} posts/s (${(bytes / 1e6).toFixed(1)} MB, ${count} posts, ${units} tokens/units, ${sec.toFixed(2)} s)`);
}

async function main(): Promise<void> {
  const megabytes = Number(process.env.BENCH_MB ?? 50);
  const { posts, bytes } = generateCorpus(megabytes);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; one thread`);

  // Warm the JIT and the stem caches on a slice, as a long scan would be after its first seconds.
  for (const p of posts.slice(0, 20_000)) tokenizeNormalized(normalize(p));

  timed('normalize', bytes, posts.length, () => {
    let n = 0;
    for (const p of posts) n += normalize(p).text.length;
    return n;
  });
  timed('normalize+tokenize (with stems, original offsets)', bytes, posts.length, () => {
    let n = 0;
    for (const p of posts) n += tokenizeNormalized(normalize(p)).length;
    return n;
  });

  const sample = posts.slice(0, 50_000);
  const sampleBytes = sample.reduce((s, p) => s + Buffer.byteLength(p), 0);
  timed('detectLanguage (normalized text)', sampleBytes, sample.length, () => {
    let n = 0;
    for (const p of sample) n += detectLanguage(normalize(p).text).confidence > 0 ? 1 : 0;
    return n;
  });

  const analyzer = await createAnalyzer({ model: false, onNotice: () => {} });
  const input: Post[] = sample.map((text, i) => ({ id: String(i), text, meta: {} }));
  const t = performance.now();
  let n = 0;
  for await (const _ of analyzer.analyzeStream(input)) n += 1;
  const sec = (performance.now() - t) / 1000;
  console.log(`rules-only analyze: ${Math.round(n / sec)} posts/s, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  await analyzer.close();
}

await main();
