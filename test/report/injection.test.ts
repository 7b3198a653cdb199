import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_CSP } from '../../src/report/render.js';

// Debian's Chromium, as in browser.test.ts: skipped (and said so) without it, a failure where CI requires it.
const CHROMIUM = process.env.QORGAU_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.QORGAU_REQUIRE_BROWSER) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
if (!available) console.warn(`injection.test.ts: skipped, ${CHROMIUM} is missing (apt-get install -y chromium, or set QORGAU_CHROMIUM)`);

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

// Each payload tries to run script (counted in window.__pwned) or to reach another origin (any request at all
// is recorded below). 127.0.0.1:9 is the discard port: nothing is ever sent there, every request is aborted.
const EVIL = 'http://127.0.0.1:9/steal';
const PAYLOADS = [
  `<img src=x onerror="window.__pwned=(window.__pwned||0)+1">`,
  `"><script>window.__pwned=(window.__pwned||0)+1</script>`,
  `'><svg onload="window.__pwned=(window.__pwned||0)+1">`,
  `</script><script>window.__pwned=(window.__pwned||0)+1</script>`,
  `<meta http-equiv="refresh" content="0;url=${EVIL}">`,
  `<base href="${EVIL}/">`,
  `<form action="${EVIL}"><button id=go>go</button></form>`,
  `<link rel=stylesheet href="${EVIL}.css"><style>body{background:url(${EVIL}.png)}</style>`,
  `<iframe src="${EVIL}"></iframe><object data="${EVIL}"></object>`,
  `javascript:window.__pwned=1`,
  `{{constructor.constructor('window.__pwned=1')()}}`,
];
const all = (prefix: string): string => PAYLOADS.map((p, i) => `${prefix}${i}:${p}`).join(' ');
// A file name cannot hold '/', so its payload has none.
const FILE_PAYLOAD = `x"><img src=x onerror=window.__pwned=1>`;

interface Seen {
  requests: string[];
  dialogs: number;
  pwned: number;
  violations: string[];
  handlers: string[];
}

let dir: string;
let context: BrowserContext;

