import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_FAN_IN, RunQueue, byRank, type Ranked } from '../../src/spill/runs.js';
import { Spool } from '../../src/spill/spool.js';
import { collect } from '../helpers/collect.js';

function items(n: number): Ranked[] {
  // Few distinct priorities: many ties, which the sequence number must order.
  return Array.from({ length: n }, (_, i) => ({ priority: ((i * 7919) % 13) / 13, seq: i, line: `{"id":"p${i}","text":"пост ${i}"}` }));
}

describe('RunQueue', () => {
  it.each([
    ['in memory', 1e9, undefined],
    ['spilled to many runs (more than one merge can open)', 200, undefined],
    ['spilled, top 37', 500, 37],
    ['in memory, top 37', 1e9, 37],
  ])('%s: yields every line in (priority desc, seq asc) order', async (_name, maxChars, top) => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-runs-'));
    const q = new RunQueue({ dir, maxChars, ...(top !== undefined ? { top } : {}) });
    const all = items(2_000);
    for (const it of all) q.add(it);
    const expected = [...all].sort(byRank).slice(0, top ?? all.length);
    expect(await collect(q.sorted())).toEqual(expected);
    if (maxChars < 1e9) expect(q.runs.length).toBeGreaterThan(1);
    if (maxChars === 200) expect(q.runs.length).toBeGreaterThan(MAX_FAN_IN);
    // Temporary merges are gone; the runs stay (a checkpoint may name them).
    if (maxChars < 1e9) expect(readdirSync(dir).filter((f) => f.includes('merged'))).toEqual([]);
    else expect(readdirSync(dir)).toEqual([]);
  });

  it('with top, drops lines that can no longer make the top instead of writing them', async () => {
    const { readFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-runs-'));
    const q = new RunQueue({ dir, maxChars: 500, top: 37 });
    const all = items(20_000);
    for (const it of all) q.add(it);
    const onDisk = q.runs.reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').length - 1, 0);
    // Every spilled batch holds at most 37 lines, and once 37 of the best priority are out, nothing else is kept.
    expect(onDisk).toBeLessThan(2_000);
    expect(await collect(q.sorted())).toEqual([...all].sort(byRank).slice(0, 37));
  });

  it('keeps the priority exactly through a run file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-runs-'));
    const q = new RunQueue({ dir, maxChars: 1 });
    q.add({ priority: 0.1 + 0.2, seq: 0, line: 'a' });
    q.add({ priority: 1 / 3, seq: 1, line: 'b' });
    expect((await collect(q.sorted())).map((r) => r.priority)).toEqual([1 / 3, 0.1 + 0.2]);
  });
});

describe('Spool', () => {
  it('keeps chunks in order across memory and file, and a resumed spool continues at the recorded size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-spool-'));
    const file = join(dir, 'errors.part');
    const s = new Spool(file, 10);
    s.append('один\n');
    s.append('два, «кавычки»\n');
    const size = s.flush();
    s.append('потерянный\n');
    s.flush();
    s.close();
    // A crash after the checkpoint: the resumed spool drops what came after `size`.
    const r = new Spool(file, 1_000, size);
    r.append('три\n');
    let text = '';
    await r.copyTo(async (c) => {
      text += c;
    });
    expect(text).toBe('один\nдва, «кавычки»\nтри\n');
  });
});

describe('fileLines()', () => {
  it('reads lines across block boundaries, also inside a multi-byte character', async () => {
    const { fileLines } = await import('../../src/spill/runs.js');
    const { writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-lines-'));
    const file = join(dir, 'run.tsv');
    const lines = ['короткая', 'я'.repeat(50), '', 'ещё одна «строка»', 'last'];
    writeFileSync(file, `${lines.join('\n')}\n`);
    for (const block of [1, 3, 7, 1 << 18]) expect([...fileLines(file, block)]).toEqual(lines);
  });
});
