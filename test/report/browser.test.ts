import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src/types.js';

// Real headless Chromium from Debian's `chromium` package (.ci/run installs it). Without it the test is
// skipped, unless QORGAU_REQUIRE_BROWSER is set (CI sets it), where a missing browser is a failure.
const CHROMIUM = process.env.QORGAU_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.QORGAU_REQUIRE_BROWSER) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
const SKIPPED = available ? '' : ` (skipped: ${CHROMIUM} is missing; apt-get install -y chromium to run it)`;
if (!available) console.warn(`browser tests skipped: ${CHROMIUM} is missing; apt-get install -y chromium (or set QORGAU_CHROMIUM) to run them`);

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const SAMPLES = join(ROOT, 'corpora', 'samples');
const AD = '🔥 МАГАЗИН 24/7 🔥 Меф, альфа, шишки в наличии. Ровный клад по Алматы и Астане. Цены от 8000₸. Оператор: @almaty_shop_bot';
const REPOSTS = [
  { id: 'r1', text: AD.replace('8000', '9000').replace('@almaty_shop_bot', '@almaty_shop2_bot'), channel: 't.me/almaty_shop' },
  { id: 'r2', text: AD.replace('шишки', 'ш.и.ш.к.и').replace('🔥 ', ''), channel: 't.me/almaty_shop' },
];

let dir: string;
let context: BrowserContext;
let page: Page;
let results: Result[];
const pageErrors: string[] = [];

async function qorgau(args: string[]): Promise<void> {
  await run('node', [BIN, ...args], { maxBuffer: 64 * 1024 * 1024 });
}

/** Top-level cards on the current page of the queue. */
const cards = (): ReturnType<Page['locator']> => page.locator('#list > article.card');

async function exportDecisions(): Promise<Record<string, unknown>[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const path = join(dir, `export-${Date.now()}.jsonl`);
  await download.saveAs(path);
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!available)(`the review page in headless Chromium${SKIPPED}`, () => {
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error('Run `npm run build` first: this test renders the page with dist/cli/main.js.');
    dir = mkdtempSync(join(tmpdir(), 'qorgau-browser-'));
    const extra = join(dir, 'reposts.jsonl');
    writeFileSync(extra, REPOSTS.map((r) => JSON.stringify(r)).join('\n'));
    const inputs = [join(SAMPLES, 'posts.jsonl'), join(SAMPLES, 'comments.csv'), join(SAMPLES, 'telegram-export', 'result.json'), extra];
    await qorgau(['scan', '--no-model', ...inputs, '--format', 'html', '-o', join(dir, 'report.html')]);
    await qorgau(['scan', '--no-model', ...inputs, '--errors', '/dev/null', '-o', join(dir, 'results.jsonl')]);
    results = readFileSync(join(dir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Result);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`file://${join(dir, 'report.html')}`);
    await page.waitForSelector('body[data-ready="true"]');
  });

  afterAll(async () => {
    await context?.close();
  });

  it('shows one card per cluster with <mark> elements at the offsets of the evidence', async () => {
    const clusters = new Set(results.map((r) => r.cluster));
    expect(await cards().count()).toBe(clusters.size);
    const marks = await page.$$eval('#list > article.card', (arts) =>
      arts.map((a) => ({
        id: (a as HTMLElement).dataset.id!,
        marks: [...a.querySelectorAll(':scope > .text > mark')].map((m) => ({
          start: Number((m as HTMLElement).dataset.start),
          end: Number((m as HTMLElement).dataset.end),
          text: m.textContent,
          category: m.className,
        })),
        text: a.querySelector(':scope > .text')!.textContent,
      })),
    );
    for (const card of marks) {
      const r = results.find((x) => x.id === card.id)!;
      expect(card.text).toBe(r.text);
      expect(card.marks.length).toBeGreaterThan(0);
      for (const m of card.marks) {
        expect(m.text).toBe(r.text.slice(m.start, m.end));
        // Every character of a mark lies in evidence of the mark's class (runs of one rule may merge).
        const fits = r.evidence.filter((e) => (m.category === 'q-context' ? (e.weight ?? 0) < 0 : m.category === `q-${e.category}`));
        for (let k = m.start; k < m.end; k += 1) expect(fits.some((e) => e.start <= k && k < e.end)).toBe(true);
      }
    }
  });

  it('filters by a category', async () => {
    await page.selectOption('#f-category', 'cyberbullying');
    await page.waitForFunction(() => document.querySelectorAll('#list > article.card .chip.q-drugs').length === 0);
    const expected = results.filter((r) => r.labels.includes('cyberbullying')).length;
    expect(await cards().count()).toBe(expected);
    const labels = await cards().evaluateAll((arts) => arts.map((a) => [...a.querySelectorAll(':scope > .head .chip')].map((c) => c.textContent)));
    for (const l of labels) expect(l).toContain('cyberbullying');
    await expect(page.textContent('#shown')).resolves.toMatch(new RegExp(`${expected} posts match`));
  });

  it('marks decisions, keeps them over a reload and exports them as corpus JSONL', async () => {
    const first = cards().nth(0);
    const firstId = (await first.getAttribute('data-id'))!;
    await first.locator('button[data-act="confirm"]').click();
    await expect(first.locator('.state').textContent()).resolves.toMatch(/^Confirmed: cyberbullying/);

    const second = cards().nth(1);
    const secondId = (await second.getAttribute('data-id'))!;
    await second.locator('button[data-act="wrong"]').click();
    await second.locator('.picker input[value="hate"]').check();
    await second.locator('button[data-act="save"]').click();
    await expect(second.locator('.state').textContent()).resolves.toBe('Relabelled: hate');

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('#f-status', 'done');
    await page.waitForFunction(() => document.querySelectorAll('#list > article.card').length === 2);
    await expect(page.textContent('#decided-count')).resolves.toBe('2 decided');

    const rows = await exportDecisions();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const original = (id: string): Result => results.find((r) => r.id === id)!;
    expect(byId.get(firstId)).toMatchObject({
      id: firstId,
      lang: original(firstId).lang,
      labels: ['cyberbullying'],
      text: original(firstId).text,
      reviewed: true,
      decision: 'confirmed',
      predicted: ['cyberbullying'],
    });
    expect(byId.get(secondId)).toMatchObject({ labels: ['hate'], decision: 'relabelled', text: original(secondId).text });
    expect(rows).toHaveLength(2);
  });

  it('expands a cluster and applies a decision to every member', async () => {
    await page.selectOption('#f-status', '');
    await page.selectOption('#f-category', '');
    await page.fill('#f-search', 'Ровный клад по Алматы');
    await page.waitForFunction(() => document.querySelectorAll('#list > article.card').length === 1);
    const card = cards().nth(0);
    await expect(card.locator(':scope > .head .dup').textContent()).resolves.toBe('3 in cluster');
    await card.locator('button[data-act="expand"]').click();
    await expect(card.locator(':scope > .members > article.card').count()).resolves.toBe(2);
    await card.locator(':scope > .decide button[data-act="clean"]').click();

    const rows = await exportDecisions();
    const clean = rows.filter((r) => r.decision === 'clean');
    expect(clean.map((r) => r.id).sort()).toEqual(['p01', 'r1', 'r2']);
    expect(clean.filter((r) => r.via === 'cluster')).toHaveLength(2);
    for (const r of clean) expect(r).toMatchObject({ labels: [], cluster: 'p01', reviewed: true });
    expect(pageErrors).toEqual([]);
  });
});
