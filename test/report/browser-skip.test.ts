import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const run = promisify(execFile);

describe('browser tests without Chromium', () => {
  it('say in the test output why they skip', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, QORGAU_CHROMIUM: '/nonexistent/chromium' };
    delete env.QORGAU_REQUIRE_BROWSER;
    const { stdout, stderr } = await run('npx', ['vitest', 'run', 'test/report/browser.test.ts'], { cwd: ROOT, env, maxBuffer: 16 << 20 });
    const output = stdout + stderr;
    expect(output).toMatch(/skipped/);
    expect(output).toMatch(/\/nonexistent\/chromium is missing/);
  }, 60_000);
});
