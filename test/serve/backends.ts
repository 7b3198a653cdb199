import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresMissing, startPostgres, type Postgres } from '../helpers/postgres.js';
import { CATEGORIES, type Category, type Result } from '../../src/types.js';

/**
 * The review-server suites run once per database. Each backend hands out fresh, empty databases: a SQLite file
 * in a temporary folder, or a new database in one throwaway PostgreSQL cluster per test file.
 */
export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** Why this backend is skipped here, or undefined. */
  readonly skip?: string;
  start(): Promise<void>;
  fresh(): Promise<string>;
  stop(): Promise<void>;
}

export function backends(): Backend[] {
  let dir = '';
  let n = 0;
  let pg: Postgres | undefined;
  const missing = postgresMissing();
  if (missing) process.stderr.write(`skip: ${missing}\n`);
  return [
    {
      name: 'sqlite',
      async start() {
        dir = mkdtempSync(join(tmpdir(), 'qorgau-sqlite-'));
      },
      async fresh() {
        n += 1;
        return join(dir, `review-${n}.db`);
      },
      async stop() {},
    },
    {
      name: 'postgres',
      ...(missing ? { skip: missing } : {}),
      async start() {
        pg = await startPostgres();
      },
      async fresh() {
        n += 1;
        return pg!.createDb(`review_${process.pid}_${n}`);
      },
      async stop() {
        await pg?.stop();
      },
    },
  ];
}

const zero = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;

/** A result as `qorgau scan` writes it, with just the fields the review server reads. */
export function result(id: string, text: string, labels: Category[], priority: number, cluster?: { cluster: string; size: number }): Result {
  return {
    id,
    lang: 'ru',
    labels,
    scores: { ...zero, ...Object.fromEntries(labels.map((c) => [c, priority])) },
    priority,
    evidence: [],
    contacts: [],
    text,
    source: 'posts.jsonl',
    ...(cluster ? { cluster: cluster.cluster, clusterSize: cluster.size } : {}),
  };
}
