import type { NatsConnection } from '@nats-io/transport-node';
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { QorgauError, describeError } from '../errors.js';
import { errorRecord } from '../ingest/records.js';
import type { EntryFields } from './entries.js';
import { createOutageReporter, redactUrl, type OutageReporter } from './retry.js';
import type { Backlog, Delivery, Enqueuer, Outgoing, StreamItem, WorkerQueue } from './types.js';

/** Header that says what an entry `qorgau enqueue` published holds: `post` or `error`. Without it the data is a JSON record. */
export const ENTRY_HEADER = 'Qorgau-Entry';
/** Headers a publisher may set to locate a record for error messages (as the `source` and `line` fields on Redis). */
export const SOURCE_HEADER = 'Qorgau-Source';
export const LINE_HEADER = 'Qorgau-Line';
export const KEY_HEADER = 'Qorgau-Key';

interface Nats {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly lib: typeof import('@nats-io/jetstream');
  readonly core: typeof import('@nats-io/transport-node');
}

function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (/Timeout|NoResponders|Connection|Request|Draining/.test(error.name) || /Timeout|NoResponders|Connection|Request/.test(error.constructor.name)) return true;
  return /timeout|timed out|no responders|disconnect|reconnect|connection|503|jetstream not (enabled|ready)|insufficient resources/i.test(error.message);
}

async function connectNats(url: string, name: string, outage: OutageReporter): Promise<Nats> {
  let core: typeof import('@nats-io/transport-node');
  let lib: typeof import('@nats-io/jetstream');
  try {
    [core, lib] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
  } catch (error) {
    throw new QorgauError('queue_failed', `Could not load the NATS client (npm packages @nats-io/transport-node, @nats-io/jetstream): ${describeError(error)}. Reinstall qorgau with its dependencies.`, { cause: error });
  }
  let nc: NatsConnection;
  try {
    nc = await core.connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: true, timeout: 5000 });
  } catch (error) {
    throw new QorgauError('queue_failed', `Could not connect to ${redactUrl(url)}: ${describeError(error)}. Is nats-server running with JetStream (-js)?`, { cause: error });
  }
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') outage.lost(new Error(`disconnected from ${s.server}`));
      else if (s.type === 'reconnect') outage.back();
    }
  })().catch(() => {});
  const jsm = await lib.jetstreamManager(nc);
  return { nc, js: lib.jetstream(nc), jsm, lib, core };
}

/** The stream, made on first use: subject = name. `workQueue` streams drop a message once it is acknowledged. */
async function ensureStream(n: Nats, name: string, kind: 'workQueue' | 'log', duplicateWindowMs: number): Promise<string> {
  try {
    const info = await n.jsm.streams.info(name);
    return info.config.subjects?.[0] ?? name;
  } catch (error) {
    if (!(error instanceof n.lib.JetStreamApiError) || error.code !== n.lib.JetStreamApiCodes.StreamNotFound) throw error;
  }
  try {
    await n.jsm.streams.add({
      name,
      subjects: [name],
      retention: kind === 'workQueue' ? n.lib.RetentionPolicy.Workqueue : n.lib.RetentionPolicy.Limits,
      storage: n.lib.StorageType.File,
      duplicate_window: n.core.nanos(duplicateWindowMs),
    });
  } catch (error) {
    // Another worker made it in the meantime.
    if (!/already in use|exists/i.test(describeError(error))) throw error;
  }
  return name;
}

export interface NatsConsumerOptions {
  readonly stream: string;
  readonly group: string;
  /** Unacknowledged messages are redelivered after this long (JetStream ack wait). */
  readonly claimIdleMs: number;
}

/**
 * The durable pull consumer the workers share. Its `max_deliver` is unlimited on purpose: JetStream stops
 * delivering a message after `max_deliver` deliveries and leaves it in the stream, unread by anyone, so if
 * the worker that took the last allowed delivery died the post would vanish from the output. The workers
 * count instead: a message delivered more than `maxDeliveries` times becomes an error record and is acknowledged.
 */
