import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Readable } from 'node:stream';
import { parser as jsonParser } from 'stream-json';
import { pick } from 'stream-json/filters/pick.js';
import { streamValues } from 'stream-json/streamers/stream-values.js';
import chain from 'stream-chain';
import { QorgauError, describeError } from '../errors.js';
import type { ErrorRecord, Post } from '../types.js';
import { csvRecords } from './csv.js';
import { readLines, withEncodingWarning } from './lines.js';
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

/**
 * The longest line read, in bytes, for posts of up to `maxTextLength` characters: a character takes up to 4
 * bytes in UTF-8, and up to 12 in JSON written with \u escapes (a surrogate pair), plus the other fields.
 * Longer lines are skipped unread, so memory stays bounded; the text itself is then measured in characters.
 */
function lineBytes(spec: ReaderOptions, kind: 'jsonl' | 'txt'): number {
  const chars = spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  return kind === 'txt' ? chars * 4 + 4 : chars * 12 + 65_536;
}

/** stdin without --input-format: JSONL when the first line starts with `{`, else one post per line. */
async function* readSniffed(stream: Readable, source: string, spec: ReaderOptions): AsyncGenerator<IngestRecord> {
  const lines = readLines(stream, lineBytes(spec, 'jsonl'));
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
  yield* jsonlFromLines(readLines(stream, lineBytes(spec, 'jsonl')), source, spec);
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
    yield withEncodingWarning(jsonLineToPost(raw.text, source, raw.line, spec), raw);
  }
}

