import { describe, expect, it } from 'vitest';
import { readCsv, readJsonl } from '../../src/ingest/readers.js';
import { MAX_META_CHARS, MAX_META_DEPTH, metaProblem } from '../../src/ingest/records.js';
import { isErrorRecord, type ErrorRecord, type Post } from '../../src/types.js';
import { collect, streamOf } from '../helpers/collect.js';
import { qorgau } from '../helpers/cli.js';

const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('meta limits at read time', () => {
  it.each([
    [MAX_META_DEPTH - 1, undefined],
    [MAX_META_DEPTH + 1, 'too_deep'],
    [3_000, 'too_deep'],
  ])('a record whose extra fields nest %i levels deep: %s', async (depth, code) => {
    const line = `{"id":"d","text":"привет","extra":${nested(depth)}}\n{"id":"next","text":"ещё"}\n`;
    const out = await collect(readJsonl(streamOf(line), 'deep.jsonl'));
    expect(out).toHaveLength(2);
    expect(isErrorRecord(out[0]!) ? out[0].error.code : undefined).toBe(code);
    expect((out[1] as Post).id).toBe('next');
  });

  it('rejects extra fields larger than the cap, keeps normal ones', async () => {
    const big = JSON.stringify({ id: 'b', text: 'x', blob: 'я'.repeat(MAX_META_CHARS) });
    const many = JSON.stringify({ id: 'm', text: 'x', list: Array.from({ length: MAX_META_CHARS / 4 }, () => 1) });
    const ok = JSON.stringify({ id: 'o', text: 'x', channel: 'c', date: '2026-01-01', tags: ['a', 'b'] });
    const out = await collect(readJsonl(streamOf(`${big}\n${many}\n${ok}\n`), 'big.jsonl'));
    expect(out.map((r) => (isErrorRecord(r) ? r.error.code : 'ok'))).toEqual(['meta_too_large', 'meta_too_large', 'ok']);
    expect((out[0] as ErrorRecord).id).toBe('b');
  });

  it('applies to CSV columns too', async () => {
    const out = await collect(readCsv(streamOf(`id,text,blob\n1,x,${'a'.repeat(MAX_META_CHARS + 10)}\n2,y,z\n`), 'c.csv', ','));
    expect(out.map((r) => (isErrorRecord(r) ? r.error.code : 'ok'))).toEqual(['meta_too_large', 'ok']);
  });

  it('reports a wide value as too large and a deep one as too deep', () => {
    expect(metaProblem({ wide: Array.from({ length: 100_000 }, () => ({ a: 1 })) })?.code).toBe('meta_too_large');
    expect(metaProblem(JSON.parse(nested(MAX_META_DEPTH + 1)))?.code).toBe('too_deep');
    expect(metaProblem({ channel: 'c', n: 1, ok: true, none: null })).toBeUndefined();
  });

  it('a 3-line stdin input with 3,000-level nesting finishes a multi-threaded scan with one error record', async () => {
    const input = `{"id":"1","text":"меф в наличии"}\n{"id":"2","text":"x","m":${nested(3_000)}}\n{"id":"3","text":"пиши @shop_bot"}\n`;
    const r = await qorgau(['scan', '-', '--no-model', '--workers', '2', '--all'], input);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; error?: { code: string } });
    expect(lines.map((l) => [l.id, l.error?.code])).toEqual([
      ['1', undefined],
      ['2', 'too_deep'],
      ['3', undefined],
    ]);
  }, 30_000);
});
