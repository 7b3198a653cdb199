import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorRecord, type ErrorRecord, type Output } from '../../src/types.js';
import { qorgau } from '../helpers/cli.js';
import { exitedWithin, outputKey, readJsonl, startQorgau, waitFor, writeCrashInput, type CrashInput } from '../helpers/queue.js';
import { serverBinary, startRedis, type TestServer } from '../helpers/servers.js';

// Real redis-server from Debian (.ci/run installs it and sets QORGAU_REQUIRE_REDIS=1).
const binary = serverBinary('redis-server', 'QORGAU_REQUIRE_REDIS', 'apt-get install -y redis-server');

type Redis = ReturnType<typeof createClient>;

const MODEL = ['--model-dtype', 'fp32'];
const WORKER_FLAGS = [...MODEL, '--batch', '100', '--block-ms', '200', '--claim-idle-ms', '1500', '--max-deliveries', '3', '--exit-when-idle'];

async function streamRecords(client: Redis, stream: string): Promise<Output[]> {
  const entries = (await client.xRange(stream, '-', '+')) ?? [];
  return entries.map((e) => JSON.parse(String(e.message.record)) as Output);
}

async function pendingOf(client: Redis, stream: string, group: string, consumer: string): Promise<number> {
  // Before the worker has made its group, it holds nothing.
  const summary = await client.xPending(stream, group).catch(() => ({ consumers: [] }));
  return Number(summary.consumers?.find((c) => c.name === consumer)?.deliveriesCounter ?? 0);
}

