import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan.js';
import { readResults } from '../../src/report/read.js';
import { sourceOf } from '../../src/report/stats.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { textHash } from '../../src/serve/store/index.js';
import type { Result } from '../../src/types.js';
import { SAMPLES } from '../helpers/cli.js';

// Debian's Chromium, as in test/report/browser.test.ts: skipped without it unless QORGAU_REQUIRE_BROWSER is set.
const CHROMIUM = process.env.QORGAU_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.QORGAU_REQUIRE_BROWSER) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
if (!available) process.stderr.write(`skip: ${CHROMIUM} is missing (apt-get install -y chromium): the served review page is not tested in a browser\n`);

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!available)('the served review page in headless Chromium, two reviewers', () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let results: Result[];
  const tokens: Record<string, string> = {};
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qorgau-served-'));
    const file = join(dir, 'results.jsonl');
    const out = createWriteStream(file);
    // Relative paths, as a user would type them: they show on the page (and in the README's screenshot).
    const input = (name: string): { path: string } => ({ path: relative(process.cwd(), join(SAMPLES, name)) });
    await scan({ model: false, inputs: [input('posts.jsonl'), input('comments.csv')], out, errors: createWriteStream('/dev/null'), onNotice: () => {} });
    out.end();
    await once(out, 'finish');
    results = [];
    for await (const r of readResults({ path: file })) if (!('error' in r)) results.push(r);
    server = await startServer({ model: false, port: 0, db: join(dir, 'review.db'), cards: 3, onNotice: () => {} });
    await server.store!.importResults(readResults({ path: file }), { source: 'results.jsonl' });
    for (const [name, role] of [['alice', 'reviewer'], ['bob', 'reviewer'], ['adam', 'admin']] as const) tokens[name] = (await server.store!.addReviewer(name, role)).token;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signIn(name: string, url = server.url): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${name}: ${m.text()}`);
    });
    await page.goto(`${url}/`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.fill('#token', tokens[name]!);
    await Promise.all([page.waitForURL(`${url}/`), page.click('button[type=submit]')]);
    await page.waitForSelector('body[data-ready="true"]');
    return { context, page };
  }

  const cardIds = (page: Page): Promise<string[]> => page.$$eval('#list > article.card', (arts) => arts.map((a) => (a as HTMLElement).dataset.id!));
  const savedAtLeast = (page: Page, n: number): Promise<unknown> => page.waitForFunction((k) => Number(document.body.dataset.saved ?? 0) >= k, n);
  const membersOf = (id: string): Result[] => {
    const rep = results.find((r) => r.id === id)!;
    return results.filter((r) => r.cluster === rep.cluster);
  };

  it('gives each reviewer different cards, writes their decisions, shows them after a reload, and exports them', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const a = await cardIds(alice.page);
    const b = await cardIds(bob.page);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect(await alice.page.textContent('header.top .who-am-i')).toMatch(/^Signed in as alice \(reviewer\)/);
    // Reviewers see no local "clear", and only admins the export.
    expect(await alice.page.$('#clear')).toBeNull();
    expect(await alice.page.$('#export')).toBeNull();

    // Alice confirms her first card (and its cluster), relabels her second as fraud; Bob clears his first.
    const first = alice.page.locator(`#list > article.card[data-id="${a[0]}"]`);
    await first.locator(':scope > .decide button[data-act="confirm"]').click();
    const firstMembers = membersOf(a[0]!);
    await savedAtLeast(alice.page, firstMembers.length);
    const second = alice.page.locator(`#list > article.card[data-id="${a[1]}"]`);
    await second.locator(':scope > .decide button[data-act="wrong"]').click();
    await second.locator(':scope > .decide .picker input[value="fraud"]').check();
    const secondMembers = membersOf(a[1]!);
    // Apply to one post only where the cluster has more.
    if (secondMembers.length > 1) await second.locator(':scope > .decide .apply-all').uncheck();
    await second.locator(':scope > .decide button[data-act="save"]').click();
    await savedAtLeast(alice.page, firstMembers.length + 1);
    await bob.page.locator(`#list > article.card[data-id="${b[0]}"] > .decide button[data-act="clean"]`).click();
    const bobMembers = membersOf(b[0]!);
    await savedAtLeast(bob.page, bobMembers.length);
    expect(await alice.page.textContent('#notice')).toBe('Saved as alice.');

    await alice.page.reload();
    await alice.page.waitForSelector('body[data-ready="true"]');
    const states = await alice.page.$$eval('#list > article.card', (arts) =>
      Object.fromEntries(arts.map((x) => [(x as HTMLElement).dataset.id!, x.querySelector(':scope > .decide .state')?.textContent ?? null])),
    );
    const rep = (id: string): Result => results.find((r) => r.id === id)!;
    expect(states[a[0]!]).toBe(`Confirmed: ${rep(a[0]!).labels.join(', ')}`);
    expect(states[a[1]!]).toBe('Relabelled: fraud');
    await bob.page.reload();
    await bob.page.waitForSelector('body[data-ready="true"]');
    expect(await bob.page.textContent(`#list > article.card[data-id="${b[0]}"] > .decide .state`)).toBe('Clean');
    // Bob's reload handed him no card alice holds.
    expect((await cardIds(bob.page)).filter((id) => a.includes(id))).toEqual([]);

    // The admin's export: the corpus rows the page writes, one per decided post.
    const adam = await signIn('adam');
    const [download] = await Promise.all([adam.page.waitForEvent('download'), adam.page.click('#export')]);
    const path = join(dir, 'export.jsonl');
    await download.saveAs(path);
    const rows = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const row = (r: Result, decision: string, labels: string[], reviewer: string, via: boolean): Record<string, unknown> => ({
      id: r.id,
      lang: r.lang,
      labels,
      text: r.text,
      source: sourceOf(r),
      reviewed: true,
      decision,
      predicted: r.labels,
      cluster: r.cluster,
      reviewedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d/),
      ...(via ? { via: 'cluster' } : {}),
      reviewers: [reviewer],
    });
    const expected = [
      ...firstMembers.map((m) => row(m, 'confirmed', [...rep(a[0]!).labels], 'alice', m.id !== a[0])),
      row(rep(a[1]!), 'relabelled', ['fraud'], 'alice', false),
      ...bobMembers.map((m) => row(m, 'clean', [], 'bob', m.id !== b[0])),
    ];
    const order = new Map(results.map((r, i) => [r.id, i]));
    expected.sort((x, y) => order.get(x.id as string)! - order.get(y.id as string)!);
    expect(rows).toEqual(expected);
    // The keys are the page's: id and FNV-1a text hash, so the file page and the served one agree.
    const current = await server.store!.currentDecisions();
    expect(current.every((d) => d.hash === textHash(results.find((r) => r.id === d.postId)!.text))).toBe(true);
    expect(problems).toEqual([]);
    await Promise.all([alice.context.close(), bob.context.close(), adam.context.close()]);
  });

  it('shows an admin who decided what when cards go to two reviewers (--overlap 2)', async () => {
    // A second server on the same database, sending each card to two reviewers: the admin is the second.
    const second = await startServer({ model: false, port: 0, db: join(dir, 'review.db'), cards: 10, overlap: 2, onNotice: () => {} });
    try {
      const adam = await signIn('adam', second.url);
      const who = await adam.page.$$eval('#list > article.card > .who', (boxes) => boxes.map((b) => b.textContent));
      expect(who.some((t) => /alice (confirmed|relabelled)/.test(t ?? ''))).toBe(true);
      expect(who.some((t) => /bob clean/.test(t ?? ''))).toBe(true);
      expect(await adam.page.textContent('header.top .who-am-i')).toMatch(/each card goes to 2 reviewers/);
      if (process.env.QORGAU_SCREENSHOT) {
        // For the README: the queue with both reviewers' decisions under their cards.
        await adam.page.setViewportSize({ width: 1280, height: 1650 });
        await adam.page.screenshot({ path: process.env.QORGAU_SCREENSHOT });
      }
      expect(problems).toEqual([]);
      await adam.context.close();
    } finally {
      await second.close();
    }
  });
});
