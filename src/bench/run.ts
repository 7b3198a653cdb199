import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { createAnalyzer } from '../analyzer.js';
import { BUNDLED_LINEAR_DIR, BUNDLED_MODEL_DIR } from '../paths.js';
import { createScorer, loadLinearModel } from '../linear/model.js';
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

  if (existsSync(BUNDLED_LINEAR_DIR)) {
    // The linear stage alone on normalized text: hashed n-gram features and nine dot products per post.
    const t0 = performance.now();
    const scorer = createScorer(loadLinearModel(BUNDLED_LINEAR_DIR));
    const loadMs = performance.now() - t0;
    const texts = sample.map((p) => normalize(p).text);
    for (const x of texts.slice(0, 5000)) scorer.score(x);
    const t1 = performance.now();
    let sink = 0;
    for (const x of texts) sink += scorer.score(x).drugs;
    const us = ((performance.now() - t1) * 1000) / texts.length;
    console.log(`linear model (${scorer.model.name}, 2^${scorer.model.scheme.bits} buckets): ${us.toFixed(1)} µs/post, ${Math.round(1e6 / us)} posts/s over ${texts.length} posts, loaded in ${loadMs.toFixed(0)} ms${sink < 0 ? '' : ''}`);
  }

  const analyzer = await createAnalyzer({ model: false, onNotice: () => {} });
  const input: Post[] = sample.map((text, i) => ({ id: String(i), text, meta: {} }));
  const t = performance.now();
  let n = 0;
  for await (const _ of analyzer.analyzeStream(input)) n += 1;
  const sec = (performance.now() - t) / 1000;
  console.log(`rules-only analyze: ${Math.round(n / sec)} posts/s, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  await analyzer.close();

  // Two worker threads: normalization and rules are what each thread spends its time on.
  const pooled = await createAnalyzer({ model: false, workers: 2, onNotice: () => {} });
  for await (const _ of pooled.analyzeStream(input.slice(0, 2048))) void _;
  const tw = performance.now();
  let nw = 0;
  for await (const _ of pooled.analyzeStream(input)) nw += 1;
  const secw = (performance.now() - tw) / 1000;
  console.log(`rules-only analyze, workers 2: ${Math.round(nw / secw)} posts/s, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB (the process, workers included)`);
  await pooled.close();

  if (!existsSync(BUNDLED_MODEL_DIR)) {
    console.log('rules+model: skipped (no model in models/qorgau-tiny)');
    return;
  }
  // The model runs on every post. Configurations: posts per model call (sorted by length into chunks of 32
  // inside), onnxruntime threads, model calls in flight, worker threads (each with its own rules and model).
  const modelPosts = input.slice(0, Number(process.env.BENCH_MODEL_POSTS ?? 20_000));
  // `linear: false`: rules + transformer; the others run all three detectors (the default when
  // models/qorgau-linear exists), and the last two rules + linear model without the transformer.
  const configs: { batchSize: number; threads: number; concurrency: number; workers?: number; linear?: false; model?: false; label?: string }[] = [
    { batchSize: 32, threads: 1, concurrency: 1, linear: false },
    { batchSize: 256, threads: 1, concurrency: 1, linear: false },
    { batchSize: 256, threads: 2, concurrency: 1, linear: false },
    { batchSize: 256, threads: 1, concurrency: 2, linear: false },
    { batchSize: 256, threads: 1, concurrency: 1, workers: 2, linear: false },
    ...(existsSync(BUNDLED_LINEAR_DIR)
      ? [
          { batchSize: 256, threads: 1, concurrency: 1 },
          { batchSize: 256, threads: 1, concurrency: 1, workers: 2 },
          { batchSize: 256, threads: 1, concurrency: 1, model: false as const, label: 'rules+linear' },
          { batchSize: 256, threads: 1, concurrency: 1, workers: 2, model: false as const, label: 'rules+linear' },
        ]
      : []),
  ];
  const only = process.env.BENCH_CONFIGS?.split(',').map(Number);
  for (const [i, cfg] of configs.entries()) {
    if (only && !only.includes(i)) continue;
    const { label, ...options } = cfg;
    const withModel = await createAnalyzer({ ...options, ...(cfg.model === false ? { linear: BUNDLED_LINEAR_DIR } : {}), onNotice: () => {} });
    // Warm-up: onnxruntime allocates its arenas on the first calls.
    for await (const _ of withModel.analyzeStream(modelPosts.slice(0, 512))) void _;
    const t0 = performance.now();
    let m = 0;
    for await (const _ of withModel.analyzeStream(modelPosts)) m += 1;
    const s = (performance.now() - t0) / 1000;
    const what = label ?? `rules+model${withModel.info.linear ? '+linear' : ''} (${withModel.info.model}${withModel.info.linear ? `, ${withModel.info.linear}` : ''})`;
    console.log(
      `[${i}] ${what} batch ${cfg.batchSize}, threads ${cfg.threads}, concurrency ${cfg.concurrency}${'workers' in cfg ? `, workers ${cfg.workers}` : ''}: ${Math.round(m / s)} posts/s over ${m} posts, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
    );
    await withModel.close();
  }
}

await main();
// Peak memory of whole scans at 10k / 1M (/ 10M) posts: BENCH_MEMORY_POSTS=10000,1000000,10000000 (not in CI).
if (process.env.BENCH_MEMORY_POSTS) await import('./memory.js');
