import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { QorgauError } from '../errors.js';
import { CATEGORIES, isErrorRecord, type Output } from '../types.js';

/** `html` is the review page (src/report/), written once at the end rather than record by record. */
export type OutputFormat = 'jsonl' | 'csv' | 'html';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['jsonl', 'csv', 'html'];

export function toJsonLine(record: Output): string {
  return `${JSON.stringify(record)}\n`;
}

export const CSV_COLUMNS = [
  'id',
  'lang',
  'labels',
  'priority',
  ...CATEGORIES,
  'rules',
  'contacts',
  'text',
  'source',
  'line',
  'cluster',
  'clusterSize',
  'error_code',
  'error_message',
] as const;

/**
 * A text cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is a formula to a spreadsheet (every
 * contacts cell starts with `@`): prefixed with `'` (the OWASP rule, csv-stringify's `escape_formulas`), it stays
 * text. Numbers are written as they are.
 */
export function escapeFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvCell(value: unknown): string {
  const s = value === undefined || value === null ? '' : typeof value === 'string' ? escapeFormula(value) : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsvLine(record: Output): string {
  const row: Record<string, unknown> = {};
  if (isErrorRecord(record)) {
    Object.assign(row, { id: record.id, source: record.source, line: record.line, error_code: record.error.code, error_message: record.error.message });
  } else {
    Object.assign(row, {
      id: record.id,
      lang: record.lang,
      labels: record.labels.join(';'),
      priority: record.priority,
      ...record.scores,
      rules: [...new Set(record.evidence.map((e) => e.rule))].join(';'),
      contacts: record.contacts.map((c) => c.value).join(';'),
      text: record.text,
      source: record.source,
      line: record.line,
      cluster: record.cluster,
      clusterSize: record.clusterSize,
    });
  }
  return `${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

/** Writes with back-pressure so a fast scan into a slow pipe does not buffer the whole output. */
export async function writeChunk(sink: Writable, chunk: string): Promise<void> {
  // A failed stream (a full disk) never drains: stop at the first failure instead of waiting forever.
  if (sink.errored) throw sink.errored;
  if (!sink.write(chunk)) await once(sink, 'drain');
}

export interface RecordWriter {
  write(record: Output): Promise<void>;
  /** Writes lines already formatted for this writer's format (the CSV header first if not written yet). */
  writeFormatted(chunk: string): Promise<void>;
}

export function formatRecord(record: Output, format: 'jsonl' | 'csv'): string {
  return format === 'csv' ? toCsvLine(record) : toJsonLine(record);
}

export function createWriter(sink: Writable, format: OutputFormat): RecordWriter {
  if (format === 'html') throw new QorgauError('bad_options', 'The html format is a whole page, not records: use writeReport() or scan({format: "html"}).');
  let headerDone = format !== 'csv';
  const writeFormatted = async (chunk: string): Promise<void> => {
    if (chunk.length === 0) return;
    if (!headerDone) {
      headerDone = true;
      await writeChunk(sink, csvHeader());
    }
    await writeChunk(sink, chunk);
  };
  return {
    write: (record) => writeFormatted(formatRecord(record, format)),
    writeFormatted,
  };
}
