import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openOutputFile } from '../../src/output/file.js';

describe('openOutputFile()', () => {
  it('writes a regular file through a temporary file and leaves nothing else behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-out-'));
    const out = openOutputFile(join(dir, 'r.jsonl'));
    out.stream.write('a\n');
    expect(existsSync(join(dir, 'r.jsonl'))).toBe(false);
    await out.commit();
    expect(readFileSync(join(dir, 'r.jsonl'), 'utf8')).toBe('a\n');
    expect(readdirSync(dir)).toEqual(['r.jsonl']);
  });

  it('writes a device such as /dev/null in place instead of renaming a file over it', async () => {
    const out = openOutputFile('/dev/null');
    out.stream.write('discarded\n');
    await out.commit();
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(existsSync('/dev/null.lock')).toBe(false);
  });

  it('writes into a FIFO that another process reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-fifo-'));
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const { spawn } = await import('node:child_process');
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const closed = new Promise((r) => reader.on('close', r));
    const out = openOutputFile(fifo);
    out.stream.write('through the pipe\n');
    await out.commit();
    await closed;
    expect(got).toBe('through the pipe\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});
