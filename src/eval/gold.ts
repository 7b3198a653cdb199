import { createHash } from 'node:crypto';
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
  /** Review-decision exports: the near-duplicate cluster, which keeps reposts of one ad in one split. */
  readonly cluster?: string;
  /** True when `split` was not in the file but assigned by `hashSplit`. */
  readonly hashedSplit?: boolean;
  /** A real public post relabelled by the project (scripts/real/build.mjs), as opposed to one written for it. */
  readonly real?: boolean;
}

/** The part of a text that near-copies share: its first 60 letters, case-folded (as scripts/corpus/assign-splits.mjs). */
export function groupKey(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е').replace(/[^\p{L}]/gu, '').slice(0, 60);
}

function digest(key: string): Buffer {
  return createHash('sha1').update(key).digest();
}

/**
 * The split of a post whose file gives none (public clean sets, review-decision exports): from a SHA-1 of its
 * cluster or its text's opening, so a post and its near-copies always land together: 70% train, 10% dev,
 * 10% calib, 10% test.
 */
export function hashSplit(key: string): 'train' | 'dev' | 'calib' | 'test' {
  const h = digest(key).readUInt32BE(0) % 100;
  return h < 70 ? 'train' : h < 80 ? 'dev' : h < 90 ? 'calib' : 'test';
}

/** Rank of a post for `perFile` sampling: from other bits of the same digest, so the sample is independent of the split. */
function sampleRank(key: string): number {
  return digest(key).readUInt32BE(4);
}

export interface SelectOptions {
  /** Only posts whose split (given or hashed) is one of these. Default: all. */
  readonly splits?: readonly string[];
  /** Leave out machine-labelled (`silver`) posts. Default true. */
  readonly excludeSilver?: boolean;
  /**
   * From each file, at most this many of the posts that have no split of their own (the big public clean sets),
   * before split filtering: the ones with the smallest hash of their text, so the same number always picks
   * the same posts and each split gets its share. Posts with a split are always kept. Default: all.
   */
  readonly perFile?: number;
}

export interface SelectedGold {
  readonly g: GoldPost;
  readonly file: string;
  readonly line: number;
}

/**
 * Reads corpus files and keeps the posts `train`, `calibrate` and `eval` work on: each post's own `split`, or
 * one assigned by hash when it has none; silver posts left out unless asked for; at most `perFile` unsplit
 * posts per file. A post without a split whose text also comes with a split in any of the files (the same
 * public post, relabelled in a real set) is left out: the labelled copy decides its label and split, and no
 * text lands in two splits.
 */
export async function selectGold(files: readonly string[], options: SelectOptions = {}): Promise<SelectedGold[]> {
  const excludeSilver = options.excludeSilver ?? true;
  const read = await Promise.all(files.map(async (file) => ({ file, posts: await readGold(file) })));
  const withSplit = new Set<string>();
  for (const { posts } of read) for (const g of posts) if (g.split !== undefined) withSplit.add(g.text.trim());
  const out: SelectedGold[] = [];
  for (const { file, posts } of read) {
    let rows = posts.map((g, i) => ({ g, file, line: i + 1 })).filter((r) => r.g.split !== undefined || !withSplit.has(r.g.text.trim()));
    const unsplit = rows.filter((r) => r.g.split === undefined);
    if (options.perFile !== undefined && unsplit.length > options.perFile) {
      const ranked = unsplit.map((r) => ({ r, rank: sampleRank(r.g.text) }));
      ranked.sort((a, b) => a.rank - b.rank || a.r.line - b.r.line);
      const keep = new Set(ranked.slice(0, options.perFile).map((x) => x.r));
      rows = rows.filter((r) => r.g.split !== undefined || keep.has(r));
    }
    for (const r of rows) {
      const g = r.g.split !== undefined ? r.g : { ...r.g, split: hashSplit(r.g.cluster ?? groupKey(r.g.text)), hashedSplit: true };
      if (options.splits && !options.splits.includes(g.split!)) continue;
      if (excludeSilver && g.silver) continue;
      out.push({ g, file: r.file, line: r.line });
    }
  }
  return out;
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
        ...(typeof obj.cluster === 'string' ? { cluster: obj.cluster } : {}),
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
