import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { describeError } from '../errors.js';
import { readLines } from '../ingest/lines.js';
import { errorRecord } from '../ingest/records.js';
import { CATEGORIES, isCategory, type Category, type Contact, type ErrorCode, type Evidence, type Language, type Output } from '../types.js';

const LANGUAGES: readonly string[] = ['ru', 'kk', 'mixed', 'other'];
const CONTACT_TYPES: readonly string[] = ['telegram', 'handle', 'bot', 'phone', 'url'];
const MAX_LINE = 64 * 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One parsed line of a results file as a Result or ErrorRecord, or a `bad_record` error saying what is wrong. */
export function toOutput(value: unknown, source: string, line: number): Output {
  const bad = (what: string, id?: string): Output =>
    errorRecord(source, line, 'bad_record', `Expected a qorgau result or error record (as \`qorgau scan\` writes): ${what}.`, id);
  if (!isObject(value)) return bad(`got ${Array.isArray(value) ? 'an array' : typeof value}`);
  if (isObject(value.error)) {
    const e = value.error;
    if (typeof e.code !== 'string' || typeof e.message !== 'string') return bad('`error` needs a string `code` and `message`');
    return {
      ...(typeof value.id === 'string' ? { id: value.id } : {}),
      source: typeof value.source === 'string' ? value.source : source,
      line: isNumber(value.line) ? value.line : line,
      error: { code: e.code as ErrorCode, message: e.message },
    };
  }
  const id = typeof value.id === 'string' ? value.id : isNumber(value.id) ? String(value.id) : undefined;
  if (id === undefined) return bad('`id` is missing');
  if (typeof value.text !== 'string') return bad('`text` is missing', id);
  if (!Array.isArray(value.labels) || !value.labels.every(isCategory)) {
    return bad(`\`labels\` must be a list of ${CATEGORIES.join(', ')}`, id);
  }
  if (!isObject(value.scores)) return bad('`scores` must be an object {category: number}', id);
  const scores = {} as Record<Category, number>;
  for (const c of CATEGORIES) {
    const s = value.scores[c] ?? 0;
    if (!isNumber(s)) return bad(`\`scores.${c}\` must be a number`, id);
    scores[c] = s;
  }
  const priority = isNumber(value.priority) ? value.priority : Math.max(0, ...value.labels.map((c: Category) => scores[c]));
  const evidence: Evidence[] = [];
  if (Array.isArray(value.evidence)) {
    for (const e of value.evidence) {
      if (isObject(e) && isCategory(e.category) && typeof e.rule === 'string' && Number.isInteger(e.start) && Number.isInteger(e.end)) {
        evidence.push({
          category: e.category,
          rule: e.rule,
          match: typeof e.match === 'string' ? e.match : '',
          start: e.start as number,
          end: e.end as number,
          ...(isNumber(e.weight) ? { weight: e.weight } : {}),
        });
      }
    }
  }
  const contacts: Contact[] = [];
  if (Array.isArray(value.contacts)) {
    for (const c of value.contacts) {
      if (isObject(c) && typeof c.type === 'string' && CONTACT_TYPES.includes(c.type) && typeof c.value === 'string') {
        contacts.push({ type: c.type as Contact['type'], value: c.value, start: isNumber(c.start) ? c.start : 0, end: isNumber(c.end) ? c.end : 0 });
      }
    }
  }
  return {
    id,
    lang: (typeof value.lang === 'string' && LANGUAGES.includes(value.lang) ? value.lang : 'other') as Language,
    labels: value.labels as Category[],
    scores,
    priority,
    evidence,
    contacts,
    text: value.text,
    ...(typeof value.source === 'string' ? { source: value.source } : {}),
    ...(isNumber(value.line) ? { line: value.line } : {}),
    ...(isObject(value.meta) ? { meta: value.meta } : {}),
    // Kept for `qorgau serve import`, which keeps scan's clusters; the report clusters afresh.
    ...(typeof value.cluster === 'string' ? { cluster: value.cluster } : {}),
    ...(isNumber(value.clusterSize) ? { clusterSize: value.clusterSize } : {}),
  };
}

/**
 * Reads a results file that `qorgau scan` wrote as JSONL (default or `--all`). A line that is not JSON or not
 * a result becomes one error record, so a damaged file still makes a report.
 */
export async function* readResults(spec: { readonly path: string; readonly stream?: Readable }): AsyncGenerator<Output> {
  const source = spec.path === '-' ? 'stdin' : spec.path;
  const stream = spec.stream ?? (spec.path === '-' ? process.stdin : createReadStream(spec.path));
  try {
    for await (const raw of readLines(stream, MAX_LINE)) {
      if ('error' in raw) {
        yield errorRecord(source, raw.line, raw.error === 'bad_encoding' ? 'bad_encoding' : 'text_too_long', `Line ${raw.line} could not be read (${raw.error}).`);
        continue;
      }
      if (raw.text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(raw.text);
      } catch (error) {
        yield errorRecord(source, raw.line, 'bad_json', `Malformed JSON: ${describeError(error)}. Expected the JSONL that qorgau scan writes.`);
        continue;
      }
      yield toOutput(value, source, raw.line);
    }
  } finally {
    if (stream !== process.stdin) stream.destroy();
  }
}