async function open(path: string): Promise<{ page: Page; seen: () => Promise<Seen> }> {
  const page = await context.newPage();
  const requests: string[] = [];
  const self = `file://${path}`;
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs += 1;
    void d.dismiss();
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url !== self) requests.push(url);
    return url === self ? route.continue() : route.abort();
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(self);
  await page.waitForSelector('body[data-ready="true"]');
  return {
    page,
    seen: async () => {
      const inPage = await page.evaluate(() => {
        const w = window as unknown as { __pwned?: number; __violations: string[] };
        // Inline handlers anywhere in the document: none may come from data.
        const handlers = [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName} ${a.name}`));
        return { pwned: w.__pwned ?? 0, violations: w.__violations, handlers };
      });
      return { requests, dialogs, ...inPage };
    },
  };
}

/** Uses the page as a reviewer would: every card, every cluster, every filter, a search for a payload. */
async function exercise(page: Page): Promise<void> {
  for (const button of await page.locator('button.expand').all()) await button.click();
  await page.fill('#f-search', PAYLOADS[0]!);
  await page.fill('#f-search', '');
  await page.selectOption('#f-category', 'drugs');
  await page.selectOption('#f-category', '');
  const sources = await page.locator('#f-source option').count();
  for (let i = 1; i < sources; i += 1) await page.selectOption('#f-source', { index: i });
  for (const summary of await page.locator('details summary').all()) await summary.click();
  await page.waitForTimeout(300);
}

const clean: Seen = { requests: [], dialogs: 0, pwned: 0, violations: [], handlers: [] };

describe.skipIf(!available)('the review page runs and requests nothing that a results file or a post holds', () => {
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error('Run `npm run build` first: this test renders the page with dist/cli/main.js.');
    dir = mkdtempSync(join(tmpdir(), 'qorgau-inject-'));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scan --format html: payloads in text, id, channel and meta', async () => {
    const input = join(dir, `${FILE_PAYLOAD}.jsonl`);
    const posts = PAYLOADS.map((p, i) => ({
      id: `id${i}${p}`,
      text: `Закладки мефедрон в наличии, оператор @shop_bot t.me/shop ${p} ${all('t')}`,
      channel: `ch${i}${p}`,
      url: i % 2 === 0 ? `javascript:window.__pwned=1//${p}` : `${EVIL}?${i}`,
      date: p,
      from: p,
      [p]: p,
    }));
    writeFileSync(input, posts.map((p) => JSON.stringify(p)).join('\n'));
    const out = join(dir, 'scan.html');
    await run('node', [BIN, 'scan', '--no-model', input, '--format', 'html', '--title', all('title'), '-o', out]);
    const html = readFileSync(out, 'utf8');
    // The page's own script runs only through the hash (the test below waits for it to start), so the policy
    // in the built page is checked by its shape here: the hash of dist's script differs from the sources'.
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; img-src data:; base-uri 'none'; form-action 'none'">/);
    const { page, seen } = await open(out);
    expect(await page.locator('#list > article.card').count()).toBeGreaterThan(0);
    await exercise(page);
    expect(await seen()).toEqual(clean);
    // What was written stays visible as text: the title and a post.
    expect(await page.title()).toBe(all('title'));
    expect(await page.locator('#list').innerText()).toContain(PAYLOADS[0]);
    await page.close();
  });

  it('report: payloads in every field of result and error records, in the title and in the file name', async () => {
    const scores = { drugs: 0.9, cyberbullying: 0, extremism: 0, hate: 0, suicide: 0, gambling: 0, fraud: 0, sexual: 0, weapons: 0 };
    const records = PAYLOADS.flatMap((p, i) => {
      const text = `Закладки ${p} ${all('t')}`;
      return [
        {
          id: `r${i}${p}`,
          lang: p,
          labels: ['drugs'],
          scores,
          priority: 0.9,
          evidence: [{ category: 'drugs', rule: `rule${i}${p}`, match: text.slice(0, 8), start: 0, end: 8, weight: 0.9, near: { rule: p, match: p, start: 0, end: 3 } }],
          contacts: [{ type: p, value: `@x${p}`, start: 0, end: 3 }],
          text,
          source: `src${i}${p}`,
          line: i + 1,
          meta: { channel: `ch${p}`, url: `javascript:window.__pwned=1//${p}`, link: p, date: p, [p]: p },
          cluster: `r${i}${p}`,
          clusterSize: 1,
          warnings: [p],
        },
        { id: `e${i}${p}`, source: `esrc${p}`, line: p, error: { code: `code${i}${p}`, message: `message ${p}` } },
        { source: p, line: i, error: { code: p, message: p } },
      ];
    });
    const input = join(dir, `results-${FILE_PAYLOAD}.jsonl`);
    writeFileSync(input, records.map((r) => JSON.stringify(r)).join('\n'));
    const out = join(dir, 'report.html');
    await run('node', [BIN, 'report', input, '--title', all('title'), '-o', out]);
    const { page, seen } = await open(out);
    expect(await page.locator('#list > article.card').count()).toBeGreaterThan(0);
    await exercise(page);
    expect(await seen()).toEqual(clean);
    // The crafted error codes are listed, as text.
    expect(await page.locator('table.errors').innerText()).toContain(`code0${PAYLOADS[0]}`);
    expect(await page.locator('header.top').innerText()).toContain(FILE_PAYLOAD);
    await page.close();
  });

  it('the policy itself: only the page script and style by hash, no network, no base, no forms', () => {
    expect(REPORT_CSP).toMatch(/default-src 'none'/);
    expect(REPORT_CSP).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(REPORT_CSP).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(REPORT_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(REPORT_CSP).toMatch(/base-uri 'none'/);
    expect(REPORT_CSP).toMatch(/form-action 'none'/);
  });
});
