import { describe, expect, it } from 'vitest';
import { readInput } from '../../src/ingest/readers.js';
import { entryToRecord, errorKey, fieldsToOutput, outputToFields, recordToFields, resultKey, tooManyDeliveries } from '../../src/queue/entries.js';
import { messageFields } from '../../src/queue/nats.js';
import { isErrorRecord, type ErrorRecord, type Post } from '../../src/types.js';
import { collect, streamOf } from '../helpers/collect.js';

const place = { stream: 'posts', ref: '1700000000000-0' };

describe('entryToRecord()', () => {
  it.each([
    ['flat id and text', { id: 'a1', text: 'привет' }, { id: 'a1', text: 'привет', meta: {}, source: 'posts@1700000000000-0', line: 1 }],
    ['flat fields beyond id and text go into meta', { id: 'a2', text: 'т', channel: 'c' }, { id: 'a2', text: 'т', meta: { channel: 'c' } }],
    ['a meta field holding JSON', { id: 'a3', text: 'т', meta: '{"views":3,"tags":["x"]}' }, { id: 'a3', meta: { views: 3, tags: ['x'] } }],
    ['source and line locate the post', { id: 'a4', text: 'т', source: 'vk', line: '17' }, { id: 'a4', source: 'vk', line: 17, meta: {} }],
    ['no id: the entry\'s place', { text: 'т' }, { id: 'posts@1700000000000-0:1' }],
    ['a JSONL record', { record: '{"id":7,"text":"т","lang":"kk"}' }, { id: '7', text: 'т', meta: { lang: 'kk' } }],
    ['a post from enqueue', { post: '{"id":"f:3","text":"т","meta":{"m":1},"source":"f.jsonl","line":3}' }, { id: 'f:3', text: 'т', meta: { m: 1 }, source: 'f.jsonl', line: 3 }],
  ])('reads %s', (_name, fields, want) => {
    const got = entryToRecord(fields, place);
    expect(isErrorRecord(got)).toBe(false);
    expect(got).toMatchObject(want);
  });

  it.each([
    ['a record that is not JSON', { record: '{"id":' }, 'bad_json', /Malformed JSON/],
    ['a record that is not an object', { record: '[1]' }, 'bad_record', /got an array/],
    ['no text field', { id: 'x', body: 'т' }, 'missing_text', /Expected a `text` field, found fields: id, body/],
    ['an empty text', { id: 'x', text: '  ' }, 'empty_text', /empty/],
    ['a meta field that is not an object', { id: 'x', text: 'т', meta: '"s"' }, 'bad_record', /`meta` field/],
    ['a post field that is not JSON', { post: 'nope' }, 'bad_record', /`post` field/],
    ['a post without an id', { post: '{"text":"т"}' }, 'bad_record', /string `id`/],
    ['a post whose text is not a string', { post: '{"id":"p","text":1}' }, 'bad_record', /got number/],
    ['an error field that is not an error record', { error: '{}' }, 'bad_record', /`error` field/],
  ])('turns %s into an error record with its place', (_name, fields, code, message) => {
    const got = entryToRecord(fields, place) as ErrorRecord;
    expect(got.error.code).toBe(code);
    expect(got.error.message).toMatch(message);
    expect(got.source).toBe('posts@1700000000000-0');
  });

  it('scores a text with replacement characters instead of dropping it (one U+FFFD must not hide a post)', () => {
    expect(entryToRecord({ id: 'x', text: 'Пр\uFFFDвет' }, place)).toMatchObject({ id: 'x', text: 'Пр\uFFFDвет', source: 'posts@1700000000000-0' });
  });

  it('applies --max-length and the text and id field names', () => {
    const long = entryToRecord({ id: 'x', text: 'a'.repeat(11) }, place, { maxTextLength: 10 }) as ErrorRecord;
    expect(long.error.code).toBe('text_too_long');
    expect(entryToRecord({ body: 'т', key: 'k1' }, place, { textField: 'body', idField: 'key' })).toMatchObject({ id: 'k1', text: 'т' });
  });

  it('gives back what enqueue read, for every format scan reads', async () => {
    const jsonl = '{"id":"p1","text":"Закладки","channel":"c"}\n{"id":2,"text":"x"}\n{bad\n{"id":"e","text":""}\n';
    const csv = 'id,text,author\nc1,"Привет, мир",a\nc2,,b\n';
    for (const spec of [
      { path: 'in.jsonl', stream: streamOf(jsonl) },
      { path: 'in.csv', stream: streamOf(csv) },
      { path: 'in.txt', stream: streamOf('раз\n\nдва\n') },
    ]) {
      const read = await collect(readInput(spec));
      expect(read.length).toBeGreaterThan(1);
      for (const [i, record] of read.entries()) {
        expect(entryToRecord(recordToFields(record), { stream: 'posts', ref: String(i) })).toEqual(record);
      }
    }
  });
});

