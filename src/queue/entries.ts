import { createHash } from 'node:crypto';
import { describeError } from '../errors.js';
import { DEFAULT_MAX_TEXT_LENGTH, errorRecord, jsonLineToPost, recordToPost, textToPost, type ReaderOptions } from '../ingest/records.js';
import { isErrorRecord, type ErrorRecord, type Output, type Post, type Result } from '../types.js';

/** A stream entry's fields as the engine hands them over: names to strings. */
export type EntryFields = Readonly<Record<string, string>>;

/** Where an entry came from, for error records and for ids of posts that carry none. */
export interface EntryPlace {
  /** The input stream's name. */
  readonly stream: string;
  /** The engine's id for the entry: a Redis entry id, a JetStream sequence number. */
  readonly ref: string;
}

/** Fields that locate a post rather than describe it: they never go into `meta`. */
const PLACE_FIELDS = new Set(['source', 'line']);

/**
 * Reads one stream entry through the same record code `scan` uses, so a post gives the same id, result and
 * error whichever way it arrives. An entry is one of:
 * - `post`: a post `qorgau enqueue` read from a file (JSON `{id, text, meta, source, line}`);
 * - `error`: a record `qorgau enqueue` could not read (the error record, JSON), passed on as it is;
 * - `record`: one JSON object, as a JSONL line holds it (`--text-field` / `--id-field` apply);
 * - anything else: flat fields, `text` and `id` (or the named fields), `meta` as a JSON object, the rest into `meta`.
 * `source` and `line` fields locate a `record` or flat entry; without them the place is `stream@ref`, line 1.
 */
export function entryToRecord(fields: EntryFields, place: EntryPlace, options: ReaderOptions = {}): Post | ErrorRecord {
  const where = `${place.stream}@${place.ref}`;
  const source = fields.source !== undefined && fields.source.length > 0 ? fields.source : where;
  const line = lineOf(fields.line);
  if (fields.post !== undefined) return enqueuedPost(fields.post, source, line, options);
  if (fields.error !== undefined) return enqueuedError(fields.error, source, line);
  if (fields.record !== undefined) return jsonLineToPost(fields.record, source, line, options);
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (PLACE_FIELDS.has(key)) continue;
    if (key === 'meta') {
      const meta = parseObject(value);
      if (meta === undefined) return errorRecord(source, line, 'bad_record', 'Expected the `meta` field to hold a JSON object.', idField(fields, options));
      for (const [k, v] of Object.entries(meta)) if (!(k in record)) record[k] = v;
      continue;
    }
    record[key] = value;
  }
  return recordToPost(record, source, line, options);
}

function idField(fields: EntryFields, options: ReaderOptions): string | undefined {
  const id = fields[options.idField ?? 'id'];
  return id !== undefined && id.length > 0 ? id : undefined;
}

function lineOf(value: string | undefined): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : 1;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function enqueuedPost(text: string, source: string, line: number, options: ReaderOptions): Post | ErrorRecord {
  const value = parseObject(text);
  if (value === undefined) return errorRecord(source, line, 'bad_record', 'Expected the `post` field to hold a JSON object {id, text, meta, source, line}, as `qorgau enqueue` writes it.');
  const id = typeof value.id === 'string' && value.id.length > 0 ? value.id : undefined;
  const src = typeof value.source === 'string' ? value.source : source;
  const ln = typeof value.line === 'number' && Number.isInteger(value.line) ? value.line : line;
  if (id === undefined) return errorRecord(src, ln, 'bad_record', 'Expected the `post` field to have a string `id`.');
  if (typeof value.text !== 'string') return errorRecord(src, ln, 'bad_record', `Expected the \`post\` field's \`text\` to be a string, got ${typeof value.text}.`, id);
  const meta = value.meta !== null && typeof value.meta === 'object' && !Array.isArray(value.meta) ? (value.meta as Record<string, unknown>) : {};
  return textToPost(value.text, id, src, ln, options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH, meta);
}

