// `npm run bench:report`: clustering and the review page at 10,000 and 50,000 candidates (file size should
// grow linearly), and, when Debian's Chromium is installed, how the page behaves when opened and filtered.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createAnalyzer } from '../analyzer.js';
import { createClusterer } from '../cluster/index.js';
import { EDITS, seededRng, type Seed } from '../cluster/reposts.js';
import { PACKAGE_ROOT } from '../paths.js';
import { writeReport } from '../report/index.js';
import { CATEGORIES, type Post, type Result } from '../types.js';

const seeds = (parseYaml(readFileSync(join(PACKAGE_ROOT, 'corpora', 'clusters', 'seeds.yaml'), 'utf8')) as { seeds: Seed[] }).seeds;
const words = [...new Set(seeds.flatMap((s) => s.text.split(/\s+/)))];
const editNames = Object.keys(EDITS);

/**
 * Ads as channels carry them: new ads made from a seed ad with most words swapped for others (so they are
 * unique but read alike), and reposts of earlier ads with edits, heavy-tailed (a few ads are reposted often).
 */
function makePosts(count: number): Post[] {
  const rng = seededRng(11);
  const bases: string[] = [];
  const posts: Post[] = [];
  for (let i = 0; i < count; i += 1) {
    let text: string;
    if (bases.length > 0 && rng() < 0.7) {
      text = bases[Math.floor(bases.length * rng() ** 3)]!;
      for (let k = 0; k < 1 + Math.floor(rng() * 3); k += 1) text = EDITS[editNames[Math.floor(rng() * editNames.length)]!]!(rng, text);
    } else {
      const seed = seeds[Math.floor(rng() * seeds.length)]!.text;
      text = seed.replace(/[^\s]+/g, (w) => (rng() < 0.6 ? words[Math.floor(rng() * words.length)]! : w));
      bases.push(text);
    }
    posts.push({ id: `b${i}`, text, meta: { channel: `t.me/channel_${Math.floor(rng() * 300)}`, date: '2026-03-01' }, source: 'bench', line: i + 1 });
  }
  return posts;
}

async function chromiumFigures(file: string): Promise<string | undefined> {
  const executablePath = process.env.QORGAU_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) return undefined;
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'qorgau-bench-'));
  const context = await playwright.chromium.launchPersistentContext(dir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const t = performance.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    const open = performance.now() - t;
    // Timed inside the page: from the input event to the re-drawn list (search re-filters after a typing pause).
    const timed = (id: string, value: string): Promise<number> =>
      page.evaluate(
        async ([id, value]) => {
          const input = document.getElementById(id!) as HTMLInputElement;
          const before = document.getElementById('shown')!.textContent;
          const t0 = performance.now();
          input.value = value!;
          input.dispatchEvent(new Event('input', { bubbles: true }));
          for (let k = 0; k < 400 && document.getElementById('shown')!.textContent === before; k += 1) await new Promise((r) => setTimeout(r, 5));
          return performance.now() - t0;
        },
        [id, value],
      );
    const filter = await timed('f-category', 'gambling');
    const search = (await timed('f-search', 'kaspi')) - 200;
    const next = await page.evaluate(() => {
      const t0 = performance.now();
      (document.querySelector('#pager button:last-child') as HTMLButtonElement).click();
      return performance.now() - t0;
    });
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    return `chromium: open ${(open / 1000).toFixed(2)} s, category filter ${filter.toFixed(0)} ms, first search ${search.toFixed(0)} ms (after the 200 ms typing pause), next page ${next.toFixed(0)} ms, JS heap ${Math.round(heap / 1e6)} MB`;
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_CANDIDATES ?? '10000,50000').split(',').map(Number);
  const analyzer = await createAnalyzer({ model: false, onNotice: () => {} });
  const posts = makePosts(Math.max(...sizes));
  const results: Result[] = [];
  // The first rules cover drugs and bullying only: posts they miss get a category as a model would give one.
  let k = 0;
  for await (const r of analyzer.analyzeStream(posts)) {
    if ('error' in r) continue;
    const c = CATEGORIES[k++ % CATEGORIES.length]!;
    results.push(r.labels.length > 0 ? r : { ...r, labels: [c], scores: { ...r.scores, [c]: 0.6 }, priority: 0.6 });
  }
  await analyzer.close();
  const dir = mkdtempSync(join(tmpdir(), 'qorgau-report-'));
  for (const n of sizes) {
    const slice = results.slice(0, n);
    let t = performance.now();
    const clusterer = createClusterer();
    for (const r of slice) clusterer.add(r.text, r.priority);
    const clusters = new Set(clusterer.assignments().map((a) => a.cluster)).size;
    const clusterSec = (performance.now() - t) / 1000;
    const file = join(dir, `report-${n}.html`);
    t = performance.now();
    const sink = createWriteStream(file);
    await writeReport(slice, sink);
    sink.end();
    await once(sink, 'finish');
    const renderSec = (performance.now() - t) / 1000;
    const bytes = statSync(file).size;
    console.log(
      `${n} candidates: clustering ${clusterSec.toFixed(2)} s (${Math.round(n / clusterSec)} posts/s, ${clusters} clusters); ` +
        `report ${renderSec.toFixed(2)} s incl. clustering, ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / n)} bytes/candidate), RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
    );
    const browser = await chromiumFigures(file);
    if (browser) console.log(`  ${browser}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

await main();
