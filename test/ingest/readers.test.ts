import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { readCsv, readInput, readJsonl, readTelegram, readText, telegramText, formatFromPath } from '../../src/ingest/readers.js';
import { isErrorRecord, type ErrorRecord, type Post } from '../../src/types.js';
import { collect, streamOf } from '../helpers/collect.js';

const posts = (xs: (Post | ErrorRecord)[]) => xs.filter((x): x is Post => !isErrorRecord(x));
const errors = (xs: (Post | ErrorRecord)[]) => xs.filter(isErrorRecord);

describe('readJsonl()', () => {
  it('reads posts with ids, meta and line numbers', async () => {
    const out = await collect(readJsonl(streamOf('{"id":"a","text":"привет","channel":"x"}\n{"text":"без id"}\n'), 'in.jsonl'));
    expect(out).toEqual([
      { id: 'a', text: 'привет', meta: { channel: 'x' }, source: 'in.jsonl', line: 1 },
      { id: 'in.jsonl:2', text: 'без id', meta: {}, source: 'in.jsonl', line: 2 },
    ]);
  });

  it('turns every kind of bad line into one error record with its position and goes on', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"id":"1","text":"ok"}\n'),
      Buffer.from('{not json\n'),
      Buffer.from('{"id":"3"}\n'),
      Buffer.from('{"id":"4","text":"   "}\n'),
      Buffer.from('{"id":"5","text":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}\n'),
      Buffer.from('[1,2]\n'),
      Buffer.from('{"id":"7","text":42}\n'),
      Buffer.from('{"id":"8","text":"last"}'),
    ]);
    const out = await collect(readJsonl(streamOf(bad), 'bad.jsonl'));
    expect(out).toHaveLength(8);
    expect(posts(out).map((p) => p.id)).toEqual(['1', '5', '8']);
    // Bad bytes are read as U+FFFD and the post is kept (and marked), not refused.
    expect(posts(out)[1]).toMatchObject({ text: '\uFFFD(\uFFFD', warnings: ['bad_encoding'] });
    expect(errors(out).map((e) => [e.line, e.error.code])).toEqual([
      [2, 'bad_json'],
      [3, 'missing_text'],
      [4, 'empty_text'],
      [6, 'bad_record'],
      [7, 'bad_record'],
    ]);
  });

  it('reports a line longer than maxTextLength without holding it, then reads the next line', async () => {
    const huge = `{"id":"big","text":"${'а'.repeat(6_000_000)}"}\n{"id":"after","text":"ok"}\n`;
    // Deliver it in small chunks as a file stream would.
    const buf = Buffer.from(huge);
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 65536) chunks.push(buf.subarray(i, i + 65536));
    const out = await collect(readJsonl(Readable.from(chunks), 'big.jsonl', { maxTextLength: 1_000_000 }));
    expect(out).toHaveLength(2);
    expect(isErrorRecord(out[0]!) && out[0].error.code).toBe('text_too_long');
    expect((out[0] as ErrorRecord).line).toBe(1);
    expect((out[1] as Post).id).toBe('after');
  });

  it('uses the configured text and id fields', async () => {
    const out = await collect(readJsonl(streamOf('{"msg_id":7,"body":"текст"}\n'), 's', { textField: 'body', idField: 'msg_id' }));
    expect(out).toEqual([{ id: '7', text: 'текст', meta: {}, source: 's', line: 1 }]);
  });
});

describe('readCsv()', () => {
  it('reads a header row, quoted fields with newlines, and reports rows with the wrong column count', async () => {
    const csv = 'id,text,author\n1,"первая строка\nвторая строка",a\n2,короткий\n3,"с ""кавычками""",b\n';
    const out = await collect(readCsv(streamOf(csv), 'c.csv', ','));
    expect(posts(out).map((p) => [p.id, p.text, p.line])).toEqual([
      ['1', 'первая строка\nвторая строка', 2],
      ['3', 'с "кавычками"', 4],
    ]);
    expect(errors(out).map((e) => [e.line, e.error.code])).toEqual([[3, 'bad_csv']]);
    expect(posts(out)[0]!.meta).toEqual({ author: 'a' });
  });

  it('reads TSV and a custom text column', async () => {
    const out = await collect(readCsv(streamOf('msg\tuser\nсәлем\tbek\n'), 't.tsv', '\t', { textField: 'msg' }));
    expect(posts(out).map((p) => [p.id, p.text])).toEqual([['t.tsv:2', 'сәлем']]);
  });

  it('fails clearly when the text column is missing from the header', async () => {
    await expect(collect(readCsv(streamOf('a,b\n1,2\n'), 'x.csv', ','))).rejects.toThrow(/expected a `text` column/);
  });
});

