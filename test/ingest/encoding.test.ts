import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/analyzer.js';
import { readJsonl, readText } from '../../src/ingest/readers.js';
import { looksCp1251 } from '../../src/ingest/lines.js';
import { isErrorRecord, type Output, type Post } from '../../src/types.js';
import { collect, streamOf } from '../helpers/collect.js';

/** Text as Windows-1251 bytes (Russian letters only, which is what the code page has). */
function cp1251(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) bytes.push(c);
    else if (c >= 0x410 && c <= 0x44f) bytes.push(c - 0x410 + 0xc0);
    else if (c === 0x401) bytes.push(0xa8);
    else if (c === 0x451) bytes.push(0xb8);
    else throw new Error(`no cp1251 byte for ${ch}`);
  }
  return Buffer.from(bytes);
}

const AD = 'Закладки по городу, мефедрон в наличии, пиши оператору';
const quiet = { model: false as const, onNotice: () => {} };

async function score(records: AsyncIterable<Post | import('../../src/types.js').ErrorRecord>): Promise<Output[]> {
  const a = await createAnalyzer(quiet);
  try {
    return await collect(a.analyzeStream(records));
  } finally {
    await a.close();
  }
}

describe('posts that are not clean UTF-8 are scored and marked', () => {
  it('one U+FFFD in a post no longer keeps it out of the queue', async () => {
    const a = await createAnalyzer(quiet);
    try {
      const plain = await a.analyze(AD);
      const marked = await a.analyze(`${AD}\uFFFD`);
      expect(plain.labels).toContain('drugs');
      expect(marked.labels).toEqual(plain.labels);
      expect(marked.warnings).toEqual(['bad_encoding']);
      expect(plain.warnings).toBeUndefined();
    } finally {
      await a.close();
    }
  });

  it('a stray invalid byte in a UTF-8 JSONL post: decoded with U+FFFD, scored, marked', async () => {
    const bytes = Buffer.concat([Buffer.from(`{"id":"ad","text":"${AD.slice(0, 10)}`), Buffer.from([0xff]), Buffer.from(`${AD.slice(10)}"}\n{"id":"ok","text":"привет"}\n`)]);
    const out = await score(readJsonl(streamOf(bytes), 'shop.jsonl'));
    expect(out.map((o) => (isErrorRecord(o) ? o.error.code : o.id))).toEqual(['ad', 'ok']);
    expect(out[0]).toMatchObject({ labels: expect.arrayContaining(['drugs']), warnings: ['bad_encoding'] });
    expect(out[1]).not.toHaveProperty('warnings');
  });

  it.each([
    ['jsonl', (t: string, i: number) => `{"id":"${i}","text":"${t}"}`, readJsonl],
    ['txt', (t: string) => t, readText],
  ] as const)('a %s file in cp1251: the whole file is read as cp1251, every post scored and marked', async (_kind, line, read) => {
    const texts = ['hello, plain ASCII first', AD, 'Обычный пост про погоду, ёлки и снег'];
    const bytes = Buffer.concat(texts.map((t, i) => cp1251(`${line(t, i)}\n`)));
    const posts = (await collect(read(streamOf(bytes), 'win.txt'))) as Post[];
    expect(posts.map((p) => p.text)).toEqual(texts);
    expect(posts.map((p) => p.warnings)).toEqual([undefined, ['bad_encoding'], ['bad_encoding']]);
    const out = await score((async function* () { yield* posts; })());
    expect(out[1]).toMatchObject({ labels: expect.arrayContaining(['drugs']) });
  });

  it('a UTF-8 file with one bad line later stays UTF-8: only that line gets replacement characters', async () => {
    const bytes = Buffer.concat([Buffer.from('первая строка\n'), Buffer.from([0xc7, 0xe0, 0xea, 0xeb, 0xe0, 0xe4, 0xea, 0xe8, 0x0a]), Buffer.from('третья\n')]);
    const posts = (await collect(readText(streamOf(bytes), 'mixed.txt'))) as Post[];
    expect(posts.map((p) => p.text)).toEqual(['первая строка', '\uFFFD'.repeat(8), 'третья']);
    expect(posts.map((p) => p.warnings)).toEqual([undefined, ['bad_encoding'], undefined]);
  });

  it.each([
    [cp1251('Привет, как дела?'), true],
    [Buffer.from('Привет, как дела?'), false],
    [Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72]), false],
    [Buffer.from([0xc3, 0x28, 0xff]), false],
  ])('looksCp1251(%j) is %s', (bytes, expected) => {
    expect(looksCp1251(bytes)).toBe(expected);
  });
});