describe('keys', () => {
  const result = { id: 'p1', text: 'текст' };

  it('keys a result by post id, text and analyzer version', () => {
    expect(resultKey(result, 'v1')).toBe(resultKey({ ...result }, 'v1'));
    expect(resultKey(result, 'v1')).not.toBe(resultKey(result, 'v2'));
    expect(resultKey(result, 'v1')).not.toBe(resultKey({ ...result, text: 'текст!' }, 'v1'));
    expect(resultKey(result, 'v1')).not.toBe(resultKey({ ...result, id: 'p2' }, 'v1'));
    // Joined with a separator, so moving characters between id and text changes the key.
    expect(resultKey({ id: 'ab', text: 'c' }, 'v')).not.toBe(resultKey({ id: 'a', text: 'bc' }, 'v'));
  });

  it('keys an error record by the entry that gave it', () => {
    expect(errorKey(place)).toBe(errorKey({ ...place }));
    expect(errorKey(place)).not.toBe(errorKey({ ...place, ref: '1700000000000-1' }));
  });
});

describe('output fields', () => {
  it('round-trips a record and reports entries that are not records', () => {
    const post: Post = { id: 'p', text: 't', meta: {}, source: 's', line: 2 };
    const error = tooManyDeliveries(post, 6, 5);
    expect(error).toMatchObject({ id: 'p', source: 's', line: 2, error: { code: 'too_many_deliveries' } });
    expect(fieldsToOutput(outputToFields(error, 'e:1'), place)).toEqual({ key: 'e:1', output: error });
    expect(fieldsToOutput({ record: '{"x":1}' }, place).output).toMatchObject({ error: { code: 'bad_record' } });
    expect(fieldsToOutput({ record: 'nope' }, place).output).toMatchObject({ error: { code: 'bad_record' } });
  });
});

describe('messageFields() (NATS)', () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name];

  it.each([
    ['a JSON record without headers', '{"id":"n"}', {}, { record: '{"id":"n"}' }],
    ['a post from enqueue', '{"id":"n"}', { 'Qorgau-Entry': 'post' }, { post: '{"id":"n"}' }],
    ['a read error from enqueue', '{}', { 'Qorgau-Entry': 'error' }, { error: '{}' }],
    ['an unknown entry kind as a record', '{}', { 'Qorgau-Entry': 'other' }, { record: '{}' }],
    ['source and line headers', '{}', { 'Qorgau-Source': 'vk', 'Qorgau-Line': '4' }, { record: '{}', source: 'vk', line: '4' }],
  ])('reads %s', (_name, data, h, want) => {
    expect(messageFields(new TextEncoder().encode(data), headers(h))).toEqual(want);
  });

  it('says when the data is not UTF-8', () => {
    expect(messageFields(new Uint8Array([0xcf, 0xf0]), headers({}))).toEqual({ badEncoding: true });
  });
});