export async function ensureNatsConsumer(n: Pick<Nats, 'jsm' | 'lib' | 'core'>, options: NatsConsumerOptions): Promise<void> {
  const config = {
    ack_wait: n.core.nanos(options.claimIdleMs),
    max_deliver: -1,
    // Each worker bounds itself (a batch plus one prefetched); the server need not.
    max_ack_pending: -1,
  };
  try {
    const info = await n.jsm.consumers.info(options.stream, options.group);
    if (info.config.ack_wait !== config.ack_wait || info.config.max_deliver !== config.max_deliver || info.config.max_ack_pending !== config.max_ack_pending) {
      await n.jsm.consumers.update(options.stream, options.group, config);
    }
    return;
  } catch (error) {
    if (!(error instanceof n.lib.JetStreamApiError) || error.code !== n.lib.JetStreamApiCodes.ConsumerNotFound) throw error;
  }
  await n.jsm.consumers.add(options.stream, {
    durable_name: options.group,
    ack_policy: n.lib.AckPolicy.Explicit,
    deliver_policy: n.lib.DeliverPolicy.All,
    ...config,
  });
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A message's data and headers as entry fields, so both engines go through the same record code. */
export function messageFields(data: Uint8Array, header: (name: string) => string | undefined): EntryFields | { readonly badEncoding: true } {
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    return { badEncoding: true };
  }
  const kind = header(ENTRY_HEADER);
  const fields: Record<string, string> = { [kind === 'post' || kind === 'error' ? kind : 'record']: text };
  const source = header(SOURCE_HEADER);
  const line = header(LINE_HEADER);
  if (source) fields.source = source;
  if (line) fields.line = line;
  return fields;
}

function fieldsOf(m: JsMsg): EntryFields {
  const f = messageFields(m.data, (name) => (m.headers?.has(name) ? m.headers.get(name) : undefined));
  if (!('badEncoding' in f)) return f;
  const record = errorRecord(`${m.info.stream}@${m.seq}`, 1, 'bad_encoding', 'The message is not valid UTF-8. Publish posts as UTF-8 JSON.');
  return { error: JSON.stringify(record) };
}

export interface NatsWorkerOptions extends NatsConsumerOptions {
  readonly url: string;
  readonly consumer: string;
  readonly outStream: string;
  readonly errorStream: string;
  readonly blockMs: number;
  /** JetStream's duplicate window on the output streams: a result published again within it is dropped. */
  readonly dedupTtlS: number;
  readonly onNotice: (message: string) => void;
}

/** NATS JetStream: a work-queue stream on disk, a durable pull consumer, outputs published with their key as message id. */
export async function openNatsWorkerQueue(options: NatsWorkerOptions): Promise<WorkerQueue> {
  const describe = redactUrl(options.url);
  const outage = createOutageReporter(describe, options.onNotice);
  const n = await connectNats(options.url, options.consumer, outage);
  await ensureStream(n, options.stream, 'workQueue', 120_000);
  const window = options.dedupTtlS * 1000;
  const subjects = {
    results: await ensureStream(n, options.outStream, 'log', window),
    errors: await ensureStream(n, options.errorStream, 'log', window),
  };
  await ensureNatsConsumer(n, options);
  const consumer: Consumer = await n.js.consumers.get(options.stream, options.group);
  const held = new Map<string, JsMsg>();

  return {
    describe,
    outage,
    isTransient,
    async fetch(max) {
      const messages = await consumer.fetch({ max_messages: max, expires: Math.max(1000, options.blockMs) });
      const out: Delivery[] = [];
      for await (const m of messages) {
        const ref = String(m.seq);
        held.set(ref, m);
        out.push({ place: { stream: options.stream, ref }, fields: fieldsOf(m), deliveries: m.info.deliveryCount });
      }
      return out;
    },
    async commit(batch: readonly Outgoing[]) {
      const acks = await Promise.all(
        batch.map(async ({ output }) => {
          if (!output) return false;
          const headers = n.core.headers();
          headers.set(KEY_HEADER, output.key);
          const ack = await n.js.publish(subjects[output.target], output.fields.record ?? '', { msgID: output.key, headers });
          return ack.duplicate;
        }),
      );
      // Acknowledged only once the outputs are stored: a crash in between redelivers, and the message id drops the repeat.
      await Promise.all(
        batch.map(async ({ delivery }) => {
          const m = held.get(delivery.place.ref);
          if (!m) return;
          if (!(await m.ackAck())) throw new Error(`timeout acknowledging message ${delivery.place.ref}`);
          // Forgotten only once acknowledged: a retried commit acknowledges what the failed one did not.
          held.delete(delivery.place.ref);
        }),
      );
      return { duplicates: acks.filter(Boolean).length };
    },
    async backlog(): Promise<Backlog> {
      const info = await n.jsm.consumers.info(options.stream, options.group);
      return { unread: info.num_pending, pending: info.num_ack_pending };
    },
    async close() {
      await n.nc.drain().catch(() => n.nc.close());
    },
  };
}