export async function* readText(stream: Readable, source: string, spec: ReaderOptions = {}): AsyncGenerator<IngestRecord> {
  yield* textFromLines(readLines(stream, lineBytes(spec, 'txt')), source, spec);
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
    yield withEncodingWarning(textToPost(raw.text, `${source}:${raw.line}`, source, raw.line, maxLen), raw);
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
    `The line has ${raw.bytes} bytes, more than a post of maxTextLength (${spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH}) characters can take. Split it or raise --max-length.`,
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
  // A record holds more than its text (id, other columns): its lines get some room beyond the text limit.
  const maxRecord = maxLen + 65_536;
  let header: string[] | undefined;
  let record = 0;
  for await (const rec of csvRecords(readLines(stream, maxRecord * 4), delimiter, maxRecord)) {
    record += 1;
    if (rec.kind === 'bad') {
      if (!header) throw new QorgauError('bad_csv', `${source}: the header row (line ${rec.line}) cannot be read: ${rec.message}`);
      yield errorRecord(source, record, 'bad_csv', `${rec.message} (line ${rec.line} of the file)`);
      continue;
    }
    const row = rec.fields;
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
      yield errorRecord(source, record, 'bad_csv', `Expected ${header.length} columns as in the header, got ${row.length} (line ${rec.line} of the file).`);
      continue;
    }
    const obj: Record<string, string> = {};
    header.forEach((name, i) => {
      obj[name] = row[i] ?? '';
    });
    yield recordToPost(obj, source, record, { ...spec, maxTextLength: maxLen });
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

function describeValue(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** Why a message's `text` is not a string or an array of strings and `{text: string}` entities; undefined when it is. */
function badTelegramText(text: unknown): string | undefined {
  if (text === undefined || typeof text === 'string') return undefined;
  if (!Array.isArray(text)) return `Expected the message's \`text\` to be a string or an array of strings and {type, text} entities, got ${describeValue(text)}.`;
  for (let i = 0; i < text.length; i += 1) {
    const part: unknown = text[i];
    if (typeof part === 'string') continue;
    if (part === null || typeof part !== 'object' || Array.isArray(part)) {
      return `Expected \`text[${i}]\` to be a string or a {type, text} entity, got ${describeValue(part)}.`;
    }
    const entity = part as { text?: unknown; href?: unknown; type?: unknown };
    if (entity.text !== undefined && typeof entity.text !== 'string') return `Expected \`text[${i}].text\` to be a string, got ${describeValue(entity.text)}.`;
    if (entity.href !== undefined && typeof entity.href !== 'string') return `Expected \`text[${i}].href\` to be a string, got ${describeValue(entity.href)}.`;
  }
  return undefined;
}

/** Where a picked value sits: the top-level chat of a one-chat export, or chat `index` of a section's list. */
type TelegramPath =
  | { readonly kind: 'chat'; readonly chat: string; readonly field: 'name' | 'id' }
  | { readonly kind: 'message'; readonly chat: string; readonly section?: string };

function telegramPath(stack: readonly (string | number | null)[]): TelegramPath | undefined {
  if (stack.length === 1 && (stack[0] === 'name' || stack[0] === 'id')) return { kind: 'chat', chat: '', field: stack[0] };
  if (stack.length === 2 && stack[0] === 'messages') return { kind: 'message', chat: '' };
  // A full-account export: {chats: {list: [{name, id, messages: […]}]}, left_chats: {list: […]}, …}.
  if (stack[1] !== 'list' || typeof stack[0] !== 'string' || typeof stack[2] !== 'number') return undefined;
  const chat = `${stack[0]}/${stack[2]}`;
  if (stack.length === 4 && (stack[3] === 'name' || stack[3] === 'id')) return { kind: 'chat', chat, field: stack[3] };
  if (stack.length === 5 && stack[3] === 'messages') return { kind: 'message', chat, section: stack[0] };
  return undefined;
}

/**
 * A Telegram Desktop export, streamed: `result.json` of one chat or channel, or of a whole account (every chat
 * in `chats.list`, `left_chats.list` and any other section with a list of chats). Only the current chat's name
 * and id and one message at a time are held in memory. Service messages (joins, pins) are not posts and are
 * skipped; a message that is not an object, or whose `text` has the wrong shape, is one error record.
 */
export async function* readTelegram(stream: Readable, source: string, spec: ReaderOptions = {}): AsyncGenerator<IngestRecord> {
  const maxLen = spec.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  // pick() asks the filter once at the start of each value and passes the values it accepted in order: the
  // paths queued here say which value is which.
  const paths: TelegramPath[] = [];
  const pipeline = chain([
    stream,
    jsonParser(),
    pick({
      filter: (stack: readonly (string | number | null)[]) => {
        const path = telegramPath(stack);
        if (path) paths.push(path);
        return path !== undefined;
      },
    }),
    streamValues(),
  ]);
  let current = { chat: '\0', name: undefined as string | undefined, id: undefined as string | undefined };
  let index = 0;
  try {
    for await (const item of pipeline as AsyncIterable<{ value: unknown }>) {
      const value = item.value;
      const path = paths.shift();
      if (!path) continue;
      if (path.chat !== current.chat) current = { chat: path.chat, name: undefined, id: undefined };
      if (path.kind === 'chat') {
        if (value !== null && (typeof value === 'string' || typeof value === 'number')) {
          if (path.field === 'name') current.name = String(value);
          else current.id = String(value);
        }
        continue;
      }
      index += 1;
      const chatName = current.name;
      const channel = current.id ?? chatName ?? basename(source);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        yield errorRecord(source, index, 'bad_record', `Expected each message to be an object, got ${describeValue(value)}.`);
        continue;
      }
      const message = value as TelegramMessage;
      if (message.type !== undefined && message.type !== 'message') continue;
      const id = `${channel}/${idOf(message.id, source, index)}`;
      const bad = badTelegramText(message.text);
      if (bad) {
        yield errorRecord(source, index, 'bad_record', bad, id);
        continue;
      }
      const { text, links } = telegramText(message.text);
      const meta: Record<string, unknown> = { channel: chatName ?? channel, message: message.id };
      if (path.section !== undefined) meta.section = path.section;
      if (message.date !== undefined) meta.date = message.date;
      if (message.from !== undefined) meta.from = message.from;
      if (links.length > 0) meta.links = links;
      yield textToPost(text, id, source, index, maxLen, meta);
    }
  } catch (error) {
    yield errorRecord(source, index + 1, 'bad_json', `The Telegram export is not valid JSON after message ${index}: ${describeError(error)}`);
  }
}
