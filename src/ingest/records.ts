import { describeError } from '../errors.js';
import type { ErrorCode, ErrorRecord, Post } from '../types.js';

export interface ReaderOptions {
  /** Field holding the post text in JSONL/CSV records. Default `text`. */
  readonly textField?: string;
  /** Field holding the post id. Default `id`; missing ids fall back to `source:line`. */
  readonly idField?: string;
  /** Longest post accepted, in characters (code points). Default 1,000,000. */
  readonly maxTextLength?: number;
}

export const DEFAULT_MAX_TEXT_LENGTH = 1_000_000;

/**
 * Limits on a record's other fields (kept as `meta`): deeper nesting or more data is an error record at read
 * time, so that no later step (copying posts to worker threads, writing results) meets a pathological value.
 */
export const MAX_META_DEPTH = 32;
export const MAX_META_CHARS = 65_536;

/** Why `meta` is out of bounds (too deep, too large), or undefined; walks without recursion and stops early. */
export function metaProblem(meta: unknown): { code: 'too_deep' | 'meta_too_large'; message: string } | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: meta, depth: 0 }];
  let chars = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') chars += value.length + 2;
    else if (value === null || typeof value !== 'object') chars += 8;
    else {
      if (depth >= MAX_META_DEPTH) {
        return {
          code: 'too_deep',
          message: `The record's other fields nest more than ${MAX_META_DEPTH} levels deep. Flatten them, or drop them before scanning.`,
        };
      }
      chars += 2;
      if (Array.isArray(value)) for (const v of value) stack.push({ value: v, depth: depth + 1 });
      else {
        for (const [k, v] of Object.entries(value)) {
          chars += k.length + 3;
          stack.push({ value: v, depth: depth + 1 });
        }
      }
    }
    if (chars > MAX_META_CHARS) {
      return {
        code: 'meta_too_large',
        message: `The record's other fields hold more than ${MAX_META_CHARS} characters. Keep the text and a few small fields (id, channel, date).`,
      };
    }
  }
  return undefined;
}

export function errorRecord(
  source: string,
  line: number,
  code: ErrorCode,
  message: string,
  id?: string,
): ErrorRecord {
  return id === undefined ? { source, line, error: { code, message } } : { id, source, line, error: { code, message } };
}

export function idOf(value: unknown, source: string, line: number): string {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return `${source}:${line}`;
}

/** One JSONL line, already decoded: what the JSONL reader and a queue worker's `record` entries share. */
export function jsonLineToPost(text: string, source: string, line: number, options: ReaderOptions): Post | ErrorRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return errorRecord(source, line, 'bad_json', `Malformed JSON: ${describeError(error)}. Each line must be one JSON object.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return errorRecord(source, line, 'bad_record', `Expected a JSON object on each line, got ${Array.isArray(value) ? 'an array' : typeof value}.`);
  }
  return recordToPost(value as Record<string, unknown>, source, line, options);
}

/** Turns one parsed record into a Post or an error record that says what was wrong and where. */
export function recordToPost(
  record: Readonly<Record<string, unknown>>,
  source: string,
  line: number,
  options: ReaderOptions,
): Post | ErrorRecord {
  const textField = options.textField ?? 'text';
  const idField = options.idField ?? 'id';
  const maxLen = options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const id = idOf(record[idField], source, line);
  const raw = record[textField];
  if (raw === undefined || raw === null) {
    const fields = Object.keys(record).slice(0, 8).join(', ');
    return errorRecord(
      source,
      line,
      'missing_text',
      `Expected a \`${textField}\` field, found fields: ${fields || '(none)'}. Use --text-field to name the text field.`,
      id,
    );
  }
  if (typeof raw !== 'string') {
    return errorRecord(source, line, 'bad_record', `Expected \`${textField}\` to be a string, got ${typeof raw}.`, id);
  }
  const meta = metaOf(record, textField, idField);
  const problem = metaProblem(meta);
  if (problem) return errorRecord(source, line, problem.code, problem.message, id);
  return textToPost(raw, id, source, line, maxLen, meta);
}

export function textToPost(
  text: string,
  id: string,
  source: string,
  line: number,
  maxLen: number,
  meta: Readonly<Record<string, unknown>> = {},
): Post | ErrorRecord {
  if (text.trim().length === 0) return errorRecord(source, line, 'empty_text', 'The post text is empty.', id);
  if (text.length > maxLen) {
    const chars = characters(text);
    if (chars > maxLen) {
      return errorRecord(source, line, 'text_too_long', `The post has ${chars} characters, more than maxTextLength (${maxLen}). Split it or raise --max-length.`, id);
    }
  }
  // U+FFFD is scored, not refused (a shop could add one to every ad to leave the queue): the result is marked.
  return { id, text, meta, source, line };
}

/** Characters as a reader counts them (code points: an emoji is one), not UTF-16 units. */
export function characters(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs += 1;
        i += 1;
      }
    }
  }
  return text.length - pairs;
}

function metaOf(record: Readonly<Record<string, unknown>>, textField: string, idField: string): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key !== textField && key !== idField) meta[key] = value;
  }
  return meta;
}