export interface NatsEnqueueOptions {
  readonly url: string;
  readonly stream: string;
  readonly onNotice: (message: string) => void;
}

export async function openNatsEnqueuer(options: NatsEnqueueOptions): Promise<Enqueuer> {
  const describe = redactUrl(options.url);
  const outage = createOutageReporter(describe, options.onNotice);
  const n = await connectNats(options.url, 'qorgau-enqueue', outage);
  const subject = await ensureStream(n, options.stream, 'workQueue', 120_000);
  return {
    describe,
    outage,
    isTransient,
    async add(entries) {
      await Promise.all(
        entries.map((fields) => {
          const kind = fields.post !== undefined ? 'post' : 'error';
          const body = fields[kind] ?? '';
          const headers = n.core.headers();
          headers.set(ENTRY_HEADER, kind);
          // Deduplicated by post (id and text) within the stream's window: enqueueing a file twice adds it once.
          return n.js.publish(subject, body, { headers, msgID: `${kind}:${body.length}:${hashText(body)}` });
        }),
      );
    },
    async length() {
      return (await n.jsm.streams.info(options.stream)).state.messages;
    },
    async close() {
      await n.nc.drain().catch(() => n.nc.close());
    },
  };
}

function hashText(text: string): string {
  // FNV-1a 64-bit in two halves: a message id, not a security boundary.
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x811c9dc5) >>> 0;
  }
  return a.toString(36) + b.toString(36);
}

export interface NatsReadOptions {
  readonly url: string;
  readonly stream: string;
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  readonly onNotice: (message: string) => void;
}

/** Every message of a stream, oldest first, with an ordered consumer: up to the last one at the start, or on with `follow`. */
export async function* readNatsStream(options: NatsReadOptions): AsyncGenerator<StreamItem> {
  const describe = redactUrl(options.url);
  const outage = createOutageReporter(describe, options.onNotice);
  const n = await connectNats(options.url, 'qorgau-collect', outage);
  try {
    let info;
    try {
      info = await n.jsm.streams.info(options.stream);
    } catch (error) {
      if (error instanceof n.lib.JetStreamApiError && error.code === n.lib.JetStreamApiCodes.StreamNotFound) return;
      throw error;
    }
    if (info.state.messages === 0 && !options.follow) return;
    const consumer = await n.js.consumers.get(options.stream);
    for (;;) {
      if (options.signal?.aborted) return;
      const messages = await consumer.fetch({ max_messages: 1000, expires: 1000 });
      let caughtUp = false;
      for await (const m of messages) {
        const key = m.headers?.has(KEY_HEADER) ? m.headers.get(KEY_HEADER) : undefined;
        yield { place: { stream: options.stream, ref: String(m.seq) }, fields: { record: new TextDecoder().decode(m.data), ...(key ? { key } : {}) } };
        if (m.info.pending === 0) caughtUp = true;
      }
      if (caughtUp && !options.follow) return;
    }
  } finally {
    await n.nc.drain().catch(() => n.nc.close());
  }
}
