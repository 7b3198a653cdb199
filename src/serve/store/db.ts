import pLimit from 'p-limit';
import { QorgauError, describeError } from '../../errors.js';

export type Dialect = 'sqlite' | 'postgres';

/** The few calls the review store makes. SQL is written once with `?` placeholders for both databases. */
export interface Sql {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; resolves to the rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs a script of statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Sql {
  /** Runs `fn` in one transaction: all of it is written or none (SQLite: BEGIN IMMEDIATE, one writer). */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives, for messages (a URL without its password). */
  readonly label: string;
}

export const isPostgresUrl = (location: string): boolean => /^postgres(?:ql)?:\/\//i.test(location);

/** `?` → `$1, $2, …` outside quoted strings, for pg. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      n += 1;
      out += `$${n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Opens a SQLite file (better-sqlite3) or a PostgreSQL database (pg); each driver is loaded only when used. */
export async function openDb(location: string): Promise<Db> {
  return isPostgresUrl(location) ? openPostgres(location) : openSqlite(location);
}

async function openSqlite(path: string): Promise<Db> {
  let Database: typeof import('better-sqlite3');
  try {
    Database = (await import('better-sqlite3')).default;
  } catch (error) {
    throw new QorgauError('bad_database', `Could not load better-sqlite3, which --db ${path} needs: ${describeError(error)}. Reinstall it (npm install better-sqlite3@12), or pass a postgres:// URL.`, { cause: error });
  }
  let db: import('better-sqlite3').Database;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // No blocking busy wait: it would stall this thread, and with it the transaction another connection in
    // this process holds. A busy database is retried below, yielding to the event loop in between.
    db.pragma('busy_timeout = 0');
  } catch (error) {
    throw new QorgauError('bad_database', `Could not open the SQLite database ${path}: ${describeError(error)}. Check the path and its folder's permissions.`, { cause: error });
  }
  const statements = new Map<string, import('better-sqlite3').Statement>();
  const prepare = (sql: string): import('better-sqlite3').Statement => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const bind = (params: readonly unknown[]): unknown[] => params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? Number(p) : p));
  const direct: Sql = {
    dialect: 'sqlite',
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return prepare(sql).all(...bind(params)) as T[];
    },
    async run(sql, params = []) {
      const s = prepare(sql);
      return s.reader ? s.all(...bind(params)).length : s.run(...bind(params)).changes;
    },
    async exec(sql) {
      db.exec(sql);
    },
  };
  // One connection, calls that may interleave across awaits: a transaction must hold it alone.
  const lock = pLimit(1);
  return {
    dialect: 'sqlite',
    label: path,
    all: (sql, params) => lock(() => whenFree(() => direct.all(sql, params))),
    run: (sql, params) => lock(() => whenFree(() => direct.run(sql, params))),
    exec: (sql) => lock(() => whenFree(() => direct.exec(sql))),
    transaction: (fn) =>
      lock(async () => {
        await whenFree(async () => db.exec('BEGIN IMMEDIATE'));
        try {
          const value = await fn(direct);
          db.exec('COMMIT');
          return value;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    async close() {
      await lock(async () => db.close());
    },
  };
}

const BUSY_WAIT_MS = 15_000;

/** Runs `fn` again while another connection holds the SQLite write lock, up to 15 s. */
async function whenFree<T>(fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let delay = 2; ; delay = Math.min(100, delay * 2)) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || Date.now() - started > BUSY_WAIT_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function openPostgres(url: string): Promise<Db> {
  let pg: (typeof import('pg'))['default'];
  try {
    pg = (await import('pg')).default;
  } catch (error) {
    throw new QorgauError('bad_database', `Could not load pg, which a postgres:// --db needs: ${describeError(error)}. Reinstall it (npm install pg@8).`, { cause: error });
  }
  const label = redact(url);
  // BIGINT (times, counts) as numbers: every value the store keeps is far below 2^53.
  const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) };
  const pool = new pg.Pool({ connectionString: url, types, max: 8 });
  pool.on('error', () => {
    // An idle client lost its connection: the pool replaces it; the next query reports a lasting failure.
  });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new QorgauError('bad_database', `Could not connect to ${label}: ${describeError(error)}. Check the URL, that the server runs and that the user may connect.`, { cause: error });
  }
  const on = (q: { query: import('pg').Pool['query'] }): Sql => ({
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return (await q.query(numberPlaceholders(sql), [...params])).rows as T[];
    },
    async run(sql, params = []) {
      return (await q.query(numberPlaceholders(sql), [...params])).rowCount ?? 0;
    },
    async exec(sql) {
      await q.query(sql);
    },
  });
  const direct = on(pool);
  return {
    ...direct,
    label,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await fn(on(client as unknown as { query: import('pg').Pool['query'] }));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