describe.skipIf(!binary)('qorgau worker on Redis Streams', () => {
  let dir: string;
  let server: TestServer;
  let client: Redis;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qorgau-redis-'));
    server = await startRedis({ dir, binary: binary! });
    client = createClient({ url: server.url });
    client.on('error', () => {});
    await client.connect();
  });

  afterAll(async () => {
    await client?.close().catch(() => {});
    await server?.stop();
  });

  describe('a worker SIGKILLed while it holds entries', () => {
    let input: CrashInput;
    let expected: Map<string, Output>;
    const poison = ['poison-1', 'poison-2', 'poison-3'];
    // Entries scrapers wrote by hand that cannot be read, and two good flat ones.
    const direct: Record<string, string>[] = [
      { record: '{"id":"direct-bad","text":' },
      { record: '"just a string"' },
      { id: 'direct-notext', body: 'нет поля text' },
      { post: 'not json' },
      { id: 'direct-meta', text: 'пост', meta: '[1]' },
      { id: 'direct-flat', text: 'Закладки по городу, пиши @shop_bot', channel: 'scraper-7' },
      { record: '{"id":"direct-record","text":"ты урод, найду тебя после школы"}' },
    ];

    beforeAll(async () => {
      input = writeCrashInput(dir, 9_990);
      const scanned = join(dir, 'scan.jsonl');
      // The bundled model in fp32: its scores do not depend on which posts share a batch (q8's dynamic
      // quantization does, by up to 0.02), so the workers' batches must give exactly what scan gives.
      const r = await qorgau(['scan', '--all', ...MODEL, input.path, '-o', scanned]);
      expect(r.code, r.stderr).toBe(0);
      expected = new Map(readJsonl(scanned).map((o) => [outputKey(o), o]));
      expect(expected.size).toBe(input.lines);
    }, 120_000);

    it('loses nothing, doubles nothing, sets poison aside, and gives the results scan gives', async () => {
      await client.xGroupCreate('posts', 'qorgau', '0', { MKSTREAM: true });
      // Poison: entries that already took down workers 3 times (held by a dead consumer, delivery count 3).
      const poisonIds = [];
      for (const id of poison) poisonIds.push(await client.xAdd('posts', '*', { id, text: `пост, который роняет воркер ${id}` }));
      await client.xReadGroup('qorgau', 'doomed', { key: 'posts', id: '>' }, { COUNT: poison.length });
      await client.xClaim('posts', 'qorgau', 'doomed', 0, poisonIds, { RETRYCOUNT: 3 });
      for (const fields of direct) await client.xAdd('posts', '*', fields);
      const enq = await qorgau(['enqueue', '--redis', server.url, '--stream', 'posts', input.path]);
      expect(enq.code, enq.stderr).toBe(0);
      const total = poison.length + direct.length + input.lines;
      expect(Number(await client.xLen('posts'))).toBe(total);

      const a = startQorgau(['worker', '--redis', server.url, '--consumer', 'a', ...WORKER_FLAGS]);
      const b = startQorgau(['worker', '--redis', server.url, '--consumer', 'b', ...WORKER_FLAGS]);
      try {
        await waitFor('worker a to hold entries', async () => (await pendingOf(client, 'posts', 'qorgau', 'a')) > 0, 60_000, 5);
        a.child.kill('SIGKILL');
        expect(await a.exited).toBe('SIGKILL');
        // It died holding unacknowledged entries (its batch in flight and the one prefetched).
        const held = await pendingOf(client, 'posts', 'qorgau', 'a');
        expect(held).toBeGreaterThan(0);
        expect(await exitedWithin(b, 90_000)).toBe(0);
      } finally {
        a.child.kill('SIGKILL');
        b.child.kill('SIGKILL');
      }
      expect(b.stderr()).toMatch(/worker b: \d+ entries/);

      // Nothing pending, nothing left: every entry was acknowledged and deleted.
      expect(Number((await client.xPending('posts', 'qorgau')).pending)).toBe(0);
      expect(Number(await client.xLen('posts'))).toBe(0);

      // Exactly one output per entry in the streams themselves, before collect's own deduplication.
      const results = await streamRecords(client, 'qorgau:results');
      const errors = (await streamRecords(client, 'qorgau:errors')) as ErrorRecord[];
      expect(results.every((r) => !isErrorRecord(r))).toBe(true);
      expect(errors.every((r) => isErrorRecord(r))).toBe(true);
      const keys = [...results, ...errors].map(outputKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(total);

      // The poison entries are error records, with their post ids.
      for (const id of poison) {
        const e = errors.find((x) => x.id === id);
        expect(e?.error.code, id).toBe('too_many_deliveries');
        // 4 times, or more when the worker that took it 4th was the one killed.
        const times = Number(/delivered (\d+) times, more than --max-deliveries \(3\)/.exec(e?.error.message ?? '')?.[1]);
        expect(times).toBeGreaterThanOrEqual(4);
      }
      // Entries that cannot be read are error records too, each with its place.
      const directErrors = errors.filter((e) => e.source.startsWith('posts@') && e.error.code !== 'too_many_deliveries');
      expect(directErrors.map((e) => e.error.code).sort()).toEqual(['bad_json', 'bad_record', 'bad_record', 'bad_record', 'missing_text']);
      expect(results.find((r) => r.id === 'direct-flat')).toMatchObject({ labels: ['drugs'], meta: { channel: 'scraper-7' } });
      expect(results.find((r) => r.id === 'direct-record')).toMatchObject({ labels: ['cyberbullying'] });

      // collect writes the files scan writes: the same records as `scan --all` on the same posts.
      const out = join(dir, 'collected.jsonl');
      const col = await qorgau(['collect', '--redis', server.url, '--all', '-o', out]);
      expect(col.code, col.stderr).toBe(0);
      const collected = new Map(readJsonl(out).map((o) => [outputKey(o), o]));
      expect(collected.size).toBe(total);
      let compared = 0;
      for (const [key, want] of expected) {
        expect(collected.get(key), key).toEqual(want);
        compared += 1;
      }
      expect(compared).toBe(input.lines);
      // Malformed lines went through enqueue as error entries with scan's position and message.
      expect([...expected.values()].filter(isErrorRecord)).toHaveLength(input.malformed);
    }, 150_000);
  });

  describe('with other servers and flags', () => {
    const RULES = ['--no-model', '--block-ms', '200', '--claim-idle-ms', '1500'];

    it('finishes a run across a Redis restart (AOF on): the workers reconnect, say so once, and lose nothing', async () => {
      const sub = mkdtempSync(join(dir, 'restart-'));
      const aof = await startRedis({ dir: sub, aof: true, binary: binary! });
      const c: Redis = createClient({ url: aof.url });
      c.on('error', () => {});
      await c.connect();
      try {
        const input = writeCrashInput(sub, 2000);
        expect((await qorgau(['enqueue', '--redis', aof.url, input.path])).code).toBe(0);
        const workers = ['a', 'b'].map((name) => startQorgau(['worker', '--redis', aof.url, '--consumer', name, '--batch', '50', ...RULES, '--exit-when-idle']));
        try {
          await waitFor('a tenth of the results', async () => Number(await c.xLen('qorgau:results')) > 150, 60_000);
          // Hold the workers still while Redis goes down, so the run is sure to be in the middle, then let them
          // run into the outage: they retry against a closed port until Redis is back.
          for (const w of workers) w.child.kill('SIGSTOP');
          const before = Number(await c.xLen('qorgau:results'));
          await aof.stop();
          for (const w of workers) w.child.kill('SIGCONT');
          await waitFor('the workers to notice', () => workers.every((w) => /lost the connection/.test(w.stderr())), 30_000);
          await aof.start();
          expect(before).toBeLessThan(input.lines - input.malformed);
          for (const w of workers) expect(await exitedWithin(w, 90_000), w.stderr()).toBe(0);
        } finally {
          for (const w of workers) w.child.kill('SIGKILL');
        }
        for (const w of workers) {
          expect(w.stderr().match(/lost the connection to redis:\/\/127\.0\.0\.1/g) ?? []).toHaveLength(1);
          expect(w.stderr()).toMatch(/reconnected to redis/);
        }
        await waitFor('the test client to reconnect', async () => c.isReady, 10_000);
        const outputs = [...(await streamRecords(c, 'qorgau:results')), ...(await streamRecords(c, 'qorgau:errors'))];
        const keys = outputs.map(outputKey);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys.length).toBe(input.lines);
        expect(Number((await c.xPending('posts', 'qorgau')).pending)).toBe(0);
        expect(Number(await c.xLen('posts'))).toBe(0);
      } finally {
        await c.close().catch(() => {});
        await aof.stop();
      }
    }, 150_000);

    it('on SIGTERM finishes and acknowledges the batches it holds, exits 0 and leaves the rest unread', async () => {
      const sub = mkdtempSync(join(dir, 'sigterm-'));
      const input = writeCrashInput(sub, 2000);
      const stream = 'sigterm-posts';
      const out = 'sigterm:results';
      const errs = 'sigterm:errors';
      expect((await qorgau(['enqueue', '--redis', server.url, '--stream', stream, input.path])).code).toBe(0);
      const w = startQorgau(['worker', '--redis', server.url, '--stream', stream, '--out-stream', out, '--error-stream', errs, '--consumer', 'w', '--batch', '50', ...RULES]);
      try {
        await waitFor('the worker to hold entries', async () => (await pendingOf(client, stream, 'qorgau', 'w')) > 0 && Number(await client.xLen(out)) > 0, 60_000, 5);
        w.child.kill('SIGTERM');
        expect(await exitedWithin(w, 20_000)).toBe(0);
      } finally {
        w.child.kill('SIGKILL');
      }
      expect(w.stderr()).toMatch(/SIGTERM: stopping: finishing and acknowledging the batch in flight/);
      expect(await pendingOf(client, stream, 'qorgau', 'w')).toBe(0);
      const done = Number(await client.xLen(out)) + Number(await client.xLen(errs));
      const left = Number(await client.xLen(stream));
      expect(left).toBeGreaterThan(0);
      expect(done + left).toBe(input.lines);
    }, 60_000);

    it('writes one result per post when the same posts are sent twice, and a new one when a text changes', async () => {
      const sub = mkdtempSync(join(dir, 'dedup-'));
      const first = join(sub, 'a.jsonl');
      const again = join(sub, 'b.jsonl');
      const { writeFileSync } = await import('node:fs');
      const posts = Array.from({ length: 40 }, (_, i) => ({ id: `d${i}`, text: `Закладки по городу ${i}, пиши @shop_bot` }));
      writeFileSync(first, posts.map((p) => JSON.stringify(p)).join('\n'));
      writeFileSync(again, posts.map((p, i) => JSON.stringify(i === 0 ? { ...p, text: `${p.text} (изменено)` } : p)).join('\n'));
      const flags = ['--stream', 'dedup-posts', '--out-stream', 'dedup:results', '--error-stream', 'dedup:errors'];
      for (const f of [first, again]) expect((await qorgau(['enqueue', '--redis', server.url, '--stream', 'dedup-posts', f])).code).toBe(0);
      const r = await qorgau(['worker', '--redis', server.url, ...flags, ...RULES, '--exit-when-idle']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/80 entries, 80 posts scored, .* 39 duplicates dropped/);
      const results = await streamRecords(client, 'dedup:results');
      expect(results).toHaveLength(41);
      expect(results.filter((x) => x.id === 'd0')).toHaveLength(2);
    }, 60_000);

    it('makes enqueue wait while the stream is longer than --max-len-wait', async () => {
      const sub = mkdtempSync(join(dir, 'backpressure-'));
      const input = writeCrashInput(sub, 1200);
      const flags = ['--stream', 'bp-posts', '--out-stream', 'bp:results', '--error-stream', 'bp:errors'];
      const enq = startQorgau(['enqueue', '--redis', server.url, '--stream', 'bp-posts', '--max-len-wait', '300', input.path]);
      try {
        await waitFor('enqueue to wait', () => /more than --max-len-wait 300: waiting/.test(enq.stderr()), 30_000);
        await new Promise((r) => setTimeout(r, 500));
        expect(enq.child.exitCode).toBeNull();
        expect(Number(await client.xLen('bp-posts'))).toBeLessThanOrEqual(600);
        const w = await qorgau(['worker', '--redis', server.url, ...flags, ...RULES, '--batch', '100', '--exit-when-idle']);
        expect(w.code, w.stderr).toBe(0);
        expect(await exitedWithin(enq, 30_000)).toBe(0);
      } finally {
        enq.child.kill('SIGKILL');
      }
      // The worker may have gone idle before the last chunk: whatever is left is still there to score.
      const written = Number(await client.xLen('bp:results')) + Number(await client.xLen('bp:errors'));
      expect(written + Number(await client.xLen('bp-posts'))).toBe(input.lines);
    }, 60_000);

    it('acknowledges nothing when the results cannot be written, and stops with the reason', async () => {
      const sub = mkdtempSync(join(dir, 'wrongtype-'));
      const file = join(sub, 'w.jsonl');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `w${i}`, text: `пост ${i}` })).join('\n'));
      await client.set('wt:results', 'not a stream');
      expect((await qorgau(['enqueue', '--redis', server.url, '--stream', 'wt-posts', file])).code).toBe(0);
      const r = await qorgau(['worker', '--redis', server.url, '--stream', 'wt-posts', '--out-stream', 'wt:results', '--error-stream', 'wt:errors', ...RULES, '--exit-when-idle']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/writing results failed: .*WRONGTYPE/);
      // Still there and pending: a fixed setup (or another worker) scores them later.
      expect(Number(await client.xLen('wt-posts'))).toBe(5);
      expect(Number((await client.xPending('wt-posts', 'qorgau')).pending)).toBe(5);
      expect(await client.keys('wt:results:seen:*')).toEqual([]);
    }, 60_000);

    it('serves Prometheus metrics on 127.0.0.1 and writes only candidates with --candidates-only', async () => {
      const { freePort } = await import('../helpers/servers.js');
      const port = await freePort();
      const posts = [
        { id: 'm1', text: 'Закладки по городу, пиши @shop_bot' },
        { id: 'm2', text: 'Рецепт: две ложки соли на литр воды' },
        { id: 'm3', text: '' },
      ];
      const sub = mkdtempSync(join(dir, 'metrics-'));
      const file = join(sub, 'm.jsonl');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, posts.map((p) => JSON.stringify(p)).join('\n'));
      const flags = ['--stream', 'm-posts', '--out-stream', 'm:results', '--error-stream', 'm:errors'];
      expect((await qorgau(['enqueue', '--redis', server.url, '--stream', 'm-posts', file])).code).toBe(0);
      const w = startQorgau(['worker', '--redis', server.url, ...flags, ...RULES, '--candidates-only', '--metrics-port', String(port)]);
      try {
        await waitFor('the batch to be committed', async () => Number(await client.xLen('m-posts')) === 0, 30_000);
        expect(w.stderr()).toMatch(new RegExp(`metrics on http://127\\.0\\.0\\.1:${port}/metrics`));
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(text).toMatch(/^qorgau_posts_scored_total\{[^}]*\} 2$/m);
        expect(text).toMatch(/^qorgau_candidates_total\{[^}]*\} 1$/m);
        expect(text).toMatch(/^qorgau_errors_total\{[^}]*code="empty_text"[^}]*\} 1$/m);
        expect(text).toMatch(/^qorgau_group_pending\{[^}]*\} 0$/m);
        expect(text).toMatch(/^qorgau_group_lag\{[^}]*\} 0$/m);
        expect(text).toMatch(/^qorgau_batch_seconds_count\{[^}]*\} 1$/m);
        expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
        w.child.kill('SIGINT');
        expect(await exitedWithin(w, 20_000)).toBe(0);
      } finally {
        w.child.kill('SIGKILL');
      }
      const results = await streamRecords(client, 'm:results');
      expect(results.map((r) => r.id)).toEqual(['m1']);
      expect((await streamRecords(client, 'm:errors')).map((r) => r.id)).toEqual(['m3']);
    }, 60_000);
  });
});

