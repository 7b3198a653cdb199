import { parse } from 'csv-parse/sync';
import { describeError } from '../errors.js';
import type { RawLine } from './lines.js';

/** One CSV record's text (its physical lines joined), or why it could not be read. */
export type CsvRecord =
  | { readonly kind: 'row'; readonly fields: string[] }
  | { readonly kind: 'bad'; readonly message: string };

/**
 * A quoted field still open after this many physical lines is taken as an unclosed quote: the record becomes
 * an error and reading starts again at its second line, so one stray `"` costs one record, not the file.
 */
export const MAX_RECORD_LINES = 1_000;

interface QuoteState {
  inQuotes: boolean;
  atFieldStart: boolean;
}

const QUOTE = 0x22;

/** Advances the quote state over one physical line; true when the record ends with this line. */
function scanLine(text: string, state: QuoteState, delimiter: number): boolean {
  if (!state.inQuotes && text.indexOf('"') === -1) return true;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (state.inQuotes) {
      if (c === QUOTE) {
        if (text.charCodeAt(i + 1) === QUOTE) i += 1;
        else {
          state.inQuotes = false;
          state.atFieldStart = false;
        }
      }
    } else if (c === QUOTE && state.atFieldStart) {
      state.inQuotes = true;
    } else {
      state.atFieldStart = c === delimiter;
    }
  }
  // A newline inside quotes belongs to the field; the next line continues it.
  state.atFieldStart = !state.inQuotes;
  return !state.inQuotes;
}

function options(delimiter: ',' | '\t') {
  return { delimiter, quote: delimiter === '\t' ? false : '"', relax_column_count: true, skip_empty_lines: false } as const;
}

function parseRecord(text: string, delimiter: ',' | '\t'): CsvRecord {
  try {
    const rows = parse(text, options(delimiter)) as string[][];
    if (rows.length !== 1) return { kind: 'bad', message: `Malformed CSV record: it parses as ${rows.length} records.` };
    return { kind: 'row', fields: rows[0]! };
  } catch (error) {
    const why = describeError(error).replace(/\s+at line \d+\b/, '');
    return {
      kind: 'bad',
      message: `Malformed CSV record: ${why}. Quote a field that holds the delimiter, a quote or a newline, and double each quote inside it ("").`,
    };
  }
}

/**
 * Splits physical lines into CSV records and parses each with csv-parse on its own, so that a malformed record
 * (a stray or unclosed quote) becomes one `bad` record and the next record is read as if nothing happened: a
 * streaming CSV parser stays out of step after such a record and loses the rest of the file. The quote state
 * machine only finds where records end (a newline outside quotes); csv-parse reads the fields and says what
 * is wrong. `lines` numbers each record by its first physical line.
 */
export async function* csvRecords(
  lines: AsyncIterable<RawLine>,
  delimiter: ',' | '\t',
  maxRecordChars: number,
): AsyncGenerator<CsvRecord & { readonly line: number }> {
  const delim = delimiter.charCodeAt(0);
  const quoted = delimiter === ',';
  // Lines taken back after an unclosed quote, read again before the stream goes on.
  const replay: { line: number; text: string }[] = [];
  let pending: { line: number; text: string }[] = [];
  let chars = 0;
  const state: QuoteState = { inQuotes: false, atFieldStart: true };
  const reset = (): void => {
    pending = [];
    chars = 0;
    state.inQuotes = false;
    state.atFieldStart = true;
  };

  // Single-line records are parsed 256 at a time (one csv-parse call costs about 30 µs, a record in a batch 12).
  let batch: { line: number; text: string }[] = [];
  function* flush(): Generator<CsvRecord & { readonly line: number }> {
    if (batch.length === 0) return;
    const todo = batch;
    batch = [];
    if (todo.length > 1) {
      try {
        const rows = parse(todo.map((r) => r.text).join('\n'), options(delimiter)) as string[][];
        if (rows.length === todo.length) {
          for (let i = 0; i < rows.length; i += 1) yield { kind: 'row', fields: rows[i]!, line: todo[i]!.line };
          return;
        }
      } catch {
        // Some record in the batch is malformed: each is parsed alone below to find it.
      }
    }
    for (const r of todo) yield { ...parseRecord(r.text, delimiter), line: r.line };
  }

  const iterator = lines[Symbol.asyncIterator]();
  for (;;) {
    let raw: RawLine;
    if (replay.length > 0) raw = replay.shift()!;
    else {
      const next = await iterator.next();
      if (next.done) break;
      raw = next.value;
    }
    if ('error' in raw) {
      // The line itself is unreadable: so is the record it belongs to.
      const line = pending[0]?.line ?? raw.line;
      reset();
      yield* flush();
      yield {
        kind: 'bad',
        line,
        message:
          raw.error === 'too_long'
            ? `The record has a line of ${raw.bytes} bytes, more than maxTextLength (${maxRecordChars}). Split it or raise --max-length.`
            : 'The record is not valid UTF-8. Convert the file to UTF-8 (for example iconv -f cp1251 -t utf-8).',
      };
      continue;
    }
    if (pending.length === 0 && raw.text.trim().length === 0) continue; // blank lines separate nothing
    pending.push(raw);
    chars += raw.text.length + 1;
    const ends = quoted ? scanLine(raw.text, state, delim) : true;
    if (ends && pending.length === 1) {
      batch.push(raw);
      reset();
      if (batch.length >= 256) yield* flush();
      continue;
    }
    if (ends) {
      const lines = pending;
      reset();
      yield* flush();
      const rec = parseRecord(lines.map((p) => p.text).join('\n'), delimiter);
      if (rec.kind === 'row') {
        yield { ...rec, line: lines[0]!.line };
        continue;
      }
      // A quote opened on the first line and closed by a later record's quote: the first line is the bad
      // record, the lines after it are read again as records of their own.
      replay.unshift(...lines.slice(1));
      yield { ...rec, line: lines[0]!.line };
      continue;
    }
    if (pending.length > MAX_RECORD_LINES || chars > maxRecordChars) {
      const [first, ...rest] = pending;
      reset();
      replay.unshift(...rest);
      yield* flush();
      yield { kind: 'bad', line: first!.line, message: unclosed(first!.line) };
    }
  }
  yield* flush();
  if (pending.length > 0) {
    // The file ended inside a quoted field: the first line is the bad record, the others are read again.
    const [first, ...rest] = pending;
    reset();
    yield { kind: 'bad', line: first!.line, message: unclosed(first!.line) };
    if (rest.length > 0) yield* csvRecords(replayLines(rest), delimiter, maxRecordChars);
  }
}

function unclosed(line: number): string {
  return `Malformed CSV record: the quote opened on line ${line} is never closed. Close it, or double each quote inside a quoted field ("").`;
}

async function* replayLines(lines: readonly { line: number; text: string }[]): AsyncGenerator<RawLine> {
  yield* lines;
}
