import { isIP } from 'node:net';
import type { Analyzer } from '../analyzer.js';
import { QorgauError } from '../errors.js';
import type { Options } from '../options.js';

/** What `qorgau serve` can be told, on top of the analyzer's options. Every field is optional. */
export interface ServeOptions extends Options {
  /** Address to listen on. Default 127.0.0.1; any other needs `tokens` or reviewers in `db`. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** Largest JSON body accepted, in bytes (413 above). NDJSON bodies stream and have no total limit. Default 8 MiB. */
  readonly maxBody?: number;
  /** Most posts (or moderation inputs) in one JSON request (413 above). Default 1024. */
  readonly maxBatch?: number;
  /** Most posts waiting to be scored; a request that would exceed it gets 429 with Retry-After. Default 4096. */
  readonly maxQueue?: number;
  /** Bearer tokens accepted by the scoring API (`--token-file`); when set, every /v1 call needs one. */
  readonly tokens?: readonly string[];
  /** Review database: a SQLite file path, or a `postgres://` URL. Default: no review server. */
  readonly db?: string;
  /** Reviewers each card goes to (their agreement is reported). Default 1. */
  readonly overlap?: number;
  /** Open cards handed to a reviewer at a time. Default 20. */
  readonly cards?: number;
  /** Minutes a card stays leased to a reviewer who has not decided it. Default 30. */
  readonly leaseMinutes?: number;
  /** Reuse an analyzer (its owner closes it) instead of creating one from the options above. */
  readonly analyzer?: Analyzer;
}

export interface ResolvedServeOptions {
  readonly host: string;
  readonly port: number;
  readonly maxBody: number;
  readonly maxBatch: number;
  readonly maxQueue: number;
  readonly tokens: readonly string[];
  readonly db?: string;
  readonly overlap: number;
  readonly cards: number;
  readonly leaseMinutes: number;
}

function show(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new QorgauError('bad_options', `Expected \`${name}\` to be an integer from ${min} to ${max}, got \`${show(value)}\`.`);
  }
  return v;
}

/** 127.0.0.0/8, ::1 and `localhost`: the addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}

export function resolveServeOptions(options: ServeOptions): ResolvedServeOptions {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw new QorgauError('bad_options', `Expected \`host\` to be an address such as 127.0.0.1, got \`${show(options.host)}\`.`);
  const maxBatch = integer('maxBatch', options.maxBatch, 1024, 1, 1_000_000);
  const maxQueue = integer('maxQueue', options.maxQueue, 4096, 1, 10_000_000);
  if (maxQueue < maxBatch) throw new QorgauError('bad_options', `Expected \`maxQueue\` (${maxQueue}) to be at least \`maxBatch\` (${maxBatch}): a full batch must fit in the queue.`);
  const tokens = options.tokens ?? [];
  if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string' || t.length < 16)) {
    throw new QorgauError('bad_options', 'Expected `tokens` to be a list of strings of 16 characters or more (one per line in --token-file).');
  }
  if (options.db !== undefined && (typeof options.db !== 'string' || options.db.length === 0)) {
    throw new QorgauError('bad_options', `Expected \`db\` to be a SQLite file path or a postgres:// URL, got \`${show(options.db)}\`.`);
  }
  return {
    host,
    port: integer('port', options.port, 8080, 0, 65535),
    maxBody: integer('maxBody', options.maxBody, 8 * 1024 * 1024, 1024, 2 ** 31),
    maxBatch,
    maxQueue,
    tokens,
    ...(options.db !== undefined ? { db: options.db } : {}),
    overlap: integer('overlap', options.overlap, 1, 1, 10),
    cards: integer('cards', options.cards, 20, 1, 500),
    leaseMinutes: integer('leaseMinutes', options.leaseMinutes, 30, 1, 7 * 24 * 60),
  };
}
