import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../src/bench/corpus.js';
import { BIN, SAMPLES, qorgau } from '../helpers/cli.js';

let dir: string;
let big: string;
const POSTS = 6_000;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qorgau-dataloss-'));
  big = join(dir, 'big.jsonl');
  const { posts } = generateCorpus(1);
  writeFileSync(big, `${posts.slice(0, POSTS).map((text, i) => JSON.stringify({ id: `p${i}`, text })).join('\n')}\n`);
});

afterAll(() => {
  execFileSync('rm', ['-rf', dir]);
});

function start(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn('node', [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, done };
}

async function waitFor(check: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lines = (path: string): string[] => readFileSync(path, 'utf8').trim().split('\n');

describe('qorgau never destroys its input or leaves a broken output', () => {
  it('refuses an output that is one of the inputs, also through a symlink, and leaves the input alone', async () => {
    const input = join(dir, 'in.jsonl');
    const content = '{"id":"1","text":"меф в наличии, пиши @shop_bot"}\n';
    writeFileSync(input, content);
    const link = join(dir, 'link.jsonl');
    symlinkSync(input, link);
    for (const out of [input, link]) {
      const r = await qorgau(['scan', '--no-model', input, '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is also an input/);
      expect(readFileSync(input, 'utf8')).toBe(content);
    }
    const results = join(dir, 'r.jsonl');
    writeFileSync(results, content);
    const r = await qorgau(['report', results, '-o', results]);
    expect(r.code).toBe(2);
    expect(readFileSync(results, 'utf8')).toBe(content);
  });

  it('-o into a missing folder: a clear error naming it, no stack trace', async () => {
    const r = await qorgau(['scan', '--no-model', join(SAMPLES, 'posts.jsonl'), '-o', join(dir, 'missing', 'out.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the folder .*missing does not exist\. Create it first/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a killed run leaves the final name as it was (no truncated file), and --resume finishes it like an uninterrupted run', async () => {
    const out = join(dir, 'killed.jsonl');
    writeFileSync(out, 'previous results\n');
    const run = start(['scan', '--no-model', '--workers', '1', big, '-o', out, '--checkpoint-seconds', '0.2']);
    const checkpoint = join(dir, '.killed.jsonl.qorgau', 'checkpoint.json');
    await waitFor(() => existsSync(checkpoint) && JSON.parse(readFileSync(checkpoint, 'utf8')).records > 0);
    run.child.kill('SIGKILL');
    await run.done;
    expect(readFileSync(out, 'utf8')).toBe('previous results\n');

    const resumed = await qorgau(['scan', '--no-model', '--workers', '1', big, '-o', out, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resumed: [1-9]\d* records came from the checkpoint/);
    const reference = join(dir, 'reference.jsonl');
    expect((await qorgau(['scan', '--no-model', '--workers', '1', big, '-o', reference])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
    // Done: no checkpoint, lock or temporary file is left.
    expect(readdirSync(dir).filter((f) => f.includes('killed'))).toEqual(['killed.jsonl']);
  }, 120_000);

  it('SIGINT: the posts read are written, sorted; the summary says how many were not read; --resume completes the output', async () => {
    const out = join(dir, 'interrupted.jsonl');
    const run = start(['scan', '--no-model', '--workers', '1', big, '-o', out, '--checkpoint-seconds', '0.2']);
    const checkpoint = join(dir, '.interrupted.jsonl.qorgau', 'checkpoint.json');
    await waitFor(() => existsSync(checkpoint) && JSON.parse(readFileSync(checkpoint, 'utf8')).records > 0);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.done;
    expect(code).toBe(130);
    const m = /interrupted: (\d+) records are in the output; about (\d+) records .* were not read\. Run the same command with --resume/.exec(stderr);
    expect(m).not.toBeNull();
    const [written, unread] = [Number(m![1]), Number(m![2])];
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(POSTS);
    // The estimate counts lines after the reader's position, which runs ahead by a buffer.
    expect(written + unread).toBeGreaterThan(POSTS * 0.9);
    expect(written + unread).toBeLessThanOrEqual(POSTS);
    const partial = lines(out).map((l) => JSON.parse(l) as { priority: number });
    const priorities = partial.map((p) => p.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));

    const resumed = await qorgau(['scan', '--no-model', '--workers', '1', big, '-o', out, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`${POSTS} records read`));
    const reference = join(dir, 'reference-int.jsonl');
    expect((await qorgau(['scan', '--no-model', '--workers', '1', big, '-o', reference])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
  }, 120_000);

  it('--resume refuses a checkpoint made for other settings', async () => {
    const out = join(dir, 'settings.jsonl');
    const run = start(['scan', '--no-model', '--workers', '1', big, '-o', out, '--checkpoint-seconds', '0.2']);
    await waitFor(() => existsSync(join(dir, '.settings.jsonl.qorgau', 'checkpoint.json')));
    run.child.kill('SIGKILL');
    await run.done;
    const r = await qorgau(['scan', '--no-model', '--workers', '1', '--top', '5', big, '-o', out, '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/made with other settings/);
  }, 60_000);

  it('a second scan writing the same -o refuses while the first runs; the first still writes a whole file', async () => {
    const out = join(dir, 'shared.jsonl');
    // The first run reads stdin that stays open, so it holds the output until the test ends its input.
    const first = start(['scan', '--no-model', '--workers', '1', '-', '-o', out]);
    first.child.stdin!.write('{"id":"a","text":"меф в наличии, пиши @shop_bot"}\n');
    await waitFor(() => existsSync(`${out}.lock`));
    const second = await qorgau(['scan', '--no-model', join(SAMPLES, 'posts.jsonl'), '-o', out]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/being written by another qorgau run \(pid \d+/);
    first.child.stdin!.end('{"id":"b","text":"закладки по городу"}\n');
    expect((await first.done).code).toBe(0);
    expect(lines(out).map((l) => (JSON.parse(l) as { id: string }).id).sort()).toEqual(['a', 'b']);
    expect(existsSync(`${out}.lock`)).toBe(false);
  }, 60_000);

  it('a lock left by a killed run does not block the next one', async () => {
    const out = join(dir, 'stale.jsonl');
    writeFileSync(`${out}.lock`, '999999999\n');
    const r = await qorgau(['scan', '--no-model', join(SAMPLES, 'posts.jsonl'), '-o', out]);
    expect(r.code).toBe(0);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('a write that fails (file too large for the limit, as a full disk) exits 1 naming the file, and leaves no half line under the final name', () => {
    const out = join(dir, 'efbig.jsonl');
    // SIGXFSZ ignored and a 64 KB file-size limit: writes past it fail with EFBIG, as they would with ENOSPC.
    const script = `trap '' XFSZ; ulimit -f 64; exec node ${JSON.stringify(BIN)} scan --no-model --workers 1 ${JSON.stringify(big)} -o ${JSON.stringify(out)}`;
    let code = 0;
    let stderr = '';
    try {
      execFileSync('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      code = (error as { status: number }).status;
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(code).toBe(1);
    expect(stderr).toMatch(/Could not write \S*efbig\.jsonl\S*: .*too large/i);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('efbig'))).toEqual([]);
  }, 60_000);
});

// A real full disk: a 256 KB tmpfs. Mounting needs root and a kernel that allows it; elsewhere this is skipped.
const mountable = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'qorgau-mount-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rm', ['-rf', probe]);
  }
})();
if (!mountable) console.warn('full-disk test skipped: mounting a small tmpfs needs root and mount permission');

describe.skipIf(!mountable)(`a full disk${mountable ? '' : ' (skipped: cannot mount a tmpfs here)'}`, () => {
  it('exits 1 naming the file, with nothing under the final name', async () => {
    const disk = mkdtempSync(join(tmpdir(), 'qorgau-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk]);
    try {
      mkdirSync(join(disk, 'out'));
      const out = join(disk, 'out', 'full.jsonl');
      const r = await qorgau(['scan', '--no-model', '--workers', '1', big, '-o', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Could not write \S*full\.jsonl\S*: .*no space left/i);
      expect(readdirSync(join(disk, 'out'))).toEqual([]);
    } finally {
      execFileSync('umount', [disk]);
      execFileSync('rm', ['-rf', disk]);
    }
  }, 120_000);
});
