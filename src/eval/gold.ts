import { createReadStream } from 'node:fs';
import { readLines } from '../ingest/lines.js';
import { QorgauError, describeError } from '../errors.js';
import { isCategory, type Category, type Post } from '../types.js';

/** One labelled post in the corpus format: `{id, lang, labels, text, source, split, ...}`. */
export interface GoldPost {
  readonly id: string;
  readonly lang: string;
  readonly labels: readonly Category[];
  readonly text: string;
  readonly source?: string;
  readonly split?: string;
  readonly obfuscated?: boolean;
  readonly hard?: boolean;
  readonly kind?: string;
  readonly silver?: boolean;
  /** A real public post relabelled by the project (scripts/real/build.mjs), as opposed to one written for it. */
  readonly real?: boolean;
}

export function goldToPost(g: GoldPost, source: string, line: number): Post {
  return { id: g.id, text: g.text, meta: {}, source, line };
}

/** Reads gold JSONL strictly: a labelled file with a broken line is a fatal error naming the line. */
export async function readGold(path: string): Promise<GoldPost[]> {
  const out: GoldPost[] = [];
  const stream = createReadStream(path);
  try {
    for await (const raw of readLines(stream, 10_000_000)) {
      if ('error' in raw) throw new QorgauError('bad_record', `${path}:${raw.line}: ${raw.error === 'bad_encoding' ? 'not valid UTF-8' : 'line too long'}.`);
      if (raw.text.trim() === '') continue;
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(raw.text) as Record<string, unknown>;
      } catch (error) {
        throw new QorgauError('bad_json', `${path}:${raw.line}: malformed JSON: ${describeError(error)}`);
      }
      const labels = obj.labels;
      if (!Array.isArray(labels) || !labels.every(isCategory)) {
        throw new QorgauError('bad_record', `${path}:${raw.line}: expected \`labels\` to be a list of category ids (empty = clean), got ${JSON.stringify(labels)}.`);
      }
      if (typeof obj.text !== 'string' || obj.text.trim() === '') throw new QorgauError('missing_text', `${path}:${raw.line}: expected a non-empty \`text\`.`);
      out.push({
        id: typeof obj.id === 'string' || typeof obj.id === 'number' ? String(obj.id) : `${path}:${raw.line}`,
        lang: typeof obj.lang === 'string' ? obj.lang : 'unknown',
        labels: [...new Set(labels)],
        text: obj.text,
        ...(typeof obj.source === 'string' ? { source: obj.source } : {}),
        ...(typeof obj.split === 'string' ? { split: obj.split } : {}),
        ...(obj.obfuscated === true ? { obfuscated: true } : obj.obfuscated === false ? { obfuscated: false } : {}),
        ...(obj.hard === true ? { hard: true } : {}),
        ...(typeof obj.kind === 'string' ? { kind: obj.kind } : {}),
        ...(obj.silver === true ? { silver: true } : {}),
        ...(obj.real === true ? { real: true } : {}),
      });
    }
  } catch (error) {
    if (error instanceof QorgauError) throw error;
    throw new QorgauError('unreadable_file', `Could not read gold file ${path}: ${describeError(error)}`, { cause: error });
  } finally {
    stream.destroy();
  }
  return out;
}
