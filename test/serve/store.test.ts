import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, textHash, type ReviewStore, type Reviewer } from '../../src/serve/store/index.js';
import { MIGRATIONS, migrate } from '../../src/serve/store/migrations.js';
import type { Output } from '../../src/types.js';
import { backends, result } from './backends.js';

const AD = '🔥 МАГАЗИН 24/7 🔥 Меф, альфа, шишки в наличии. Ровный клад по Алматы и Астане. Цены от 8000₸. Оператор: @almaty_shop_bot';
const LEASE = 30 * 60_000;
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);

/** Five clusters: a (two members), b, c, d, e, plus a clean post, an error record and a repeated post. */
function scanOutput(): Output[] {
  return [
    result('a1', 'меф клад алматы 1', ['drugs'], 0.95, { cluster: 'a1', size: 2 }),
    result('a2', 'меф клад алматы 2', ['drugs'], 0.9, { cluster: 'a1', size: 2 }),
    result('b1', 'казино бонус 1', ['gambling'], 0.8, { cluster: 'b1', size: 1 }),
    result('c1', 'ставки 1xbet промокод', ['gambling'], 0.7, { cluster: 'c1', size: 1 }),
    result('d1', 'карта займ под залог', ['fraud'], 0.6, { cluster: 'd1', size: 1 }),
    result('e1', 'продам ствол', ['weapons'], 0.5, { cluster: 'e1', size: 1 }),
    result('clean', 'добрый день', [], 0),
    { source: 'posts.jsonl', line: 9, error: { code: 'bad_json', message: 'Malformed JSON' } },
    result('b1', 'казино бонус 1', ['gambling'], 0.8, { cluster: 'b1', size: 1 }),
  ];
}

const key = (id: string, text: string): { postId: string; hash: string } => ({ postId: id, hash: textHash(text) });

