import type { RedisClientType } from 'redis';
import { QorgauError, describeError } from '../errors.js';
import type { EntryFields } from './entries.js';
import { createOutageReporter, redactUrl, type OutageReporter } from './retry.js';
import type { Backlog, Delivery, Enqueuer, Outgoing, StreamItem, WorkerQueue } from './types.js';

type Client = RedisClientType;
type StreamReply = { messages: { id: string; message: Record<string, string> }[] }[] | null;

/**
 * One batch's commit, run by Redis as one atomic step: write each output whose key is new, remember the key,
 * then acknowledge and delete the entries. A script rather than MULTI/EXEC because EXEC cannot skip an output
 * already written (a redelivered post) and has no rollback: a failing XADD inside EXEC would still let the
 * XACK after it run, and the entry would be acknowledged with no output. Here a failure stops the script
 * before anything is acknowledged, and the keys are set only for outputs actually written.
 * KEYS: results stream, error stream, input stream, then one key per output.
 * ARGV: ttl seconds, group, entry count n, the n entry ids, then per output its target (r|e), its field
 * count and its fields.
 */
const COMMIT_SCRIPT = `
local ttl, group, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local written = 0
local a = 4 + n
for k = 4, #KEYS do
  local target = ARGV[a]
  local count = tonumber(ARGV[a + 1])
  a = a + 2
  if redis.call('EXISTS', KEYS[k]) == 0 then
    redis.call('XADD', target == 'r' and KEYS[1] or KEYS[2], '*', unpack(ARGV, a, a + count - 1))
    redis.call('SET', KEYS[k], '1', 'EX', ttl)
    written = written + 1
  end
  a = a + count
end
for i = 4, 3 + n, 1000 do
  local j = math.min(i + 999, 3 + n)
  redis.call('XACK', KEYS[3], group, unpack(ARGV, i, j))
  redis.call('XDEL', KEYS[3], unpack(ARGV, i, j))
end
return written
`;

const TRANSIENT = /LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|CLUSTERDOWN|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|socket|closed|offline|timeout|connection/i;

function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const name = error.constructor.name;
  if (/Socket|Connection|Timeout|ClientClosed|ClientOffline|Reconnect/.test(name)) return true;
  return TRANSIENT.test(error.message);
}

export interface RedisConnectOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://…`. */
  readonly url: string;
  readonly onNotice: (message: string) => void;
}

async function connect(url: string, outage: OutageReporter, who = 'client'): Promise<Client> {
  let redis: typeof import('redis');
  try {
    redis = await import('redis');
  } catch (error) {
    throw new QorgauError('queue_failed', `Could not load the Redis client (npm package \`redis\`): ${describeError(error)}. Reinstall qorgau with its dependencies.`, { cause: error });
  }
  const client = redis.createClient({
    url,
    socket: {
      connectTimeout: 5000,
      // Forever, backing off to 5 s: a worker outlives a Redis restart.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** Math.min(retries, 6), 5000),
    },
  }) as unknown as Client;
  // node-redis emits 'error' for every failed reconnect: say it once, and once when it is back.
  watch(client, outage, who);
  await client.connect();
  return client;
}

function watch(client: Client, outage: OutageReporter, who: string): void {
  client.on('error', (error: unknown) => outage.lost(error, who));
  client.on('ready', () => outage.back(who));
}

async function ensureGroup(client: Client, stream: string, group: string): Promise<void> {
  try {
    // From 0: entries scrapers wrote before the first worker started are scored too.
    await client.xGroupCreate(stream, group, '0', { MKSTREAM: true });
  } catch (error) {
    if (!/BUSYGROUP/.test(describeError(error))) throw error;
  }
}

export interface RedisWorkerOptions extends RedisConnectOptions {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  readonly outStream: string;
  readonly errorStream: string;
  /** Entries another worker has held this long are taken over (XAUTOCLAIM). */
  readonly claimIdleMs: number;
  /** How long one read waits for new entries. */
  readonly blockMs: number;
  /** How long result keys are remembered for deduplication. */
  readonly dedupTtlS: number;
}

/**
 * Redis Streams consumer group. Reads on its own connection (XREADGROUP blocks it), writes on another. Entries
 * acknowledged are deleted with XDEL, never trimmed by length: on Redis 7.0 XTRIM/MAXLEN drop unread entries
 * too. One group per input stream for that reason.
 */
