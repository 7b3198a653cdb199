import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@nats-io/transport-node';
import * as lib from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_HEADER, SOURCE_HEADER, ensureNatsConsumer, readNatsStream } from '../../src/queue/nats.js';
import { isErrorRecord, type ErrorRecord, type Output } from '../../src/types.js';
import { qorgau } from '../helpers/cli.js';
import { exitedWithin, outputKey, readJsonl, startQorgau, waitFor, writeCrashInput, type CrashInput } from '../helpers/queue.js';
import { serverBinary, startNats, type TestServer } from '../helpers/servers.js';

// Real nats-server from Debian (.ci/run installs it and sets QORGAU_REQUIRE_NATS=1).
const binary = serverBinary('nats-server', 'QORGAU_REQUIRE_NATS', 'apt-get install -y nats-server');

const CLAIM_IDLE_MS = 1500;
const MAX_DELIVERIES = 3;
const WORKER_FLAGS = ['--no-model', '--batch', '100', '--block-ms', '1000', '--claim-idle-ms', String(CLAIM_IDLE_MS), '--max-deliveries', String(MAX_DELIVERIES), '--exit-when-idle'];

async function streamRecords(url: string, stream: string): Promise<Output[]> {
  const out: Output[] = [];
  for await (const item of readNatsStream({ url, stream, onNotice: () => {} })) out.push(JSON.parse(item.fields.record!) as Output);
  return out;
}

describe.skipIf(!binary)('qorgau worker on NATS JetStream', () => {
  let dir: string;
  let server: TestServer;
  let nc: core.NatsConnection;
  let jsm: lib.JetStreamManager;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qorgau-nats-'));
    server = await startNats({ dir, binary: binary! });
    nc = await core.connect({ servers: server.url });
    jsm = await lib.jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  describe('a worker SIGKILLed while it holds messages', () => {
    let input: CrashInput;
    let expected: Map<string, Output>;
    const poison = ['poison-1', 'poison-2', 'poison-3'];

    beforeAll(async () => {
      input = writeCrashInput(dir, 9_990);
      const scanned = join(dir, 'scan.jsonl');
      const r = await qorgau(['scan', '--all', '--no-model', input.path, '-o', scanned]);
      expect(r.code, r.stderr).toBe(0);
      expected = new Map(readJsonl(scanned).map((o) => [outputKey(o), o]));
      expect(expected.size).toBe(input.lines);
    }, 60_000);

    it('loses nothing, doubles nothing, sets poison aside, and gives the results scan gives', async () => {
      await jsm.streams.add({ name: 'posts', subjects: ['posts'], retention: lib.RetentionPolicy.Workqueue, storage: lib.StorageType.File });
      await ensureNatsConsumer({ jsm, lib, core }, { stream: 'posts', group: 'qorgau', claimIdleMs: CLAIM_IDLE_MS });
      const js = lib.jetstream(nc);
      // Poison: messages that already took down workers 3 times (delivered and never acknowledged).
      for (const id of poison) await js.publish('posts', JSON.stringify({ id, text: `пост, который роняет воркер ${id}` }));
      const consumer = await js.consumers.get('posts', 'qorgau');
      for (let round = 0; round < MAX_DELIVERIES; round++) {
        let got = 0;
        for await (const m of await consumer.fetch({ max_messages: poison.length, expires: 2000 })) {
          got += 1;
          m.nak();
        }
        expect(got).toBe(poison.length);
      }
      // Messages publishers sent by hand that cannot be read, and one good one.
      const post = core.headers();
      post.set(ENTRY_HEADER, 'post');
      const located = core.headers();
      located.set(SOURCE_HEADER, 'scraper-7');
      await js.publish('posts', '{"id":"direct-bad","text":');
      await js.publish('posts', '"just a string"');
      await js.publish('posts', '{"id":"direct-notext","body":"нет поля text"}');
      await js.publish('posts', new Uint8Array([0x7b, 0xcf, 0xf0, 0x7d]));
      await js.publish('posts', 'not json', { headers: post });
      await js.publish('posts', '{"id":"direct-record","text":"ты урод, найду тебя после школы"}', { headers: located });
      const direct = 6;

      const enq = await qorgau(['enqueue', '--nats', server.url, '--stream', 'posts', input.path]);
      expect(enq.code, enq.stderr).toBe(0);
      const total = poison.length + direct + input.lines;
      expect((await jsm.streams.info('posts')).state.messages).toBe(total);

      // A alone first, so the messages pending when it dies are its own; then B, then A is killed.
      const a = startQorgau(['worker', '--nats', server.url, '--consumer', 'a', ...WORKER_FLAGS]);
      let b: ReturnType<typeof startQorgau> | undefined;
      try {
        const info = () => jsm.consumers.info('posts', 'qorgau');
        await waitFor('worker a to hold messages', async () => (await info()).num_ack_pending > 0, 60_000, 5);
        b = startQorgau(['worker', '--nats', server.url, '--consumer', 'b', ...WORKER_FLAGS]);
        await waitFor('worker b to start', () => /reading posts/.test(b!.stderr()), 30_000);
        const before = await info();
        // Work remains, so A holds its batch in flight and the one prefetched.
        expect(before.num_pending).toBeGreaterThan(0);
        a.child.kill('SIGKILL');
        expect(await a.exited).toBe('SIGKILL');
        expect((await info()).num_ack_pending).toBeGreaterThan(0);
        expect(await exitedWithin(b, 90_000)).toBe(0);
      } finally {
        a.child.kill('SIGKILL');
        b?.child.kill('SIGKILL');
      }
      expect(b.stderr()).toMatch(/worker b: \d+ entries/);

      // Nothing pending, nothing left in the work queue.
      const after = await jsm.consumers.info('posts', 'qorgau');
      expect(after.num_ack_pending).toBe(0);
      expect(after.num_pending).toBe(0);
      expect((await jsm.streams.info('posts')).state.messages).toBe(0);

      // Exactly one output per message in the streams themselves.
      const results = await streamRecords(server.url, 'qorgau:results');
      const errors = (await streamRecords(server.url, 'qorgau:errors')) as ErrorRecord[];
      expect(results.every((r) => !isErrorRecord(r))).toBe(true);
      expect(errors.every((r) => isErrorRecord(r))).toBe(true);
      const keys = [...results, ...errors].map(outputKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(total);

      for (const id of poison) {
        const e = errors.find((x) => x.id === id);
        expect(e?.error.code, id).toBe('too_many_deliveries');
        // 4 times, or more when the worker that took it 4th was the one killed.
        const times = Number(/delivered (\d+) times, more than --max-deliveries \(3\)/.exec(e?.error.message ?? '')?.[1]);
        expect(times).toBeGreaterThanOrEqual(4);
      }
      const directErrors = errors.filter((e) => e.source.startsWith('posts@') && e.error.code !== 'too_many_deliveries');
      expect(directErrors.map((e) => e.error.code).sort()).toEqual(['bad_encoding', 'bad_json', 'bad_record', 'bad_record', 'missing_text']);
      expect(results.find((r) => r.id === 'direct-record')).toMatchObject({ labels: ['cyberbullying'], source: 'scraper-7' });

      const out = join(dir, 'collected.jsonl');
      const col = await qorgau(['collect', '--nats', server.url, '--all', '-o', out]);
      expect(col.code, col.stderr).toBe(0);
      const collected = new Map(readJsonl(out).map((o) => [outputKey(o), o]));
      expect(collected.size).toBe(total);
      for (const [key, want] of expected) expect(collected.get(key), key).toEqual(want);
    }, 150_000);
  });
});
