import { createClusterer, type ClusterOptions } from '../../cluster/index.js';
import { fnv1a } from '../../cluster/minhash.js';
import { QorgauError } from '../../errors.js';
import { addToStats, emptyStats, sourceOf, type ReportStats } from '../../report/stats.js';
import { CATEGORIES, isCategory, isErrorRecord, type Category, type Output, type Result } from '../../types.js';
import { hashToken, newToken } from '../http.js';
import { openDb, type Db, type Sql } from './db.js';
import { migrate } from './migrations.js';

export type Role = 'triage' | 'reviewer' | 'admin';
export const ROLES: readonly Role[] = ['triage', 'reviewer', 'admin'];
export type DecisionKind = 'confirmed' | 'relabelled' | 'clean';
export const DECISIONS: readonly (DecisionKind | 'undo')[] = ['confirmed', 'relabelled', 'clean', 'undo'];

export interface Reviewer {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
}

/** The key a decision is kept under, as the review page has it: the post id and the FNV-1a hash of its text. */
export interface PostKey {
  readonly postId: string;
  readonly hash: string;
}

export const textHash = (text: string): string => fnv1a(text).toString(36);
export const keyString = (k: PostKey): string => `${k.postId}|${k.hash}`;

export interface DecisionInput extends PostKey {
  readonly decision: DecisionKind | 'undo';
  readonly labels: readonly Category[];
  readonly note?: string;
  readonly viaCluster: boolean;
}

/** A reviewer's standing decision on a post: the newest one they made, unless that was an undo. */
export interface CurrentDecision extends PostKey {
  readonly reviewer: string;
  readonly role: Role;
  readonly decision: DecisionKind;
  readonly labels: readonly Category[];
  readonly note: string | null;
  readonly viaCluster: boolean;
  readonly decidedAt: number;
}

export interface Run {
  readonly id: number;
  readonly source: string;
  readonly importedAt: number;
  readonly records: number;
  readonly results: number;
  readonly candidates: number;
  readonly errors: number;
}

export interface ImportSummary {
  readonly run: number;
  readonly records: number;
  readonly results: number;
  readonly candidates: number;
  readonly clusters: number;
  readonly errors: number;
  readonly duplicates: number;
  /** Whether the clusters came with the results (scan's `cluster` field) or were computed on import. */
  readonly clustersFrom: 'results' | 'import';
  /** Candidates already decided under the same key in an earlier run. */
  readonly carriedOver: number;
}

export interface Card {
  readonly cluster: string;
  readonly rep: PostKey;
  /** Whether this reviewer has decided the representative. */
  readonly decided: boolean;
  /** Representative first, then by priority. */
  readonly members: readonly Result[];
}

export interface CardsOptions {
  readonly cards: number;
  readonly overlap: number;
  readonly leaseMs: number;
  readonly now?: number;
}

/** A corpus row as the review page exports it (`qorgau eval`/`train` read it), plus who decided. */
export interface CorpusRow {
  readonly id: string;
  readonly lang: string;
  readonly labels: readonly Category[];
  readonly text: string;
  readonly source: string;
  readonly reviewed: true;
  readonly decision: DecisionKind;
  readonly predicted: readonly Category[];
  readonly cluster: string;
  readonly reviewedAt: string;
  readonly via?: 'cluster';
  readonly reviewers: readonly string[];
}

export interface ExportResult {
  readonly rows: readonly CorpusRow[];
  /** Posts whose reviewers disagree and no admin settled: left out of the corpus. */
  readonly disagreements: readonly PostKey[];
}

// A decided card keeps its lease for good: it counts against the overlap and stays on its reviewer's page.
const FOREVER = 8_640_000_000_000_000;
const SESSION_MS = 7 * 24 * 3600 * 1000;
const CHUNK = 400;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const marks = (n: number): string => new Array<string>(n).fill('?').join(', ');

