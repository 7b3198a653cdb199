import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/ingest/readers.js';
import { isErrorRecord, type ErrorRecord, type Post } from '../../src/types.js';
import { collect, streamOf } from '../helpers/collect.js';

const posts = (xs: (Post | ErrorRecord)[]) => xs.filter((x): x is Post => !isErrorRecord(x));
const errors = (xs: (Post | ErrorRecord)[]) => xs.filter(isErrorRecord);

describe('readCsv() on malformed records', () => {
  it('turns a stray quote at row 5,000 of 10,000 into one error record and reads the other 9,999 rows', async () => {
    const rows = ['id,text'];
    for (let i = 1; i <= 10_000; i += 1) rows.push(i === 5000 ? 'c5000,"Айфон 13, 27"" в наличии" торг' : `c${i},"пост ${i}, с запятой"`);
    const out = await collect(readCsv(streamOf(`${rows.join('\n')}\n`), 'big.csv', ','));
    expect(out).toHaveLength(10_000);
    expect(posts(out)).toHaveLength(9_999);
    expect(errors(out).map((e) => [e.line, e.error.code])).toEqual([[5001, 'bad_csv']]);
    expect(posts(out).map((p) => p.id)).not.toContain('c5000');
    expect(posts(out).at(-1)!.id).toBe('c10000');
  });

  it('keeps the row before and the row after `s4,"x"y` in a 5-row file', async () => {
    const out = await collect(readCsv(streamOf('id,text\ns1,один\ns2,два\ns3,три\ns4,"x"y\ns5,пять\n'), 's.csv', ','));
    expect(posts(out).map((p) => p.id)).toEqual(['s1', 's2', 's3', 's5']);
    expect(errors(out).map((e) => [e.line, e.error.code])).toEqual([[5, 'bad_csv']]);
    expect(errors(out)[0]!.error.message).toMatch(/Malformed CSV record: .*line 5 of the file/);
  });

  it.each([
    ['a quote inside an unquoted field', 'id,text\nq1,a"b\nq2,два\n', ['q2'], [2]],
    ['an unclosed quote at the end of the file', 'id,text\nq1,"никогда не закрыта\nq2,два\nq3,три\n', ['q2', 'q3'], [2]],
    ['an unclosed quote in the middle, then good rows', 'id,text\nq1,один\nq2,"открыта\nq3,три\nq4,"ок, ""да"""\n', ['q1', 'q3', 'q4'], [3]],
    ['text after a closing quote', 'id,text\nq1,"x" y\nq2,"мульти\nстрока"\nq3,три\n', ['q2', 'q3'], [2]],
  ])('%s: one error record, the other rows come out', async (_name, csv, ids, errorLines) => {
    const out = await collect(readCsv(streamOf(csv), 'q.csv', ','));
    expect(posts(out).map((p) => p.id)).toEqual(ids);
    expect(errors(out).map((e) => e.line)).toEqual(errorLines);
    expect(errors(out).every((e) => e.error.code === 'bad_csv')).toBe(true);
  });

  it('bounds an unclosed quote: the record fails after the line limit and reading goes on', async () => {
    const body = Array.from({ length: 3_000 }, (_, i) => `r${i},строка ${i}`).join('\n');
    const out = await collect(readCsv(streamOf(`id,text\nbad,"открыта\n${body}\n`), 'u.csv', ','));
    expect(errors(out)).toHaveLength(1);
    expect(posts(out)).toHaveLength(3_000);
  });

  it('reads a multi-line quoted field in a CRLF file', async () => {
    const out = await collect(readCsv(streamOf('id,text\r\nm1,"строка один\r\nстрока два"\r\nm2,ok\r\n'), 'm.csv', ','));
    expect(posts(out).map((p) => [p.id, p.text])).toEqual([
      ['m1', 'строка один\nстрока два'],
      ['m2', 'ok'],
    ]);
  });
});
