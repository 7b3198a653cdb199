import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

const run = promisify(execFile);

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('a scan writes only where it was asked to', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  // onnxruntime's telemetry wrote ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db} and
  // $TMPDIR/mat-debug-<pid>.log and .ses on every run with worker threads.
  it.each([
    ['workers 1, jsonl', ['--workers', '1'], 'out.jsonl'],
    ['workers 2, jsonl', ['--workers', '2'], 'out.jsonl'],
    ['workers 2, html', ['--workers', '2', '--format', 'html'], 'out.html'],
  ])('with the bundled model (%s): HOME and TMPDIR hold the input and the output, nothing else', async (_name, flags, out) => {
    const home = mkdtempSync(join(tmpdir(), 'qorgau-home-'));
    const temp = mkdtempSync(join(tmpdir(), 'qorgau-tmp-'));
    made.push(home, temp);
    writeFileSync(join(home, 'in.jsonl'), `${JSON.stringify({ id: '1', text: 'Закладки мефедрон в наличии, пиши @shop_bot' })}\n${JSON.stringify({ id: '2', text: 'привет' })}\n`);
    // As a user's shell would have it: no opt-out of the runtime's own set, no other cache folder.
    const { ORT_DISABLE_TELEMETRY: _ort, XDG_CACHE_HOME: _cache, ...rest } = process.env;
    const env = { ...rest, HOME: home, TMPDIR: temp };
    await run('node', [BIN, 'scan', join(home, 'in.jsonl'), ...flags, '-o', join(home, out)], { env, cwd: home });
    expect(files(home)).toEqual(['in.jsonl', out]);
    expect(files(temp)).toEqual([]);
  });
});
