import type { Readable } from 'node:stream';
import type { ErrorRecord, Post } from '../types.js';

export type RawLine =
  /** `badEncoding`: the bytes were not valid UTF-8; `text` is them read as cp1251 or with U+FFFD in their place. */
  | { readonly line: number; readonly text: string; readonly badEncoding?: true }
  | { readonly line: number; readonly error: 'bad_encoding' | 'too_long'; readonly bytes: number };

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
const cp1251 = new TextDecoder('windows-1251');

/**
 * Whether bytes that are not UTF-8 read as Russian in cp1251: most bytes above 0x7F are its Cyrillic letters
 * (0xC0–0xFF, Ё 0xA8, ё 0xB8) and they make up most of the letters. UTF-8 Cyrillic (pairs of 0xD0/0xD1 and
 * 0x80–0xBF) fails the first test, Latin-1 accents in English text the second.
 */
export function looksCp1251(buf: Uint8Array): boolean {
  let high = 0;
  let cyrillic = 0;
  let latin = 0;
  // Letters of a word sit together: a high byte next to another one. Two stray bytes are not a Russian text.
  let inWords = 0;
  for (let i = 0; i < buf.length; i += 1) {
    const b = buf[i]!;
    if (b >= 0x80) {
      high += 1;
      if (b >= 0xc0 || b === 0xa8 || b === 0xb8) cyrillic += 1;
      if ((i > 0 && buf[i - 1]! >= 0x80) || (i + 1 < buf.length && buf[i + 1]! >= 0x80)) inWords += 1;
    } else if ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a) latin += 1;
  }
  return high >= 2 && cyrillic >= high * 0.8 && inWords * 2 >= high && cyrillic * 3 >= latin;
}

/** Marks a record read from a line whose bytes were not UTF-8 (`warnings: ["bad_encoding"]` on its result). */
export function withEncodingWarning<T extends Post | ErrorRecord>(record: T, raw: RawLine): T {
  if (!('badEncoding' in raw) || !raw.badEncoding || 'error' in record) return record;
  return { ...record, warnings: ['bad_encoding'] };
}

/**
 * Splits a byte stream into lines without decoding it as a whole, so that one huge line cannot exhaust memory:
 * past `maxLineBytes` the rest of that line is skipped and reported. A line that is not valid UTF-8 is still a
 * post (a shop must not leave the queue by adding one bad byte): the first such line that reads as cp1251 makes
 * the whole file cp1251 from there on (lines before it were ASCII, the same in both); otherwise the bad bytes
 * become U+FFFD. Either way the line is flagged `badEncoding`.
 */
export async function* readLines(stream: Readable, maxLineBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let lineNo = 0;
  // Decided at the first line with a byte above 0x7F: valid UTF-8 there settles UTF-8 for the file.
  let encoding: 'utf-8' | 'windows-1251' | undefined;

  const finish = (): RawLine => {
    lineNo += 1;
    if (overflow) {
      const bytes = size;
      parts = [];
      size = 0;
      overflow = false;
      return { line: lineNo, error: 'too_long', bytes };
    }
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    if (buf.length > 0 && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1);
    if (encoding === 'windows-1251') return { line: lineNo, text: cp1251.decode(buf), badEncoding: true };
    let text: string;
    let bad = false;
    try {
      text = strict.decode(buf);
      if (encoding === undefined && buf.some((b) => b >= 0x80)) encoding = 'utf-8';
    } catch {
      bad = true;
      if (encoding === undefined && looksCp1251(buf)) {
        encoding = 'windows-1251';
        return { line: lineNo, text: cp1251.decode(buf), badEncoding: true };
      }
      encoding ??= 'utf-8';
      text = lenient.decode(buf);
    }
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return bad ? { line: lineNo, text, badEncoding: true } : { line: lineNo, text };
  };

  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let pos = 0;
    while (pos < data.length) {
      const nl = data.indexOf(0x0a, pos);
      const end = nl === -1 ? data.length : nl;
      const piece = data.subarray(pos, end);
      if (overflow || size + piece.length > maxLineBytes) {
        overflow = true;
        size += piece.length;
      } else if (piece.length > 0) {
        // Copy: the stream may reuse its chunk buffers.
        parts.push(Buffer.from(piece));
        size += piece.length;
      }
      if (nl === -1) break;
      yield finish();
      pos = nl + 1;
    }
  }
  if (size > 0 || overflow || parts.length > 0) yield finish();
}