for (const backend of backends()) {
  describe.skipIf(backend.skip !== undefined)(`the review store on ${backend.name}`, () => {
    let store: ReviewStore;
    let alice: Reviewer;
    let bob: Reviewer;
    let carol: Reviewer;

    beforeAll(async () => {
      await backend.start();
    }, 120_000);
    afterAll(async () => {
      await backend.stop();
    });

    async function freshStore(): Promise<ReviewStore> {
      store = await openStore(await backend.fresh());
      alice = (await store.addReviewer('alice', 'reviewer')).reviewer;
      bob = (await store.addReviewer('bob', 'reviewer')).reviewer;
      carol = (await store.addReviewer('carol', 'admin')).reviewer;
      return store;
    }

    it('migrates a new database once, and refuses one a newer qorgau migrated', async () => {
      const location = await backend.fresh();
      const s = await openStore(location);
      expect(await migrate(s.db)).toEqual([]);
      expect((await s.db.all<{ version: number }>('SELECT version FROM qorgau_migrations')).map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      await s.db.run('INSERT INTO qorgau_migrations (version, name, applied_at) VALUES (?, ?, ?)', [99, 'from the future', 0]);
      await s.close();
      await expect(openStore(location)).rejects.toThrow(/schema version 99, newer than this qorgau knows \(1\): upgrade qorgau/);
    });

    it('imports a run keeping the clusters scan gave, counting errors and skipping repeats', async () => {
      await freshStore();
      const s = await store.importResults(scanOutput(), { source: 'results.jsonl' });
      expect(s).toMatchObject({ run: 1, records: 9, results: 7, candidates: 6, clusters: 5, errors: 1, duplicates: 1, clustersFrom: 'results', carriedOver: 0 });
      const got = await store.cardsFor(alice, { cards: 10, overlap: 1, leaseMs: LEASE, now: T0 });
      expect(got!.cards.map((c) => c.cluster)).toEqual(['a1', 'b1', 'c1', 'd1', 'e1']);
      expect(got!.cards[0]!.members.map((m) => m.id)).toEqual(['a1', 'a2']);
      expect(got!.cards[0]!.rep).toEqual(key('a1', 'меф клад алматы 1'));
      // The repeated post is counted as read, but once in the page's summary.
      expect(got!.run).toMatchObject({ records: 9, candidates: 6, errors: 1 });
      expect(got!.run.stats).toMatchObject({ records: 8, results: 7, candidates: 6, errors: 1 });
      expect(got!.run.stats.sources.get('posts.jsonl')).toEqual({ posts: 7, flagged: 6 });
      await store.close();
    });

    it('clusters on import when the results carry no clusters (scan --all, the worker)', async () => {
      await freshStore();
      const s = await store.importResults(
        [
          result('r1', AD, ['drugs'], 0.9),
          result('r2', AD.replace('8000', '9000'), ['drugs'], 0.95),
          result('r3', AD.replace('шишки', 'ш.и.ш.к.и').replace('🔥 ', ''), ['drugs'], 0.8),
          result('x', 'казино бонус без депозита', ['gambling'], 0.7),
        ],
        { source: 'all.jsonl' },
      );
      expect(s).toMatchObject({ candidates: 4, clusters: 2, clustersFrom: 'import' });
      const got = await store.cardsFor(alice, { cards: 10, overlap: 1, leaseMs: LEASE, now: T0 });
      // The representative is the highest-priority member: r2, then r1, r3 by priority.
      expect(got!.cards.map((c) => c.members.map((m) => m.id))).toEqual([['r2', 'r1', 'r3'], ['x']]);
      expect(got!.cards[0]!.members.every((m) => m.cluster === 'r2' && m.clusterSize === 3)).toBe(true);
      await store.close();
    });

    it('keeps decisions append-only', async () => {
      await freshStore();
      await store.importResults(scanOutput(), { source: 'r' });
      await store.decide(alice, [{ ...key('b1', 'казино бонус 1'), decision: 'clean', labels: [], viaCluster: false }], { leaseMs: LEASE });
      await expect(store.db.run("UPDATE decisions SET decision = 'confirmed'")).rejects.toThrow(/append-only/);
      await expect(store.db.run('DELETE FROM decisions')).rejects.toThrow(/append-only/);
      expect((await store.currentDecisions()).map((d) => d.decision)).toEqual(['clean']);
      await store.close();
    });

    it('gives two reviewers different cards (overlap 1), and expired leases back to the queue', async () => {
      await freshStore();
      await store.importResults(scanOutput(), { source: 'r' });
      const opts = { cards: 2, overlap: 1, leaseMs: LEASE, now: T0 };
      const a = (await store.cardsFor(alice, opts))!.cards.map((c) => c.cluster);
      const b = (await store.cardsFor(bob, opts))!.cards.map((c) => c.cluster);
      const c = (await store.cardsFor(carol, opts))!.cards.map((c) => c.cluster);
      expect(a).toEqual(['a1', 'b1']);
      expect(b).toEqual(['c1', 'd1']);
      expect(c).toEqual(['e1']);
      // Asking again keeps (and renews) the same cards.
      expect((await store.cardsFor(alice, { ...opts, now: T0 + LEASE / 2 }))!.cards.map((x) => x.cluster)).toEqual(['a1', 'b1']);
      // Bob's leases lapse (alice renewed hers): carol's next page takes his cards.
      const later = (await store.cardsFor(carol, { ...opts, cards: 3, now: T0 + LEASE + 1 }))!.cards.map((x) => x.cluster);
      expect(later).toEqual(['c1', 'd1', 'e1']);
      await store.close();
    });

    it('sends each card to two reviewers with overlap 2, never to a third', async () => {
      await freshStore();
      await store.importResults(scanOutput().slice(0, 3), { source: 'r' });
      const opts = { cards: 5, overlap: 2, leaseMs: LEASE, now: T0 };
      expect((await store.cardsFor(alice, opts))!.cards.map((c) => c.cluster)).toEqual(['a1', 'b1']);
      expect((await store.cardsFor(bob, opts))!.cards.map((c) => c.cluster)).toEqual(['a1', 'b1']);
      expect((await store.cardsFor(carol, opts))!.cards).toEqual([]);
      await store.close();
    });

    it('settles a lease with a decision, reopens it on undo, and shows decided cards after a reload', async () => {
      await freshStore();
      await store.importResults(scanOutput(), { source: 'r' });
      const opts = { cards: 1, overlap: 1, leaseMs: LEASE, now: T0 };
      expect((await store.cardsFor(alice, opts))!.cards.map((c) => [c.cluster, c.decided])).toEqual([['a1', false]]);
      await store.decide(alice, [{ ...key('a1', 'меф клад алматы 1'), decision: 'confirmed', labels: ['drugs'], viaCluster: false }], { leaseMs: LEASE, now: T0 + 1 });
      // The decided card stays on her page (after the new open one) and still holds its slot against bob.
      expect((await store.cardsFor(alice, opts))!.cards.map((c) => [c.cluster, c.decided])).toEqual([
        ['b1', false],
        ['a1', true],
      ]);
      expect((await store.cardsFor(bob, { ...opts, cards: 5 }))!.cards.map((c) => c.cluster)).toEqual(['c1', 'd1', 'e1']);
      await store.decide(alice, [{ ...key('a1', 'меф клад алматы 1'), decision: 'undo', labels: [], viaCluster: false }], { leaseMs: LEASE, now: T0 + 2 });
      expect((await store.cardsFor(alice, opts))!.cards.map((c) => [c.cluster, c.decided])).toEqual([
        ['a1', false],
        ['b1', false],
      ]);
      expect(await store.currentDecisions()).toEqual([]);
      await store.close();
    });

    it('refuses a decision on a post that was never imported, writing none of the batch', async () => {
      await freshStore();
      await store.importResults(scanOutput(), { source: 'r' });
      await expect(
        store.decide(
          alice,
          [
            { ...key('a1', 'меф клад алматы 1'), decision: 'confirmed', labels: ['drugs'], viaCluster: false },
            { postId: 'a1', hash: 'zzzz', decision: 'clean', labels: [], viaCluster: false },
          ],
          { leaseMs: LEASE },
        ),
      ).rejects.toThrow(/decisions\[1\]: no imported post has id "a1" and text hash zzzz/);
      expect(await store.currentDecisions()).toEqual([]);
      await store.close();
    });

    it('carries decisions to a newer run by post id and text hash', async () => {
      await freshStore();
      await store.importResults(scanOutput(), { source: 'run1' });
      await store.decide(bob, [{ ...key('b1', 'казино бонус 1'), decision: 'confirmed', labels: ['gambling'], viaCluster: false }], { leaseMs: LEASE, now: T0 });
      const next = [
        result('b1', 'казино бонус 1', ['gambling'], 0.85, { cluster: 'b1', size: 1 }),
        // Same id, edited text: a new post for review.
        result('c1', 'ставки 1xbet промокод NEW', ['gambling'], 0.7, { cluster: 'c1', size: 1 }),
      ];
      const s = await store.importResults(next, { source: 'run2' });
      expect(s).toMatchObject({ run: 2, carriedOver: 1 });
      const bobs = await store.cardsFor(bob, { cards: 5, overlap: 1, leaseMs: LEASE, now: T0 + 5 });
      expect(bobs!.run.id).toBe(2);
      expect(bobs!.cards.map((c) => [c.cluster, c.decided])).toEqual([
        ['c1', false],
        ['b1', true],
      ]);
      // With overlap 1 the carried-over decision holds the card: alice gets nothing of run 2.
      expect((await store.cardsFor(alice, { cards: 5, overlap: 1, leaseMs: LEASE, now: T0 + 5 }))!.cards).toEqual([]);
      await store.close();
    });

    it('exports one corpus row per decided post; reviewers who disagree are left out until an admin decides', async () => {
      await freshStore();
      await store.importResults(scanOutput(), { source: 'r' });
      const at = (ms: number) => ({ leaseMs: LEASE, now: T0 + ms });
      await store.decide(
        alice,
        [
          { ...key('a1', 'меф клад алматы 1'), decision: 'confirmed', labels: ['drugs'], viaCluster: false },
          { ...key('a2', 'меф клад алматы 2'), decision: 'confirmed', labels: ['drugs'], viaCluster: true },
          { ...key('b1', 'казино бонус 1'), decision: 'clean', labels: [], viaCluster: false },
        ],
        at(1000),
      );
      await store.decide(bob, [{ ...key('b1', 'казино бонус 1'), decision: 'relabelled', labels: ['fraud', 'gambling'], viaCluster: false }], at(2000));
      await store.decide(bob, [{ ...key('a1', 'меф клад алматы 1'), decision: 'confirmed', labels: ['drugs'], viaCluster: false }], at(3000));
      let out = await store.exportCorpus();
      expect(out.disagreements).toEqual([key('b1', 'казино бонус 1')]);
      expect(out.rows).toEqual([
        {
          id: 'a1',
          lang: 'ru',
          labels: ['drugs'],
          text: 'меф клад алматы 1',
          source: 'posts.jsonl',
          reviewed: true,
          decision: 'confirmed',
          predicted: ['drugs'],
          cluster: 'a1',
          reviewedAt: new Date(T0 + 3000).toISOString(),
          reviewers: ['alice', 'bob'],
        },
        {
          id: 'a2',
          lang: 'ru',
          labels: ['drugs'],
          text: 'меф клад алматы 2',
          source: 'posts.jsonl',
          reviewed: true,
          decision: 'confirmed',
          predicted: ['drugs'],
          cluster: 'a1',
          reviewedAt: new Date(T0 + 1000).toISOString(),
          via: 'cluster',
          reviewers: ['alice'],
        },
      ]);
      await store.decide(carol, [{ ...key('b1', 'казино бонус 1'), decision: 'relabelled', labels: ['gambling', 'fraud'], viaCluster: false }], at(4000));
      out = await store.exportCorpus();
      expect(out.disagreements).toEqual([]);
      expect(out.rows.map((r) => [r.id, r.decision, r.labels, r.reviewers])).toEqual([
        ['a1', 'confirmed', ['drugs'], ['alice', 'bob']],
        ['a2', 'confirmed', ['drugs'], ['alice']],
        ['b1', 'relabelled', ['gambling', 'fraud'], ['alice', 'bob', 'carol']],
      ]);
      await store.close();
    });

    it('never leases one card to two reviewers beyond the overlap when two servers lease at once', async () => {
      const location = await backend.fresh();
      const one = await openStore(location);
      const rows = Array.from({ length: 24 }, (_, i) => result(`p${i}`, `пост номер ${i} меф`, ['drugs'], 1 - i / 100, { cluster: `p${i}`, size: 1 }));
      await one.importResults(rows, { source: 'r' });
      const two = await openStore(location);
      const people = await Promise.all(Array.from({ length: 8 }, (_, i) => one.addReviewer(`r${i}`, 'reviewer')));
      const got = await Promise.all(
        people.map(({ reviewer }, i) => (i % 2 === 0 ? one : two).cardsFor(reviewer, { cards: 4, overlap: 1, leaseMs: LEASE, now: T0 })),
      );
      const clusters = got.flatMap((g) => g!.cards.map((c) => c.cluster));
      expect(clusters).toHaveLength(24);
      expect(new Set(clusters).size).toBe(24);
      await one.close();
      await two.close();
    });

    it('manages reviewers: hashed tokens, unique names, sessions, new tokens', async () => {
      await freshStore();
      const { token } = await store.addReviewer('dana', 'triage');
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect((await store.reviewerByToken(token))?.name).toBe('dana');
      const stored = await store.db.all<{ token_hash: string }>("SELECT token_hash FROM reviewers WHERE name = 'dana'");
      expect(stored[0]!.token_hash).not.toContain(token);
      expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
      await expect(store.addReviewer('dana', 'admin')).rejects.toThrow(/A reviewer named dana exists already/);
      await expect(store.addReviewer('<script>', 'admin')).rejects.toThrow(/Expected a reviewer name/);
      const dana = (await store.reviewerByToken(token))!;
      const session = await store.createSession(dana, T0);
      expect((await store.sessionReviewer(session, T0 + 1))?.name).toBe('dana');
      expect(await store.sessionReviewer(session, T0 + 8 * 24 * 3600 * 1000)).toBeUndefined();
      const fresh = await store.resetToken('dana');
      expect(await store.reviewerByToken(token)).toBeUndefined();
      expect((await store.reviewerByToken(fresh))?.role).toBe('triage');
      expect(await store.sessionReviewer(session, T0 + 1)).toBeUndefined();
      expect((await store.listReviewers()).map((r) => [r.name, r.role])).toEqual([
        ['alice', 'reviewer'],
        ['bob', 'reviewer'],
        ['carol', 'admin'],
        ['dana', 'triage'],
      ]);
      await store.close();
    });
  });
}
