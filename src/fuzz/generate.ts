/**
 * Random and mutated inputs for the fuzzer: JSONL, CSV, TXT and Telegram exports with ordinary posts, deep
 * nesting, huge and repetitive posts (src/bench/shapes.ts), invalid bytes, broken quotes and JSON, odd field
 * types. Each generated file says how many records it holds, which is how many outputs `scan --all` must give.
 */
import { MAX_RECORD_LINES } from '../ingest/csv.js';
import { seededRng } from '../cluster/reposts.js';
import { SHAPES, repeatTo } from '../bench/shapes.js';

export type FuzzFormat = 'jsonl' | 'csv' | 'txt' | 'telegram';
export const FUZZ_FORMATS: readonly FuzzFormat[] = ['jsonl', 'csv', 'txt', 'telegram'];

export interface FuzzInput {
  readonly format: FuzzFormat;
  readonly bytes: Buffer;
  /** Records a reader must turn into one output each. */
  readonly records: number;
  /** Per record, what was done to it (for the failure report). */
  readonly kinds: readonly string[];
}

/** mulberry32 (the clustering test set's generator): small, seeded, good enough to pick cases. */
export const prng: (seed: number) => () => number = seededRng;

const WORDS = [
  'закладки', 'мефедрон', 'шишки', 'оператор', 'казино', 'бонус', 'ставки', 'привет', 'погода', 'Алматы', 'есірткі',
  'сатамыз', 'жазыңыз', 'убей', 'себя', 'никто', 'тебя', 'любит', 'порно', 'интим', 'оружие', 'пистолет', 'без',
  'документов', 't.me/shop_bot', '@almaty_shop', '+7 701 123 45 67', '5000₸', '💊', '❄️', 'з@кл@дки', 'ш.и.ш.к.и',
  'н a р к o т и к и', 'Qazaqstan', 'sälem', 'hello', 'world', '1.2.3', '=cmd|', '<script>', '"quoted"', "it's", 'a,b',
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function int(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

function sentence(random: () => number): string {
  const n = int(random, 1, 30);
  const out: string[] = [];
  for (let i = 0; i < n; i += 1) out.push(pick(random, WORDS));
  return out.join(random() < 0.1 ? '\n' : ' ');
}

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) v = i % 2 === 0 ? { a: v } : [v];
  return v;
}

/** A post text: mostly ordinary, sometimes huge and repetitive, sometimes odd characters. */
function text(random: () => number, hugeChars: number): { text: string; kind: string } {
  const r = random();
  if (r < 0.001) {
    const shape = pick(random, SHAPES);
    return { text: repeatTo(shape.unit, int(random, hugeChars / 4, hugeChars)), kind: `huge ${shape.name}` };
  }
  if (r < 0.012) {
    const shape = pick(random, SHAPES);
    return { text: `${sentence(random)} ${repeatTo(shape.unit, int(random, 100, 5000))}`, kind: `repetitive ${shape.name}` };
  }
  if (r < 0.03) {
    let s = '';
    const n = int(random, 1, 200);
    for (let i = 0; i < n; i += 1) s += String.fromCharCode(int(random, 1, 0xffff));
    return { text: s, kind: 'random units' };
  }
  return { text: sentence(random), kind: 'plain' };
}

/** Replaces a few bytes with invalid UTF-8 (or any byte), never a newline: record boundaries stay where they were. */
function mutateBytes(random: () => number, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const n = int(random, 1, 4);
  for (let i = 0; i < n && out.length > 0; i += 1) {
    const at = int(random, 0, out.length - 1);
    let b = pick(random, [0xff, 0xfe, 0xc0, 0xc3, 0x80, 0xbf, 0xe0, 0xf8, int(random, 0, 255)]);
    if (b === 0x0a || b === 0x0d) b = 0xff;
    out[at] = b;
  }
  return out;
}