describe('readText()', () => {
  it('reads one post per line, skips blank lines and keeps line numbers', async () => {
    const out = await collect(readText(streamOf('первый\r\n\nвторой\n'), 'l.txt'));
    expect(out.map((p) => [(p as Post).text, (p as Post).line])).toEqual([
      ['первый', 1],
      ['второй', 3],
    ]);
  });
});

describe('telegramText()', () => {
  it('joins strings and {type, text} entities and collects links', () => {
    expect(
      telegramText(['Бот: ', { type: 'mention', text: '@shop_bot' }, ' ', { type: 'text_link', text: 'тут', href: 'https://t.me/x' }]),
    ).toEqual({ text: 'Бот: @shop_bot тут', links: ['https://t.me/x'] });
    expect(telegramText('plain')).toEqual({ text: 'plain', links: [] });
  });
});

describe('readTelegram()', () => {
  const exportJson = JSON.stringify({
    name: 'Канал',
    type: 'public_channel',
    id: 42,
    messages: [
      { id: 1, type: 'service', action: 'create_channel', text: '' },
      { id: 2, type: 'message', date: '2026-01-01T00:00:00', from: 'Канал', text: ['Цена ', { type: 'bold', text: '5000₸' }] },
      { id: 3, type: 'message', text: '' },
      { id: 4, type: 'message', text: 'ещё пост' },
    ],
  });

  it('yields channel/message ids, joins entity arrays, keeps date and from, skips service messages', async () => {
    const out = await collect(readTelegram(streamOf(exportJson), 'result.json'));
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual({
      id: '42/2',
      text: 'Цена 5000₸',
      meta: { channel: 'Канал', message: 2, date: '2026-01-01T00:00:00', from: 'Канал' },
      source: 'result.json',
      line: 2,
    });
    expect(isErrorRecord(out[1]!) && out[1].error.code).toBe('empty_text');
    expect((out[2] as Post).id).toBe('42/4');
  });

  it('reports truncated JSON as an error record after the messages it could read', async () => {
    const out = await collect(readTelegram(streamOf(exportJson.slice(0, exportJson.indexOf('ещё'))), 'cut.json'));
    expect(posts(out).map((p) => p.id)).toEqual(['42/2']);
    expect(errors(out).at(-1)!.error.code).toBe('bad_json');
  });
});

describe('readInput()', () => {
  it.each([
    ['a.jsonl', 'jsonl'],
    ['a.ndjson', 'jsonl'],
    ['a.CSV', 'csv'],
    ['a.tsv', 'tsv'],
    ['a.txt', 'txt'],
    ['result.json', 'telegram'],
    ['-', undefined],
  ])('guesses the format of %s', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });

  it('sniffs JSONL on stdin', async () => {
    const out = await collect(readInput({ path: '-', stream: streamOf('{"id":"s","text":"из stdin"}\n') }));
    expect(out).toEqual([{ id: 's', text: 'из stdin', meta: {}, source: 'stdin', line: 1 }]);
  });

  it('sniffs plain text on stdin', async () => {
    const out = await collect(readInput({ path: '-', stream: streamOf('просто текст\n') }));
    expect((out[0] as Post).text).toBe('просто текст');
  });

  it('turns a read failure into an error record', async () => {
    const out = await collect(readInput({ path: '/nonexistent/file.jsonl' }));
    expect(out).toHaveLength(1);
    expect((out[0] as ErrorRecord).error.code).toBe('unreadable_file');
  });
});
