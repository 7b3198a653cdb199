import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'fast-csv';
import { parser as jsonParser } from 'stream-json';
import { pick } from 'stream-json/filters/pick.js';
import { streamValues } from 'stream-json/streamers/stream-values.js';
import chain from 'stream-chain';
import { QorgauError, describeError } from '../errors.js';
import type { ErrorRecord, Post } from '../types.js';
import { readLines } from './lines.js';
import { DEFAULT_MAX_TEXT_LENGTH, errorRecord, idOf, jsonLineToPost, recordToPost, textToPost, type ReaderOptions } from './records.js';

export type InputFormat = 'jsonl' | 'csv' | 'tsv' | 'txt' | 'telegram';
export const INPUT_FORMATS: readonly InputFormat[] = ['jsonl', 'csv', 'tsv', 'txt', 'telegram'];

export type IngestRecord = Post | ErrorRecord;

export interface InputSpec extends ReaderOptions {
  /** A file path, or `-` for standard input. */
  readonly path: string;
  /** Overrides the format guessed from the extension. */
  readonly format?: InputFormat;
  /** A stream to read instead of opening `path` (stdin, tests). */
  readonly stream?: Readable;
}

/** The format a path's extension implies; `undefined` when it says nothing (stdin, unknown extension). */
export function formatFromPath(path: string): InputFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.txt' || ext === '.text') return 'txt';
  if (ext === '.json') return 'telegram';
  return undefined;
}

function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

function openInput(spec: InputSpec): Readable {
  if (spec.stream) return spec.stream;
  if (spec.path === '-') return process.stdin;
  return createReadStream(spec.path);
}

/**
 * Reads one input as Posts and error records, streaming: memory stays bounded whatever the file size.
 * A read failure after the file was opened becomes one error record (line 0 when the position is unknown).
 */
export async function* readInput(spec: InputSpec): AsyncGenerator<IngestRecord> {
  const format = spec.format ?? formatFromPath(spec.path) ?? (spec.path === '-' ? undefined : 'txt');
  const source = sourceName(spec.path);
  const stream = openInput(spec);
  try {
    switch (format) {
      case 'jsonl':
        yield* readJsonl(stream, source, spec);
        break;
      case 'csv':
      case 'tsv':
        yield* readCsv(stream, source, format === 'tsv' ? '\t' : ',', spec);
        break;
      case 'txt':
        yield* readText(stream, source, spec);
        break;
      case 'telegram':
        yield* readTelegram(stream, source, spec);
        break;
      case undefined:
        yield* readSniffed(stream, source, spec);
        break;
    }
  } catch (error) {
    if (error instanceof QorgauError) throw error;
    yield errorRecord(source, 0, 'unreadable_file', `Could not read ${source}: ${describeError(error)}`);
  } finally {
    if (stream !== process.stdin) stream.destroy();
  }
}

/** stdin without --input-format: JSONL when the first line starts with `{`, else one post per line. */
async function* readSniffed(stream: Readable, source: string, spec: ReaderOptions): AsyncGenerator<IngestRecord> {
  const lines = readLines(stream, spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH);
  const first = await lines.next();
  if (first.done) return;
  const isJson = 'text' in first.value && first.value.text.trimStart().startsWith('{');
  async function* replay() {
    yield first.value as Awaited<ReturnType<typeof lines.next>>['value'] & object;
    yield* lines;
  }
  yield* isJson ? jsonlFromLines(replay(), source, spec) : textFromLines(replay(), source, spec);
}

export async function* readJsonl(stream: Readable, source: string, spec: ReaderOptions = {}): AsyncGenerator<IngestRecord> {
  yield* jsonlFromLines(readLines(stream, spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH), source, spec);
}

async function* jsonlFromLines(
  lines: AsyncIterable<import('./lines.js').RawLine>,
  source: string,
  spec: ReaderOptions,
): AsyncGenerator<IngestRecord> {
  for await (const raw of lines) {
    if ('error' in raw) {
      yield lineError(raw, source, spec);
      continue;
    }
    if (raw.text.trim().length === 0) continue; // blank lines separate nothing in JSONL: not records
    yield jsonLineToPost(raw.text, source, raw.line, spec);
  }
}

export async function* readText(stream: Readable, source: string, spec: ReaderOptions = {}): AsyncGenerator<IngestRecord> {
  yield* textFromLines(readLines(stream, spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH), source, spec);
}

async function* textFromLines(
  lines: AsyncIterable<import('./lines.js').RawLine>,
  source: string,
  spec: ReaderOptions,
): AsyncGenerator<IngestRecord> {
  const maxLen = spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  for await (const raw of lines) {
    if ('error' in raw) {
      yield lineError(raw, source, spec);
      continue;
    }
    // A blank line in a plain-text file is a separator, not an empty post.
    if (raw.text.trim().length === 0) continue;
    yield textToPost(raw.text, `${source}:${raw.line}`, source, raw.line, maxLen);
  }
}