const MARK = 'QZXINVALIDBYTESQZX';

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A CSV field may span at most MAX_RECORD_LINES lines: the reader takes a quote still open after that as never
 * closed (documented in the README's Limits), so a longer field has no one right record count. Later line breaks
 * become spaces; every other shape of huge post stays.
 */
function withinCsvLines(text: string): string {
  let lines = 0;
  return text.replace(/\r\n|\r|\n/g, (nl) => (++lines < MAX_RECORD_LINES ? nl : ' '));
}

/** One JSONL line: an object with a text, or something a reader must turn into one error record. */
function jsonlLine(random: () => number, i: number, huge: number): { line: Buffer; kind: string } {
  const r = random();
  const t = text(random, huge);
  if (r < 0.02) return { line: Buffer.from(`{"id":"${i}","text":${JSON.stringify(t.text)}`), kind: 'truncated JSON' };
  if (r < 0.04) return { line: Buffer.from(JSON.stringify({ id: i, text: t.text, extra: nested(int(random, 500, 4000)) })), kind: 'deep extra field' };
  if (r < 0.05) return { line: Buffer.from(JSON.stringify([i, t.text])), kind: 'array' };
  if (r < 0.07) return { line: Buffer.from(JSON.stringify({ id: i, text: pick(random, [null, 42, { a: 1 }, [t.text], true, '']) })), kind: 'odd text type' };
  if (r < 0.08) return { line: Buffer.from(JSON.stringify({ id: { x: i }, text: t.text, meta: { channel: '<b>x</b>', n: i } })), kind: 'odd id' };
  const line = Buffer.from(JSON.stringify({ id: String(i), text: t.text, channel: pick(random, ['t.me/a', 'chat', 'канал']) }));
  if (r < 0.12) return { line: mutateBytes(random, line), kind: `invalid bytes, ${t.kind}` };
  return { line, kind: t.kind };
}

const UTF8 = new TextDecoder('utf-8');
const CP1251 = new TextDecoder('windows-1251');

/** Lines that a line-based reader skips: nothing but ASCII whitespace. */
function blank(line: Buffer): boolean {
  return line.every((b) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0b || b === 0x0c);
}

function jsonl(random: () => number, count: number, huge: number): FuzzInput {
  const lines: Buffer[] = [];
  const kinds: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    let { line, kind } = jsonlLine(random, i, huge);
    // A mutated line that became blank would not be a record; it always has a letter.
    if (blank(line)) line = Buffer.from('x');
    lines.push(line);
    kinds.push(kind);
    if (random() < 0.02) lines.push(Buffer.from(pick(random, ['', ' ', '\r'])));
  }
  return { format: 'jsonl', bytes: joinLines(random, lines), records: count, kinds };
}

function joinLines(random: () => number, lines: readonly Buffer[]): Buffer {
  const nl = random() < 0.2 ? '\r\n' : '\n';
  const parts: Buffer[] = [];
  lines.forEach((l, i) => {
    parts.push(l);
    if (i < lines.length - 1 || random() < 0.5) parts.push(Buffer.from(nl));
  });
  return Buffer.concat(parts);
}

function txt(random: () => number, count: number, huge: number): FuzzInput {
  const lines: Buffer[] = [];
  const kinds: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const t = text(random, huge);
    // One post per line: line breaks inside a text would make more posts than records.
    let line: Buffer = Buffer.from(t.text.replace(/[\n\r\u2028\u2029\u0085]/g, ' '));
    let kind = t.kind;
    if (random() < 0.05) {
      line = mutateBytes(random, line);
      kind = `invalid bytes, ${kind}`;
    }
    // Blank as the reader sees it, in either encoding it may read the file in: no post, so not a record.
    if (blank(line) || UTF8.decode(line).trim() === '' || CP1251.decode(line).trim() === '') line = Buffer.concat([line, Buffer.from('x')]);
    lines.push(line);
    kinds.push(kind);
    if (random() < 0.02) lines.push(Buffer.from(''));
  }
  return { format: 'txt', bytes: joinLines(random, lines), records: count, kinds };
}

