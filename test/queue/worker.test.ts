import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/analyzer.js';
import { QorgauError } from '../../src/errors.js';
import type { EntryFields } from '../../src/queue/entries.js';
import { createOutageReporter } from '../../src/queue/retry.js';
import type { Delivery, Outgoing, WorkerQueue } from '../../src/queue/types.js';
import { runWorker } from '../../src/queue/worker.js';
import { isErrorRecord, type Output } from '../../src/types.js';

class Transient extends Error {
  override name = 'ConnectionError';
}

/**
 * An engine in memory, with the semantics the workers rely on: entries handed out are pending until
 * committed; a commit writes outputs whose key is new and acknowledges.
 */
function memoryQueue(entries: readonly (EntryFields | null)[], options: { deliveries?: (i: number) => number; failCommits?: number; fatal?: boolean } = {}) {
  const notices: string[] = [];
  const queue = {
    unread: entries.map((fields, i) => ({ place: { stream: 'posts', ref: String(i) }, fields, deliveries: options.deliveries?.(i) ?? 1 })) as Delivery[],
    pending: new Map<string, Delivery>(),
    written: new Map<string, Output>(),
    fetches: 0,
    commits: 0,
    notices,
  };
  let failCommits = options.failCommits ?? 0;
  const q: WorkerQueue = {
    describe: 'memory://test',
    outage: createOutageReporter('memory://test', (m) => notices.push(m)),
    isTransient: (e) => e instanceof Transient,
    async fetch(max) {
      queue.fetches += 1;
      const batch = queue.unread.splice(0, max);
      for (const d of batch) queue.pending.set(d.place.ref, d);
      await new Promise((r) => setTimeout(r, 1));
      return batch;
    },
    async commit(batch: readonly Outgoing[]) {
      if (options.fatal) throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
      if (failCommits > 0) {
        failCommits -= 1;
        throw new Transient('Socket closed unexpectedly');
      }
      queue.commits += 1;
      let duplicates = 0;
      for (const { delivery, output } of batch) {
        queue.pending.delete(delivery.place.ref);
        if (!output) continue;
        if (queue.written.has(output.key)) duplicates += 1;
        else queue.written.set(output.key, JSON.parse(output.fields.record!) as Output);
      }
      return { duplicates };
    },
    async backlog() {
      return { unread: queue.unread.length, pending: queue.pending.size };
    },
    async close() {},
  };
  return { q, queue };
}

const quiet = { onNotice: () => {}, model: false as const };
const posts = (n: number): EntryFields[] => Array.from({ length: n }, (_, i) => ({ id: `p${i}`, text: i % 3 === 0 ? `Закладки по городу ${i}, пиши @shop_bot` : `Привет ${i}` }));

describe('runWorker()', () => {
  it('gives each entry one output, equal to what the analyzer gives for the same posts', async () => {
    const entries = [...posts(25), { id: 'e', text: '' }, null, { record: '{' }];
    const { q, queue } = memoryQueue(entries);
    const s = await runWorker({ ...quiet, queue: q, batch: 4, exitWhenIdle: true });
    expect(s).toMatchObject({ entries: 28, results: 25, errors: 3, duplicates: 0, batches: 7 });
    expect(s.errorsByCode).toEqual({ empty_text: 1, entry_lost: 1, bad_json: 1 });
    expect(queue.written.size).toBe(28);
    expect(queue.pending.size).toBe(0);
    const analyzer = await createAnalyzer(quiet);
    const want = new Map<string, Output>();
    for await (const o of analyzer.analyzeStream(posts(25).map((f) => ({ id: f.id!, text: f.text!, meta: {}, source: `posts@${f.id!.slice(1)}`, line: 1 })))) want.set(o.id!, o);
    const got = [...queue.written.values()].filter((o) => !isErrorRecord(o));
    for (const o of got) expect(o).toEqual(want.get(o.id!));
  });

  it('sets aside entries delivered more than maxDeliveries times, with the post id', async () => {
    const { q, queue } = memoryQueue(posts(6), { deliveries: (i) => (i === 2 ? 4 : i === 4 ? 3 : 1) });
    const s = await runWorker({ ...quiet, queue: q, maxDeliveries: 3, exitWhenIdle: true });
    expect(s.errorsByCode).toEqual({ too_many_deliveries: 1 });
    const errors = [...queue.written.values()].filter(isErrorRecord);
    expect(errors).toEqual([expect.objectContaining({ id: 'p2', error: expect.objectContaining({ code: 'too_many_deliveries' }) })]);
    // Delivered exactly maxDeliveries times is still scored.
    expect([...queue.written.values()].some((o) => o.id === 'p4' && !isErrorRecord(o))).toBe(true);
  });

  it('drops a second result for the same post and version, and writes only candidates when asked', async () => {
    const twice = [...posts(6), ...posts(6)];
    const { q, queue } = memoryQueue(twice);
    const s = await runWorker({ ...quiet, queue: q, batch: 5, exitWhenIdle: true, candidatesOnly: true });
    expect(s.entries).toBe(12);
    expect(s.duplicates).toBe(2);
    expect([...queue.written.values()].map((o) => o.id).sort()).toEqual(['p0', 'p3']);
    expect(queue.pending.size).toBe(0);
  });

  it('on stop, finishes the batch in hand and the one prefetched, then reads no more', async () => {
    const { q, queue } = memoryQueue(posts(100));
    const controller = new AbortController();
    const s = await runWorker({
      ...quiet,
      queue: q,
      batch: 10,
      signal: controller.signal,
      onBatch: () => controller.abort(),
    });
    // The first batch, and the one fetched while it was scored; nothing held, the rest unread.
    expect(s.entries).toBe(20);
    expect(queue.fetches).toBe(2);
    expect(queue.pending.size).toBe(0);
    expect(queue.unread).toHaveLength(80);
  });

  it('retries a commit through a lost connection and says so once, then once that it is back', async () => {
    const { q, queue } = memoryQueue(posts(10), { failCommits: 3 });
    const s = await runWorker({ ...quiet, queue: q, batch: 5, exitWhenIdle: true });
    expect(s.entries).toBe(10);
    expect(queue.written.size).toBe(10);
    expect(queue.notices).toEqual([
      expect.stringMatching(/^lost the connection to memory:\/\/test \(Socket closed unexpectedly\); retrying with backoff/),
      'reconnected to memory://test; carrying on.',
    ]);
  });

  it('stops with a queue_failed error on a failure that is not a lost connection, leaving the entries pending', async () => {
    const { q, queue } = memoryQueue(posts(10), { fatal: true });
    const run = runWorker({ ...quiet, queue: q, batch: 5, exitWhenIdle: true });
    await expect(run).rejects.toThrow(QorgauError);
    await expect(run).rejects.toMatchObject({ code: 'queue_failed', message: expect.stringMatching(/writing results failed: WRONGTYPE/) });
    expect(queue.written.size).toBe(0);
    expect(queue.pending.size).toBeGreaterThan(0);
  });

  it.each([
    ['batch', { batch: 0 }, /Expected `batch` to be an integer from 1/],
    ['maxDeliveries', { maxDeliveries: 1.5 }, /Expected `maxDeliveries` to be an integer from 1 to 1000, got `1.5`/],
  ])('validates %s', async (_name, bad, message) => {
    const { q } = memoryQueue([]);
    await expect(runWorker({ ...quiet, queue: q, ...bad })).rejects.toThrow(message);
  });
});
