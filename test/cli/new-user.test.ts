import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, SAMPLES, qorgau } from '../helpers/cli.js';

const run = promisify(execFile);

describe('qorgau as a new user sees it', () => {
  it('--rules takes one folder: the text after it is still the text to score', async () => {
    const rules = mkdtempSync(join(tmpdir(), 'qorgau-rules-'));
    const r = await qorgau(['score', '--json', '--no-model', '--rules', rules, 'ты урод']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).labels).toContain('cyberbullying');
  });

  it('--rules can be repeated, and scan takes its inputs after it', async () => {
    const a = mkdtempSync(join(tmpdir(), 'qorgau-rules-'));
    const b = mkdtempSync(join(tmpdir(), 'qorgau-rules-'));
    const r = await qorgau(['scan', '--no-model', '--rules', a, '--rules', b, join(SAMPLES, 'posts.jsonl')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/records read/);
  });

  it('--max-length counts characters, not bytes (a Cyrillic character is 2 bytes)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-len-'));
    const input = join(dir, 'long.jsonl');
    const long = `меф в наличии ${'я'.repeat(59_000)}`;
    writeFileSync(input, `${JSON.stringify({ id: 'fits', text: long })}\n${JSON.stringify({ id: 'over', text: `${long}${'я'.repeat(2_000)}` })}\n`);
    const r = await qorgau(['scan', '--no-model', '--all', '--max-length', '60000', input]);
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; error?: { code: string; message: string } });
    expect(out[0]!.error).toBeUndefined();
    expect(out[1]!.error?.code).toBe('text_too_long');
    expect(out[1]!.error?.message).toMatch(/has 61014 characters, more than maxTextLength \(60000\)/);
  });

  it('an emoji counts as one character', async () => {
    const r = await qorgau(['scan', '-', '--no-model', '--all', '--max-length', '5'], `${JSON.stringify({ id: 'e', text: '🔥🔥🔥🔥🔥' })}\n`);
    expect(JSON.parse(r.stdout.trim()).error).toBeUndefined();
  });

  it('the summary reports the wall time the user waited, start-up included', async () => {
    const t = performance.now();
    const r = await qorgau(['scan', '--no-model', join(SAMPLES, 'posts.jsonl')]);
    const waited = (performance.now() - t) / 1000;
    const m = /qorgau: ([\d.]+) s wall \(([\d.]+) s start-up/.exec(r.stderr);
    expect(m).not.toBeNull();
    const [wall, startup] = [Number(m![1]), Number(m![2])];
    expect(startup).toBeGreaterThan(0);
    expect(wall).toBeGreaterThanOrEqual(startup);
    // Loading rules dominates a small scan: the figure covers it (before, it said 0.05 s of a 2 s run).
    expect(wall).toBeGreaterThan(waited * 0.5);
    expect(wall).toBeLessThanOrEqual(waited);
  });

  it('shows a progress bar with percent, posts/s and ETA on a terminal, on stderr only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-tty-'));
    const out = join(dir, 'out.jsonl');
    const log = join(dir, 'tty.log');
    // script(1) gives the command a terminal; its transcript holds what the terminal showed.
    const cmd = `stty cols 160; node ${JSON.stringify(BIN)} scan --no-model --workers 1 ${JSON.stringify(join(SAMPLES, 'posts.jsonl'))} ${JSON.stringify(join(SAMPLES, 'comments.csv'))} -o ${JSON.stringify(out)}`;
    await run('script', ['-qfec', cmd, log]);
    const shown = readFileSync(log, 'utf8');
    expect(shown).toMatch(/qorgau \[[^\]]*\] \d+% · \d+ read · \d+ candidates · \d+ errors · \d+ posts\/s · ETA/);
    expect(readFileSync(out, 'utf8')).not.toMatch(/%|ETA|\r/);
  });

  it('writes no progress when stderr is not a terminal', async () => {
    const r = await qorgau(['scan', '--no-model', join(SAMPLES, 'posts.jsonl')]);
    expect(r.stderr).not.toMatch(/\r|ETA/);
  });
});