function csv(random: () => number, count: number, huge: number): FuzzInput {
  const rows: Buffer[] = [Buffer.from('id,text,channel')];
  const kinds: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const generated = text(random, huge);
    const t = { ...generated, text: withinCsvLines(generated.text) };
    const r = random();
    let row: string;
    let kind = t.kind;
    if (r < 0.02) {
      row = `c${i},"${t.text.replace(/[\n\r"]/g, ' ')} 27"" в наличии" торг,x`;
      kind = 'malformed quote';
    } else if (r < 0.03) {
      row = `s${i},"x"y,z`;
      kind = 'quote then text';
    } else if (r < 0.05) {
      row = `${i},${csvCell(t.text)}`;
      kind = 'too few columns';
    } else if (r < 0.06) {
      row = `${i},${csvCell(t.text)},a,b`;
      kind = 'too many columns';
    } else row = `${i},${csvCell(t.text)},${csvCell(pick(random, ['t.me/a', '=1+1', '@handle', 'chat, room']))}`;
    let bytes: Buffer = Buffer.from(row);
    if (random() < 0.04) {
      const original = bytes;
      bytes = mutateBytes(random, original);
      // A mutated byte could open or close a quote, or take away the comma that puts a quote at a field's
      // start, and so move the record boundary: the record count would no longer be known. Quotes and commas
      // stay where they were, byte for byte (not by UTF-16 index: the text is Cyrillic).
      const kept = (c: number | undefined): boolean => c === 0x22 || c === 0x2c;
      bytes = Buffer.from(bytes.map((b, k) => (kept(original[k]) ? original[k]! : b === 0x22 ? 0x3f : b)));
      kind = `invalid bytes, ${kind}`;
    }
    rows.push(bytes);
    kinds.push(kind);
  }
  return { format: 'csv', bytes: joinLines(random, rows), records: count, kinds };
}

function telegram(random: () => number, count: number, huge: number): FuzzInput {
  const messages: string[] = [];
  const kinds: string[] = [];
  let records = 0;
  for (let i = 1; i <= count; i += 1) {
    const t = text(random, huge);
    const r = random();
    let message: unknown;
    let kind = t.kind;
    if (r < 0.03) {
      message = { id: i, type: 'service', action: 'pin_message', text: '' };
      kind = 'service (skipped)';
    } else if (r < 0.06) {
      message = { id: i, type: 'message', date: '2024-01-01T00:00:00', text: pick(random, [null, 7, { a: 1 }, [null, 'x'], [{ type: 'bold', text: 5 }]]) };
      kind = 'odd text type';
    } else if (r < 0.08) {
      message = { id: i, type: 'message', text: [t.text, { type: 'text_link', text: 'link', href: 'javascript:alert(1)' }], reactions: nested(int(random, 500, 3000)) };
      kind = 'deep field';
    } else {
      // Invalid bytes go inside the text only (MARK is swapped for them below): the JSON around stays JSON.
      const body = random() < 0.05 ? `${t.text.slice(0, 20)}${MARK}${t.text.slice(20)}` : t.text;
      if (body !== t.text) kind = `invalid bytes, ${kind}`;
      message = { id: i, type: 'message', date: '2024-01-01T00:00:00', from: 'Shop', text: random() < 0.5 ? body : [body, { type: 'mention', text: '@shop' }] };
    }
    if (kind !== 'service (skipped)') {
      records += 1;
      kinds.push(kind);
    }
    messages.push(JSON.stringify(message));
  }
  const json = `{"name":"Fuzz channel","type":"public_channel","id":123,"messages":[\n${messages.join(',\n')}\n]}`;
  const bytes = Buffer.concat(json.split(MARK).flatMap((part, k) => (k === 0 ? [Buffer.from(part)] : [Buffer.from([0xff, 0xc3, 0x28]), Buffer.from(part)])));
  return { format: 'telegram', bytes, records, kinds };
}

/** One input file of `count` records in `format`; posts marked huge have up to `hugeChars` characters. */
export function generate(random: () => number, format: FuzzFormat, count: number, hugeChars: number): FuzzInput {
  switch (format) {
    case 'jsonl':
      return jsonl(random, count, hugeChars);
    case 'txt':
      return txt(random, count, hugeChars);
    case 'csv':
      return csv(random, count, hugeChars);
    case 'telegram':
      return telegram(random, count, hugeChars);
  }
}