function enqueuedError(text: string, source: string, line: number): ErrorRecord {
  const value = parseObject(text);
  const error = value?.error as { code?: unknown; message?: unknown } | undefined;
  if (value === undefined || error === null || typeof error !== 'object' || typeof error.code !== 'string' || typeof error.message !== 'string') {
    return errorRecord(source, line, 'bad_record', 'Expected the `error` field to hold an error record {source, line, error: {code, message}}, as `qorgau enqueue` writes it.');
  }
  return errorRecord(
    typeof value.source === 'string' ? value.source : source,
    typeof value.line === 'number' ? value.line : line,
    error.code as ErrorRecord['error']['code'],
    error.message,
    typeof value.id === 'string' ? value.id : undefined,
  );
}

/** The fields `qorgau enqueue` writes for one record it read. */
export function recordToFields(record: Post | ErrorRecord): Record<string, string> {
  if (isErrorRecord(record)) return { error: JSON.stringify(record) };
  const post: Record<string, unknown> = { id: record.id, text: record.text };
  if (Object.keys(record.meta).length > 0) post.meta = record.meta;
  if (record.source !== undefined) post.source = record.source;
  if (record.line !== undefined) post.line = record.line;
  return { post: JSON.stringify(post) };
}

/** A short, stable digest (base64url of SHA-256, 128 bits). */
export function digest(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('base64url').slice(0, 22);
}

/**
 * The key a result is written under: the post's id and text and the version of the rules, model and
 * thresholds that scored it. A post delivered twice (a worker died after scoring it, or a scraper sent it
 * again) has the same key, and the second result is dropped.
 */
export function resultKey(result: Pick<Result, 'id' | 'text'>, version: string): string {
  return `r:${digest(result.id, result.text, version)}`;
}

/** Error records are keyed by the entry that gave them: a redelivered entry gives the same key. */
export function errorKey(place: EntryPlace): string {
  return `e:${digest(place.stream, place.ref)}`;
}

/** The error record for an entry taken by workers more than `maxDeliveries` times. */
export function tooManyDeliveries(record: Post | ErrorRecord, deliveries: number, maxDeliveries: number): ErrorRecord {
  const message = `The entry was delivered ${deliveries} times, more than --max-deliveries (${maxDeliveries}): the workers that took it crashed or stalled. It is set aside here; score it alone with \`qorgau score\` to see why.`;
  return errorRecord(record.source ?? 'input', record.line ?? 0, 'too_many_deliveries', message, record.id);
}

/** The error record for an entry that vanished from the stream (trimmed or deleted) before a worker read it. */
export function lostEntry(place: EntryPlace): ErrorRecord {
  return errorRecord(
    `${place.stream}@${place.ref}`,
    1,
    'entry_lost',
    'The entry was deleted from the stream before a worker read it (XTRIM/MAXLEN or XDEL by something else). Never trim the input stream by length: qorgau deletes the entries it has acknowledged.',
  );
}

/** What a worker writes to the results or error stream for one output: the id, the key, the record as JSON. */
export function outputToFields(output: Output, key: string): Record<string, string> {
  return { id: output.id ?? '', key, record: JSON.stringify(output) };
}

/** Reads back what `outputToFields` wrote; an entry that is not a record becomes an error record that says so. */
export function fieldsToOutput(fields: EntryFields, place: EntryPlace): { key: string; output: Output } {
  const key = fields.key ?? `x:${digest(place.stream, place.ref)}`;
  try {
    const value: unknown = JSON.parse(fields.record ?? '');
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && ('error' in value || ('id' in value && 'scores' in value))) {
      return { key, output: value as Output };
    }
  } catch (error) {
    return { key, output: errorRecord(`${place.stream}@${place.ref}`, 1, 'bad_record', `Expected a \`record\` field with a qorgau result: ${describeError(error)}.`) };
  }
  return { key, output: errorRecord(`${place.stream}@${place.ref}`, 1, 'bad_record', 'Expected a `record` field with a qorgau result or error record.') };
}
