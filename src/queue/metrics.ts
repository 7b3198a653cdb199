import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { QorgauError, describeError } from '../errors.js';
import { isErrorRecord } from '../types.js';
import type { Backlog } from './types.js';
import type { BatchReport } from './worker.js';

export interface WorkerMetrics {
  /** Feed it every committed batch (`runWorker`'s `onBatch`). */
  observe(batch: BatchReport): void;
  /** The Prometheus text exposition, as `/metrics` serves it. */
  text(): Promise<string>;
  /** The port it listens on (useful when asked for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsOptions {
  readonly port: number;
  /** Loopback only unless told otherwise: the page says how busy the pipeline is, to whoever can reach it. */
  readonly host?: string;
  /** Read on each scrape: consumer-group lag and pending entries. */
  readonly backlog: () => Promise<Backlog>;
  /** Constant labels on every series (stream, group, consumer). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Prometheus metrics of one worker on `http://127.0.0.1:<port>/metrics` (prom-client, loaded only here). */
export async function startMetrics(options: MetricsOptions): Promise<WorkerMetrics> {
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  if (options.labels) registry.setDefaultLabels({ ...options.labels });
  prom.collectDefaultMetrics({ register: registry });
  const scored = new prom.Counter({ name: 'qorgau_posts_scored_total', help: 'Posts scored (results written or dropped as duplicates).', registers: [registry] });
  const candidates = new prom.Counter({ name: 'qorgau_candidates_total', help: 'Scored posts with at least one label.', registers: [registry] });
  const errors = new prom.Counter({ name: 'qorgau_errors_total', help: 'Error records, by code.', labelNames: ['code'], registers: [registry] });
  const duplicates = new prom.Counter({ name: 'qorgau_duplicates_total', help: 'Outputs dropped because the same key was already written (redelivered or resent posts).', registers: [registry] });
  const entries = new prom.Counter({ name: 'qorgau_entries_total', help: 'Stream entries acknowledged.', registers: [registry] });
  const seconds = new prom.Histogram({
    name: 'qorgau_batch_seconds',
    help: 'Time to score and commit one batch.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const read = async (): Promise<Backlog | undefined> => {
    try {
      return await options.backlog();
    } catch {
      return undefined; // the engine is down: the gauges keep their last value rather than fail the scrape
    }
  };
  new prom.Gauge({
    name: 'qorgau_group_lag',
    help: 'Entries in the input stream that no worker of the group has read yet.',
    registers: [registry],
    async collect() {
      const b = await read();
      if (b) this.set(b.unread);
    },
  });
  new prom.Gauge({
    name: 'qorgau_group_pending',
    help: 'Entries read by a worker of the group and not yet acknowledged.',
    registers: [registry],
    async collect() {
      const b = await read();
      if (b) this.set(b.pending);
    },
  });

  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${describeError(error)}\n`),
    );
  });
  server.listen(options.port, options.host ?? '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  } catch (error) {
    throw new QorgauError('bad_options', `Could not listen for metrics on ${options.host ?? '127.0.0.1'}:${options.port}: ${describeError(error)}. Pick another --metrics-port.`, { cause: error });
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    observe(batch) {
      entries.inc(batch.entries);
      duplicates.inc(batch.duplicates);
      seconds.observe(batch.seconds);
      for (const out of batch.outputs) {
        if (isErrorRecord(out)) errors.inc({ code: out.error.code });
        else {
          scored.inc();
          if (out.labels.length > 0) candidates.inc();
        }
      }
    },
    text: () => registry.metrics(),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
