import { QorgauError } from '../../errors.js';
import type { Db, Dialect } from './db.js';

/**
 * The review database's schema, one entry per version, applied in order and recorded in `qorgau_migrations`.
 * Never edit an entry that has shipped: add the next version. `{{id}}` is each dialect's auto-numbered key.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** Statements only one database understands (triggers). */
  readonly sqlite?: string;
  readonly postgres?: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'results, clusters, reviewers, sessions, decisions (append-only), leases',
    sql: `
CREATE TABLE runs (
  id {{id}},
  source TEXT NOT NULL,
  imported_at BIGINT NOT NULL,
  records INTEGER NOT NULL,
  results INTEGER NOT NULL,
  candidates INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  stats TEXT NOT NULL
);
CREATE TABLE results (
  id {{id}},
  run BIGINT NOT NULL REFERENCES runs(id),
  position INTEGER NOT NULL,
  post_id TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  candidate INTEGER NOT NULL,
  cluster TEXT,
  priority DOUBLE PRECISION NOT NULL,
  result TEXT NOT NULL,
  UNIQUE (run, post_id, text_hash)
);
CREATE INDEX results_key ON results (post_id, text_hash);
CREATE INDEX results_cluster ON results (run, cluster);
CREATE TABLE clusters (
  run BIGINT NOT NULL REFERENCES runs(id),
  cluster TEXT NOT NULL,
  rep_post_id TEXT NOT NULL,
  rep_hash TEXT NOT NULL,
  priority DOUBLE PRECISION NOT NULL,
  position INTEGER NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (run, cluster)
);
CREATE INDEX clusters_order ON clusters (run, priority DESC, position);
CREATE INDEX clusters_rep ON clusters (rep_post_id, rep_hash);
CREATE TABLE reviewers (
  id {{id}},
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('triage', 'reviewer', 'admin')),
  token_hash TEXT UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  reviewer_id BIGINT NOT NULL REFERENCES reviewers(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE decisions (
  id {{id}},
  post_id TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  reviewer_id BIGINT NOT NULL REFERENCES reviewers(id),
  decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'relabelled', 'clean', 'undo')),
  labels TEXT NOT NULL,
  note TEXT,
  via_cluster INTEGER NOT NULL,
  run BIGINT,
  decided_at BIGINT NOT NULL
);
CREATE INDEX decisions_key ON decisions (post_id, text_hash, reviewer_id);
CREATE TABLE leases (
  run BIGINT NOT NULL,
  cluster TEXT NOT NULL,
  reviewer_id BIGINT NOT NULL REFERENCES reviewers(id),
  leased_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (run, cluster, reviewer_id),
  FOREIGN KEY (run, cluster) REFERENCES clusters(run, cluster)
);
CREATE INDEX leases_reviewer ON leases (reviewer_id, run);
`,
    sqlite: `
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
`,
    postgres: `
CREATE FUNCTION qorgau_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'decisions are append-only'; END $$;
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions FOR EACH ROW EXECUTE FUNCTION qorgau_append_only();
`,
  },
];

const ID: Readonly<Record<Dialect, string>> = {
  sqlite: 'INTEGER PRIMARY KEY',
  postgres: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};

export function migrationSql(m: Migration, dialect: Dialect): string {
  return `${m.sql.replaceAll('{{id}}', ID[dialect])}\n${m[dialect] ?? ''}`;
}

/** Brings the database to the newest schema; two servers starting at once apply each version once. */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    // Postgres: one migrator at a time across processes; SQLite's BEGIN IMMEDIATE already is.
    if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7262011)');
    await tx.exec('CREATE TABLE IF NOT EXISTS qorgau_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const done = new Set((await tx.all<{ version: number }>('SELECT version FROM qorgau_migrations')).map((r) => Number(r.version)));
    const newest = migrations.at(-1)?.version ?? 0;
    const ahead = [...done].filter((v) => v > newest);
    if (ahead.length > 0) {
      throw new QorgauError('bad_database', `${db.label} has schema version ${Math.max(...ahead)}, newer than this qorgau knows (${newest}): upgrade qorgau.`);
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.exec(migrationSql(m, tx.dialect));
      await tx.run('INSERT INTO qorgau_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    }
    return applied;
  });
}
