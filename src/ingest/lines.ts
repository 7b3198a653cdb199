import type { Readable } from 'node:stream';

export type RawLine =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly error: 'bad_encoding' | 'too_long'; readonly bytes: number };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Splits a byte stream into lines without decoding it as a whole, so that one line with bad UTF-8 becomes
 * one error instead of silently turning into U+FFFD, and one huge line cannot exhaust memory: past
 * `maxLineBytes` the rest of that line is skipped and reported.
 */
export async function* readLines(stream: Readable, maxLineBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let lineNo = 0;

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
    try {
      let text = decoder.decode(buf);
      if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      return { line: lineNo, text };
    } catch {
      return { line: lineNo, error: 'bad_encoding', bytes: buf.length };
    }
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