async function insertMany(tx: Sql, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], suffix = ''): Promise<number> {
  let changed = 0;
  const row = `(${marks(columns.length)})`;
  for (const part of chunks(rows, Math.max(1, Math.floor(30_000 / columns.length)))) {
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${part.map(() => row).join(', ')} ${suffix}`;
    changed += await tx.run(sql, part.flat());
  }
  return changed;
}

interface ReviewerRow {
  id: number;
  name: string;
  role: Role;
}

const toReviewer = (r: ReviewerRow): Reviewer => ({ id: Number(r.id), name: r.name, role: r.role });

function parseLabels(text: string): Category[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter(isCategory) : [];
  } catch {
    return [];
  }
}

function statsToJson(stats: ReportStats): string {
  return JSON.stringify({ ...stats, sources: [...stats.sources.entries()] });
}

function statsFromJson(text: string): ReportStats {
  const raw = JSON.parse(text) as Omit<ReportStats, 'sources'> & { sources: [string, { posts: number; flagged: number }][] };
  return { ...raw, sources: new Map(raw.sources) };
}

const CURRENT = `
WITH last AS (SELECT MAX(id) AS id FROM decisions {{where}} GROUP BY post_id, text_hash, reviewer_id)
SELECT d.post_id, d.text_hash, r.name, r.role, d.decision, d.labels, d.note, d.via_cluster, d.decided_at
FROM decisions d JOIN last ON last.id = d.id JOIN reviewers r ON r.id = d.reviewer_id
WHERE d.decision <> 'undo'
ORDER BY d.id`;

interface DecisionRow {
  post_id: string;
  text_hash: string;
  name: string;
  role: Role;
  decision: DecisionKind;
  labels: string;
  note: string | null;
  via_cluster: number;
  decided_at: number;
}

const toCurrent = (r: DecisionRow): CurrentDecision => ({
  postId: r.post_id,
  hash: r.text_hash,
  reviewer: r.name,
  role: r.role,
  decision: r.decision,
  labels: parseLabels(r.labels),
  note: r.note,
  viaCluster: Number(r.via_cluster) === 1,
  decidedAt: Number(r.decided_at),
});

const sameLabels = (a: readonly Category[], b: readonly Category[]): boolean => a.length === b.length && [...a].sort().join() === [...b].sort().join();

export interface ReviewStore {
  readonly db: Db;
  importResults(records: AsyncIterable<Output> | Iterable<Output>, options: { readonly source: string; readonly cluster?: ClusterOptions }): Promise<ImportSummary>;
  addReviewer(name: string, role: Role): Promise<{ reviewer: Reviewer; token: string }>;
  /** A new token for a reviewer (the old one and their sessions stop working). */
  resetToken(name: string): Promise<string>;
  listReviewers(): Promise<(Reviewer & { decisions: number })[]>;
  /** Whether anyone can sign in (a reviewer with a token). */
  hasReviewers(): Promise<boolean>;
  reviewerByToken(token: string): Promise<Reviewer | undefined>;
  /** The reviewer a loopback server without reviewers records decisions as. */
  localReviewer(): Promise<Reviewer>;
  createSession(reviewer: Reviewer, now?: number): Promise<string>;
  sessionReviewer(session: string, now?: number): Promise<Reviewer | undefined>;
  endSession(session: string): Promise<void>;
  latestRun(): Promise<(Run & { stats: ReportStats }) | undefined>;
  /** The reviewer's cards in the newest run: their open leases topped up to `cards`, then those they decided. */
  cardsFor(reviewer: Reviewer, options: CardsOptions): Promise<{ run: Run & { stats: ReportStats }; cards: Card[] } | undefined>;
  /** Appends decisions; a decision on a card's representative settles that reviewer's lease (undo reopens it). */
  decide(reviewer: Reviewer, decisions: readonly DecisionInput[], options: { readonly leaseMs: number; readonly now?: number }): Promise<number>;
  /** Standing decisions of every reviewer, on the given keys or on all. */
  currentDecisions(keys?: readonly PostKey[]): Promise<CurrentDecision[]>;
  /** The corpus: one row per decided post; an admin's decision settles a disagreement. */
  exportCorpus(): Promise<ExportResult>;
  close(): Promise<void>;
}

/** Opens (and migrates) the review database at a SQLite path or a postgres:// URL. */
export async function openStore(location: string): Promise<ReviewStore> {
  const db = await openDb(location);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    if (error instanceof QorgauError) throw error;
    throw new QorgauError('bad_database', `Could not migrate ${db.label}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return createStore(db);
}

function createStore(db: Db): ReviewStore {
  async function latestRunIn(q: Sql): Promise<(Run & { stats: ReportStats }) | undefined> {
    const rows = await q.all<{ id: number; source: string; imported_at: number; records: number; results: number; candidates: number; errors: number; stats: string }>(
      'SELECT id, source, imported_at, records, results, candidates, errors, stats FROM runs ORDER BY id DESC LIMIT 1',
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: Number(r.id),
      source: r.source,
      importedAt: Number(r.imported_at),
      records: Number(r.records),
      results: Number(r.results),
      candidates: Number(r.candidates),
      errors: Number(r.errors),
      stats: statsFromJson(r.stats),
    };
  }

  async function currentIn(q: Sql, keys?: readonly PostKey[]): Promise<CurrentDecision[]> {
    if (keys === undefined) return (await q.all<DecisionRow>(CURRENT.replace('{{where}}', ''))).map(toCurrent);
    const wanted = new Set(keys.map(keyString));
    const ids = [...new Set(keys.map((k) => k.postId))];
    const out: CurrentDecision[] = [];
    for (const part of chunks(ids)) {
      const rows = await q.all<DecisionRow>(CURRENT.replace('{{where}}', `WHERE post_id IN (${marks(part.length)})`), part);
      for (const r of rows) if (wanted.has(`${r.post_id}|${r.text_hash}`)) out.push(toCurrent(r));
    }
    return out;
  }

  return {
    db,

    async importResults(records, options) {
      const stats = emptyStats();
      const now = Date.now();
      return db.transaction(async (tx) => {
        const runId = Number(
          (
            await tx.all<{ id: number }>('INSERT INTO runs (source, imported_at, records, results, candidates, errors, stats) VALUES (?, ?, 0, 0, 0, 0, ?) RETURNING id', [
              options.source,
              now,
              '{}',
            ])
          )[0]!.id,
        );
        const seen = new Set<string>();
        const candidates: { r: Result; hash: string; position: number }[] = [];
        let pending: unknown[][] = [];
        let duplicates = 0;
        let position = 0;
        const columns = ['run', 'position', 'post_id', 'text_hash', 'candidate', 'cluster', 'priority', 'result'];
        for await (const record of records) {
          if (isErrorRecord(record)) {
            addToStats(stats, record);
            continue;
          }
          const hash = textHash(record.text);
          const key = `${record.id}|${hash}`;
          if (seen.has(key)) {
            duplicates += 1;
            continue;
          }
          seen.add(key);
          addToStats(stats, record);
          position += 1;
          if (record.labels.length > 0) {
            candidates.push({ r: record, hash, position });
            continue;
          }
          pending.push([runId, position, record.id, hash, 0, null, record.priority, JSON.stringify(record)]);
          if (pending.length >= 2000) {
            await insertMany(tx, 'results', columns, pending);
            pending = [];
          }
        }
        if (pending.length > 0) await insertMany(tx, 'results', columns, pending);

        // Clusters as the results carry them (scan's default output); computed here when any is missing.
        const given = candidates.length > 0 && candidates.every((c) => typeof c.r.cluster === 'string' && c.r.cluster !== '');
        const groupOf: string[] = new Array<string>(candidates.length);
        if (given) {
          candidates.forEach((c, i) => (groupOf[i] = c.r.cluster!));
        } else {
          const clusterer = createClusterer(options.cluster);
          for (const c of candidates) clusterer.add(c.r.text, c.r.priority);
          const assigned = clusterer.assignments();
          candidates.forEach((_, i) => (groupOf[i] = candidates[assigned[i]!.cluster]!.r.id));
        }
        const groups = new Map<string, number[]>();
        candidates.forEach((_, i) => {
          const g = groupOf[i]!;
          const list = groups.get(g);
          if (list) list.push(i);
          else groups.set(g, [i]);
        });
        const byRank = (a: number, b: number): number => candidates[b]!.r.priority - candidates[a]!.r.priority || candidates[a]!.position - candidates[b]!.position;
        const clusterRows: unknown[][] = [];
        for (const [g, members] of groups) {
          members.sort(byRank);
          const rep = candidates[members[0]!]!;
          clusterRows.push([runId, g, rep.r.id, rep.hash, rep.r.priority, rep.position, members.length]);
        }
        await insertMany(
          tx,
          'results',
          columns,
          candidates.map((c, i) => {
            const size = groups.get(groupOf[i]!)!.length;
            const { cluster: _c, clusterSize: _s, ...rest } = c.r;
            return [runId, c.position, c.r.id, c.hash, 1, groupOf[i]!, c.r.priority, JSON.stringify({ ...rest, cluster: groupOf[i]!, clusterSize: size })];
          }),
        );
        await insertMany(tx, 'clusters', ['run', 'cluster', 'rep_post_id', 'rep_hash', 'priority', 'position', 'size'], clusterRows);
        // A representative someone already decided (same id and text, earlier run) keeps that reviewer's slot.
        const carried = await tx.run(
          `INSERT INTO leases (run, cluster, reviewer_id, leased_at, expires_at)
           SELECT c.run, c.cluster, d.reviewer_id, d.decided_at, CAST(? AS BIGINT)
           FROM clusters c JOIN decisions d ON d.post_id = c.rep_post_id AND d.text_hash = c.rep_hash
           JOIN (SELECT MAX(id) AS id FROM decisions GROUP BY post_id, text_hash, reviewer_id) last ON last.id = d.id
           WHERE c.run = ? AND d.decision <> 'undo'`,
          [FOREVER, runId],
        );
        await tx.run('UPDATE runs SET records = ?, results = ?, candidates = ?, errors = ?, stats = ? WHERE id = ?', [
          stats.records + duplicates,
          stats.results,
          candidates.length,
          stats.errors,
          statsToJson(stats),
          runId,
        ]);
        return {
          run: runId,
          records: stats.records + duplicates,
          results: stats.results,
          candidates: candidates.length,
          clusters: groups.size,
          errors: stats.errors,
          duplicates,
          clustersFrom: given || candidates.length === 0 ? 'results' : 'import',
          carriedOver: carried,
        } satisfies ImportSummary;
      });
    },

    async addReviewer(name, role) {
      if (typeof name !== 'string' || !/^[\p{L}\p{N}._@-]{1,64}$/u.test(name)) {
        throw new QorgauError('bad_options', `Expected a reviewer name of 1 to 64 letters, digits or . _ @ -, got \`${String(name)}\`.`);
      }
      if (!ROLES.includes(role)) throw new QorgauError('bad_options', `Expected a role (${ROLES.join(', ')}), got \`${String(role)}\`.`);
      const token = newToken();
      const rows = await db.all<ReviewerRow>('INSERT INTO reviewers (name, role, token_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id, name, role', [
        name,
        role,
        hashToken(token),
        Date.now(),
      ]);
      if (!rows[0]) throw new QorgauError('bad_options', `A reviewer named ${name} exists already; give them a new token with \`qorgau serve reviewer token ${name}\`.`);
      return { reviewer: toReviewer(rows[0]), token };
    },

    async resetToken(name) {
      const token = newToken();
      return db.transaction(async (tx) => {
        const rows = await tx.all<{ id: number }>('SELECT id FROM reviewers WHERE name = ?', [name]);
        if (!rows[0]) throw new QorgauError('bad_options', `No reviewer is named ${name}; add one with \`qorgau serve reviewer add ${name}\`.`);
        await tx.run('UPDATE reviewers SET token_hash = ? WHERE id = ?', [hashToken(token), rows[0].id]);
        await tx.run('DELETE FROM sessions WHERE reviewer_id = ?', [rows[0].id]);
        return token;
      });
    },

    async listReviewers() {
      const rows = await db.all<ReviewerRow & { decisions: number }>(
        'SELECT r.id, r.name, r.role, (SELECT COUNT(*) FROM decisions d WHERE d.reviewer_id = r.id) AS decisions FROM reviewers r ORDER BY r.id',
      );
      return rows.map((r) => ({ ...toReviewer(r), decisions: Number(r.decisions) }));
    },

    async hasReviewers() {
      return (await db.all('SELECT 1 AS x FROM reviewers WHERE token_hash IS NOT NULL LIMIT 1')).length > 0;
    },

    async reviewerByToken(token) {
      const rows = await db.all<ReviewerRow>('SELECT id, name, role FROM reviewers WHERE token_hash = ?', [hashToken(token)]);
      return rows[0] ? toReviewer(rows[0]) : undefined;
    },

    async localReviewer() {
      await db.run("INSERT INTO reviewers (name, role, token_hash, created_at) VALUES ('local', 'admin', NULL, ?) ON CONFLICT (name) DO NOTHING", [Date.now()]);
      const rows = await db.all<ReviewerRow>("SELECT id, name, role FROM reviewers WHERE name = 'local'");
      return toReviewer(rows[0]!);
    },

    async createSession(reviewer, now = Date.now()) {
      const session = newToken();
      await db.run('INSERT INTO sessions (id_hash, reviewer_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [hashToken(session), reviewer.id, now, now + SESSION_MS]);
      return session;
    },

    async sessionReviewer(session, now = Date.now()) {
      const rows = await db.all<ReviewerRow>(
        'SELECT r.id, r.name, r.role FROM sessions s JOIN reviewers r ON r.id = s.reviewer_id WHERE s.id_hash = ? AND s.expires_at > ?',
        [hashToken(session), now],
      );
      return rows[0] ? toReviewer(rows[0]) : undefined;
    },

    async endSession(session) {
      await db.run('DELETE FROM sessions WHERE id_hash = ?', [hashToken(session)]);
    },

    latestRun: () => latestRunIn(db),

    async cardsFor(reviewer, options) {
      const now = options.now ?? Date.now();
      return db.transaction(async (tx) => {
        const run = await latestRunIn(tx);
        if (!run) return undefined;
        await tx.run('DELETE FROM leases WHERE expires_at <= ?', [now]);
        await tx.run('UPDATE leases SET expires_at = ? WHERE run = ? AND reviewer_id = ? AND expires_at < ?', [now + options.leaseMs, run.id, reviewer.id, FOREVER]);
        const open = await tx.all<{ n: number }>('SELECT COUNT(*) AS n FROM leases WHERE run = ? AND reviewer_id = ? AND expires_at < ?', [run.id, reviewer.id, FOREVER]);
        const need = options.cards - Number(open[0]?.n ?? 0);
        if (need > 0) {
          // Postgres: rows another server is leasing right now are skipped, and the count is taken again once
          // locked, so two reviewers never get one card beyond the overlap. SQLite: the transaction is alone.
          const pick = await tx.all<{ cluster: string }>(
            `SELECT c.cluster FROM clusters c
             WHERE c.run = ?
               AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.run = c.run AND l.cluster = c.cluster AND l.reviewer_id = ?)
               AND (SELECT COUNT(*) FROM leases l WHERE l.run = c.run AND l.cluster = c.cluster) < ?
             ORDER BY c.priority DESC, c.position
             LIMIT ?${tx.dialect === 'postgres' ? ' FOR UPDATE OF c SKIP LOCKED' : ''}`,
            [run.id, reviewer.id, options.overlap, need],
          );
          let chosen = pick.map((p) => p.cluster);
          if (tx.dialect === 'postgres' && chosen.length > 0) {
            const held = await tx.all<{ cluster: string; n: number }>(
              `SELECT cluster, COUNT(*) AS n FROM leases WHERE run = ? AND cluster IN (${marks(chosen.length)}) GROUP BY cluster`,
              [run.id, ...chosen],
            );
            const full = new Set(held.filter((h) => Number(h.n) >= options.overlap).map((h) => h.cluster));
            chosen = chosen.filter((c) => !full.has(c));
          }
          if (chosen.length > 0) {
            await insertMany(
              tx,
              'leases',
              ['run', 'cluster', 'reviewer_id', 'leased_at', 'expires_at'],
              chosen.map((c) => [run.id, c, reviewer.id, now, now + options.leaseMs]),
              'ON CONFLICT DO NOTHING',
            );
          }
        }
        const mine = await tx.all<{ cluster: string; rep_post_id: string; rep_hash: string; expires_at: number }>(
          `SELECT c.cluster, c.rep_post_id, c.rep_hash, l.expires_at FROM leases l JOIN clusters c ON c.run = l.run AND c.cluster = l.cluster
           WHERE l.run = ? AND l.reviewer_id = ? AND l.expires_at < ? ORDER BY c.priority DESC, c.position`,
          [run.id, reviewer.id, FOREVER],
        );
        const done = await tx.all<{ cluster: string; rep_post_id: string; rep_hash: string; expires_at: number }>(
          `SELECT c.cluster, c.rep_post_id, c.rep_hash, l.expires_at FROM leases l JOIN clusters c ON c.run = l.run AND c.cluster = l.cluster
           WHERE l.run = ? AND l.reviewer_id = ? AND l.expires_at >= ? ORDER BY l.leased_at DESC, c.priority DESC LIMIT ?`,
          [run.id, reviewer.id, FOREVER, options.cards],
        );
        const picked = [...mine, ...done];
        const members = new Map<string, Result[]>();
        for (const part of chunks(picked.map((p) => p.cluster))) {
          const rows = await tx.all<{ cluster: string; result: string }>(
            `SELECT cluster, result FROM results WHERE run = ? AND candidate = 1 AND cluster IN (${marks(part.length)}) ORDER BY priority DESC, position`,
            [run.id, ...part],
          );
          for (const row of rows) {
            const list = members.get(row.cluster) ?? [];
            list.push(JSON.parse(row.result) as Result);
            members.set(row.cluster, list);
          }
        }
        const cards = picked.map((p) => ({
          cluster: p.cluster,
          rep: { postId: p.rep_post_id, hash: p.rep_hash },
          decided: Number(p.expires_at) >= FOREVER,
          members: members.get(p.cluster) ?? [],
        }));
        return { run, cards };
      });
    },

    async decide(reviewer, decisions, options) {
      const now = options.now ?? Date.now();
      if (decisions.length === 0) return 0;
      return db.transaction(async (tx) => {
        const ids = [...new Set(decisions.map((d) => d.postId))];
        const known = new Set<string>();
        for (const part of chunks(ids)) {
          const rows = await tx.all<{ post_id: string; text_hash: string }>(`SELECT DISTINCT post_id, text_hash FROM results WHERE post_id IN (${marks(part.length)})`, part);
          for (const r of rows) known.add(`${r.post_id}|${r.text_hash}`);
        }
        const missing = decisions.findIndex((d) => !known.has(keyString(d)));
        if (missing >= 0) {
          throw new QorgauError('bad_record', `decisions[${missing}]: no imported post has id ${JSON.stringify(decisions[missing]!.postId)} and text hash ${decisions[missing]!.hash}.`);
        }
        const run = await latestRunIn(tx);
        await insertMany(
          tx,
          'decisions',
          ['post_id', 'text_hash', 'reviewer_id', 'decision', 'labels', 'note', 'via_cluster', 'run', 'decided_at'],
          decisions.map((d) => [d.postId, d.hash, reviewer.id, d.decision, JSON.stringify(d.labels), d.note ?? null, d.viaCluster ? 1 : 0, run?.id ?? null, now]),
        );
        if (run) {
          for (const d of decisions) {
            const reps = await tx.all<{ cluster: string }>('SELECT cluster FROM clusters WHERE run = ? AND rep_post_id = ? AND rep_hash = ?', [run.id, d.postId, d.hash]);
            for (const { cluster } of reps) {
              if (d.decision === 'undo') {
                await tx.run('UPDATE leases SET expires_at = ?, leased_at = ? WHERE run = ? AND cluster = ? AND reviewer_id = ?', [now + options.leaseMs, now, run.id, cluster, reviewer.id]);
              } else {
                await tx.run(
                  `INSERT INTO leases (run, cluster, reviewer_id, leased_at, expires_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (run, cluster, reviewer_id) DO UPDATE SET leased_at = excluded.leased_at, expires_at = excluded.expires_at`,
                  [run.id, cluster, reviewer.id, now, FOREVER],
                );
              }
            }
          }
        }
        return decisions.length;
      });
    },

    currentDecisions: (keys) => currentIn(db, keys),

    async exportCorpus() {
      const current = await currentIn(db);
      const byKey = new Map<string, CurrentDecision[]>();
      for (const d of current) {
        const k = keyString(d);
        const list = byKey.get(k);
        if (list) list.push(d);
        else byKey.set(k, [d]);
      }
      const settled = new Map<string, { d: CurrentDecision; reviewers: string[] }>();
      const disagreements: PostKey[] = [];
      for (const [k, list] of byKey) {
        const admin = list.filter((d) => d.role === 'admin').at(-1);
        const newest = list.at(-1)!;
        if (admin) settled.set(k, { d: admin, reviewers: list.map((d) => d.reviewer) });
        else if (list.every((d) => sameLabels(d.labels, newest.labels))) settled.set(k, { d: newest, reviewers: list.map((d) => d.reviewer) });
        else disagreements.push({ postId: newest.postId, hash: newest.hash });
      }
      // Each key's newest imported result gives the text and what qorgau predicted; rows come in its order.
      const found = new Map<string, { r: Result; run: number; position: number; cluster: string | null }>();
      const ids = [...new Set([...settled.values()].map((s) => s.d.postId))];
      for (const part of chunks(ids)) {
        const rows = await db.all<{ post_id: string; text_hash: string; run: number; position: number; cluster: string | null; result: string }>(
          `SELECT post_id, text_hash, run, position, cluster, result FROM results WHERE post_id IN (${marks(part.length)})`,
          part,
        );
        for (const row of rows) {
          const k = `${row.post_id}|${row.text_hash}`;
          const prev = found.get(k);
          if (!settled.has(k) || (prev && prev.run >= Number(row.run))) continue;
          found.set(k, { r: JSON.parse(row.result) as Result, run: Number(row.run), position: Number(row.position), cluster: row.cluster });
        }
      }
      const order = [...settled.keys()].filter((k) => found.has(k));
      order.sort((a, b) => found.get(b)!.run - found.get(a)!.run || found.get(a)!.position - found.get(b)!.position);
      const rows = order.map((k): CorpusRow => {
        const { d, reviewers } = settled.get(k)!;
        const { r, cluster } = found.get(k)!;
        return {
          id: r.id,
          lang: r.lang,
          labels: CATEGORIES.filter((c) => d.labels.includes(c)),
          text: r.text,
          source: sourceOf(r),
          reviewed: true,
          decision: d.decision,
          predicted: r.labels,
          cluster: cluster ?? r.id,
          reviewedAt: new Date(d.decidedAt).toISOString(),
          ...(d.viaCluster ? { via: 'cluster' as const } : {}),
          reviewers,
        };
      });
      return { rows, disagreements };
    },

    close: () => db.close(),
  };
}
