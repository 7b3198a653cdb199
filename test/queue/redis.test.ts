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
  const summary = await client.xPending(stream, group);
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
        expect(e?.error.message).toMatch(/delivered 4 times, more than --max-deliveries \(3\)/);
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
});
