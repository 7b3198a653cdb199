// Renders the review page for the samples (plus the repost test set, so that clusters show) and saves
// docs/report.png. Needs `npm run build` and Debian's chromium: node docs/screenshot.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'qorgau-shot-'));
const page = join(dir, 'report.html');
// Relative paths, as a user would type them: they appear on the page.
execFileSync('node', [
  'dist/cli/main.js', 'scan', '--no-model', '--format', 'html', '-o', page, '--title', 'qorgau review queue: samples',
  'corpora/samples/posts.jsonl', 'corpora/samples/comments.csv', 'corpora/samples/telegram-export/result.json', 'corpora/samples/lines.txt',
  'corpora/clusters/reposts.jsonl',
], { stdio: 'inherit', cwd: root });
const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: process.env.QORGAU_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1360, height: 1500 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const tab = await context.newPage();
  await tab.goto(`file://${page}`);
  await tab.waitForSelector('body[data-ready="true"]');
  // One decision made and one cluster opened, so the picture shows the whole workflow.
  await tab.locator('#list > article.card').nth(0).locator('button[data-act="confirm"]').click();
  const cluster = tab.locator('#list > article.card').filter({ has: tab.locator('.dup') }).first();
  await cluster.locator('button[data-act="expand"]').click();
  await tab.screenshot({ path: join(root, 'docs', 'report.png') });
} finally {
  await context.close();
  rmSync(dir, { recursive: true, force: true });
}