export async function openRedisWorkerQueue(options: RedisWorkerOptions): Promise<WorkerQueue> {
  const describe = redactUrl(options.url);
  const outage = createOutageReporter(describe, options.onNotice);
  const writer = await connect(options.url, outage, 'writer');
  const reader = writer.duplicate();
  watch(reader, outage, 'reader');
  await reader.connect();
  const { stream, group, consumer } = options;
  await ensureGroup(writer, stream, group);
  let cursor = '0-0';
  let lastSweep = 0;
  // A full pass over the pending list at most twice per idle period: idle entries cannot appear faster.
  const sweepEvery = Math.min(options.claimIdleMs / 2, 5000);

  async function reclaim(max: number): Promise<Delivery[]> {
    const now = Date.now();
    if (cursor === '0-0' && now - lastSweep < sweepEvery) return [];
    const claimed = await reader.xAutoClaim(stream, group, consumer, options.claimIdleMs, cursor, { COUNT: max });
    cursor = String(claimed.nextId);
    if (cursor === '0-0') lastSweep = now;
    const messages = claimed.messages.filter((m): m is NonNullable<typeof m> => m !== null);
    const out: Delivery[] = claimed.deletedMessages.map((ref) => ({ place: { stream, ref: String(ref) }, fields: null, deliveries: 1 }));
    if (messages.length === 0) return out;
    // XAUTOCLAIM does not say how often an entry was delivered; the pending list does (this claim included).
    const ids = messages.map((m) => String(m.id));
    const pending = await reader.xPendingRange(stream, group, ids[0]!, ids[ids.length - 1]!, ids.length + 4 * max, { consumer });
    const counts = new Map(pending.map((p) => [String(p.id), Number(p.deliveriesCounter)]));
    for (const m of messages) {
      out.push({ place: { stream, ref: String(m.id) }, fields: m.message as EntryFields, deliveries: counts.get(String(m.id)) ?? 2 });
    }
    return out;
  }

  async function withGroup<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      // The stream or group is gone (a Redis restarted without persistence, a FLUSHALL): make it again.
      if (!/NOGROUP/.test(describeError(error))) throw error;
      await ensureGroup(writer, stream, group);
      cursor = '0-0';
      return fn();
    }
  }

  return {
    describe,
    outage,
    isTransient,
    fetch: (max) =>
      withGroup(async () => {
        const reclaimed = await reclaim(max);
        if (reclaimed.length > 0) return reclaimed;
        const reply = (await reader.xReadGroup(group, consumer, { key: stream, id: '>' }, { COUNT: max, BLOCK: options.blockMs })) as StreamReply;
        const messages = reply?.[0]?.messages ?? [];
        return messages.map((m) => ({ place: { stream, ref: String(m.id) }, fields: m.message as EntryFields, deliveries: 1 }));
      }),
    async commit(batch: readonly Outgoing[]) {
      if (batch.length === 0) return { duplicates: 0 };
      const keys = [options.outStream, options.errorStream, stream];
      const args = [String(options.dedupTtlS), group, String(batch.length), ...batch.map((b) => b.delivery.place.ref)];
      let outputs = 0;
      for (const { output } of batch) {
        if (!output) continue;
        outputs += 1;
        keys.push(`${output.target === 'results' ? options.outStream : options.errorStream}:seen:${output.key}`);
        const fields = Object.entries(output.fields).flat();
        args.push(output.target === 'results' ? 'r' : 'e', String(fields.length), ...fields);
      }
      const written = Number(await writer.eval(COMMIT_SCRIPT, { keys, arguments: args }));
      return { duplicates: outputs - written };
    },
    async backlog(): Promise<Backlog> {
      const [length, summary] = await Promise.all([writer.xLen(stream), writer.xPending(stream, group).catch(() => ({ pending: 0 }))]);
      const pending = Number(summary.pending);
      // Acknowledged entries are deleted, so the stream holds exactly the unread and the pending ones.
      return { unread: Math.max(0, Number(length) - pending), pending };
    },
    async close() {
      await Promise.allSettled([reader.close(), writer.close()]);
    },
  };
}

export interface RedisEnqueueOptions extends RedisConnectOptions {
  readonly stream: string;
}

export async function openRedisEnqueuer(options: RedisEnqueueOptions): Promise<Enqueuer> {
  const describe = redactUrl(options.url);
  const outage = createOutageReporter(describe, options.onNotice);
  const client = await connect(options.url, outage);
  return {
    describe,
    outage,
    isTransient,
    async add(entries) {
      // One pipeline (no MULTI) per chunk: a third of the CPU of as many separate commands.
      const pipeline = client.multi();
      for (const fields of entries) pipeline.xAdd(options.stream, '*', fields as Record<string, string>);
      const replies: unknown[] = await pipeline.execAsPipeline();
      const failed = replies.find((r) => r instanceof Error);
      if (failed) throw failed;
    },
    async length() {
      return Number(await client.xLen(options.stream));
    },
    async close() {
      await client.close();
    },
  };
}

export interface RedisReadOptions extends RedisConnectOptions {
  readonly stream: string;
  /** Keep reading new entries until `signal` aborts. */
  readonly follow?: boolean;
  readonly blockMs?: number;
  readonly signal?: AbortSignal;
}

/** Every entry of a stream, oldest first: up to the last one present at the start, or on and on with `follow`. */
export async function* readRedisStream(options: RedisReadOptions): AsyncGenerator<StreamItem> {
  const describe = redactUrl(options.url);
  const outage = createOutageReporter(describe, options.onNotice);
  const client = await connect(options.url, outage);
  const { stream } = options;
  try {
    const last = (await client.xRevRange(stream, '+', '-', { COUNT: 1 })) ?? [];
    const end = last[0] ? String(last[0].id) : undefined;
    let from = '-';
    if (end !== undefined) {
      for (;;) {
        const chunk = (await client.xRange(stream, from, end, { COUNT: 1000 })) ?? [];
        for (const m of chunk) yield { place: { stream, ref: String(m.id) }, fields: m.message as EntryFields };
        if (chunk.length < 1000) break;
        from = `(${String(chunk[chunk.length - 1]!.id)}`;
      }
    }
    if (!options.follow) return;
    let lastId = end ?? '0-0';
    while (!options.signal?.aborted) {
      const reply = (await client.xRead({ key: stream, id: lastId }, { COUNT: 1000, BLOCK: options.blockMs ?? 2000 })) as StreamReply;
      for (const m of reply?.[0]?.messages ?? []) {
        lastId = String(m.id);
        yield { place: { stream, ref: lastId }, fields: m.message as EntryFields };
      }
    }
  } finally {
    await client.close().catch(() => {});
  }
}
