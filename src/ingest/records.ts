import { describeError } from '../errors.js';
import type { ErrorCode, ErrorRecord, Post } from '../types.js';

export interface ReaderOptions {
  /** Field holding the post text in JSONL/CSV records. Default `text`. */
  readonly textField?: string;
  /** Field holding the post id. Default `id`; missing ids fall back to `source:line`. */
  readonly idField?: string;
  /** Longest line or post accepted, in bytes/characters. Default 1,000,000. */
  readonly maxTextLength?: number;
}

export const DEFAULT_MAX_TEXT_LENGTH = 1_000_000;

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
  return textToPost(raw, id, source, line, maxLen, metaOf(record, textField, idField));
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
    return errorRecord(
      source,
      line,
      'text_too_long',
      `The post has ${text.length} characters, more than maxTextLength (${maxLen}). Split it or raise --max-length.`,
      id,
    );
  }
  if (text.includes('\uFFFD')) {
    return errorRecord(
      source,
      line,
      'bad_encoding',
      'The text contains U+FFFD replacement characters: the file is probably not UTF-8. Convert it (iconv -f cp1251 -t utf-8).',
      id,
    );
  }
  return { id, text, meta, source, line };
}

function metaOf(record: Readonly<Record<string, unknown>>, textField: string, idField: string): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key !== textField && key !== idField) meta[key] = value;
  }
  return meta;
}