function lineError(
  raw: { line: number; error: 'bad_encoding' | 'too_long'; bytes: number },
  source: string,
  spec: ReaderOptions,
): ErrorRecord {
  if (raw.error === 'bad_encoding') {
    return errorRecord(source, raw.line, 'bad_encoding', 'The line is not valid UTF-8. Convert the file to UTF-8 (for example iconv -f cp1251 -t utf-8).');
  }
  return errorRecord(
    source,
    raw.line,
    'text_too_long',
    `The line has ${raw.bytes} bytes, more than maxTextLength (${spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH}). Split it or raise --max-length.`,
  );
}

/**
 * CSV/TSV with a header row. `line` in records and errors is the record number, the header being record 1
 * (a quoted field may span several physical lines).
 */
export async function* readCsv(
  stream: Readable,
  source: string,
  delimiter: ',' | '\t',
  spec: ReaderOptions = {},
): AsyncGenerator<IngestRecord> {
  const maxLen = spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const csv = stream.pipe(parseCsv({ headers: false, delimiter, ignoreEmpty: true, quote: delimiter === '\t' ? null : '"' }));
  stream.on('error', (error) => csv.destroy(error));
  let header: string[] | undefined;
  let record = 0;
  try {
    for await (const row of csv as AsyncIterable<string[]>) {
      record += 1;
      if (!header) {
        header = row.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
        const textField = spec.textField ?? 'text';
        if (!header.includes(textField)) {
          throw new QorgauError(
            'missing_text',
            `${source}: expected a \`${textField}\` column in the header, found: ${header.join(', ')}. Use --text-field to name the text column.`,
          );
        }
        continue;
      }
      if (row.length !== header.length) {
        yield errorRecord(source, record, 'bad_csv', `Expected ${header.length} columns as in the header, got ${row.length}.`);
        continue;
      }
      const obj: Record<string, string> = {};
      header.forEach((name, i) => {
        obj[name] = row[i] ?? '';
      });
      yield recordToPost(obj, source, record, { ...spec, maxTextLength: maxLen });
    }
  } catch (error) {
    if (error instanceof QorgauError) throw error;
    yield errorRecord(source, record + 1, 'bad_csv', `Could not parse the CSV after record ${record}: ${describeError(error)}`);
  }
}

type TelegramText = string | ReadonlyArray<string | { readonly type?: string; readonly text?: string; readonly href?: string }>;

interface TelegramMessage {
  readonly id?: number | string;
  readonly type?: string;
  readonly date?: string;
  readonly from?: string;
  readonly text?: TelegramText;
}

/** Telegram Desktop's text field: a plain string, or an array of strings and `{type, text}` entities. */
export function telegramText(text: TelegramText | undefined): { text: string; links: string[] } {
  if (text === undefined) return { text: '', links: [] };
  if (typeof text === 'string') return { text, links: [] };
  const links: string[] = [];
  let out = '';
  for (const part of text) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    out += part.text ?? '';
    if (part.href) links.push(part.href);
    else if ((part.type === 'link' || part.type === 'text_link') && part.text) links.push(part.text);
  }
  return { text: out, links };
}

/**
 * A Telegram Desktop export (`result.json` of one chat or channel), streamed: only the channel's name/id
 * and one message at a time are held in memory. Service messages (joins, pins) are not posts and are skipped.
 */
export async function* readTelegram(stream: Readable, source: string, spec: ReaderOptions = {}): AsyncGenerator<IngestRecord> {
  const maxLen = spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const pipeline = chain([
    stream,
    jsonParser(),
    pick({
      filter: (stack: readonly (string | number | null)[]) =>
        (stack.length === 1 && (stack[0] === 'name' || stack[0] === 'id')) || (stack.length === 2 && stack[0] === 'messages'),
    }),
    streamValues(),
  ]);
  let channelName: string | undefined;
  let channelId: string | undefined;
  let index = 0;
  try {
    for await (const item of pipeline as AsyncIterable<{ value: unknown }>) {
      const value = item.value;
      if (value === null || typeof value !== 'object') {
        if (channelName === undefined && typeof value === 'string') channelName = value;
        else if (channelId === undefined) channelId = String(value);
        continue;
      }
      index += 1;
      const message = value as TelegramMessage;
      if (message.type !== undefined && message.type !== 'message') continue;
      const channel = channelId ?? channelName ?? basename(source);
      const id = `${channel}/${idOf(message.id, source, index)}`;
      const { text, links } = telegramText(message.text);
      const meta: Record<string, unknown> = { channel: channelName ?? channel, message: message.id };
      if (message.date !== undefined) meta.date = message.date;
      if (message.from !== undefined) meta.from = message.from;
      if (links.length > 0) meta.links = links;
      yield textToPost(text, id, source, index, maxLen, meta);
    }
  } catch (error) {
    yield errorRecord(source, index + 1, 'bad_json', `The Telegram export is not valid JSON after message ${index}: ${describeError(error)}`);
  }
}
