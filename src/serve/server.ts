import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { createAnalyzer, type Analyzer } from '../analyzer.js';
import { QorgauError, describeError } from '../errors.js';
import { resolveOptions } from '../options.js';
import { scoringRoutes } from './api.js';
import { hashToken, jsonError } from './http.js';
import { createMetrics } from './metrics.js';
import { isLoopback, resolveServeOptions, type ResolvedServeOptions, type ServeOptions } from './options.js';
import { createScoringQueue, type ScoringQueue } from './queue.js';
import { reviewRoutes } from './review.js';
import { openStore, type ReviewStore } from './store/index.js';

export interface ServeApp {
  /** The Hono app: `app.request()` answers without a socket; `app.fetch` is what the Node server runs. */
  readonly app: Hono;
  readonly analyzer: Analyzer;
  readonly queue: ScoringQueue;
  readonly store?: ReviewStore;
  readonly options: ResolvedServeOptions;
  /** Closes the store and, unless it was passed in, the analyzer. */
  close(): Promise<void>;
}

export interface RunningServer extends ServeApp {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
}

/**
 * Builds the scoring API over one analyzer and, with `db`, the review server over one store. Refuses a
 * non-loopback `host` unless there are credentials: bearer `tokens`, or reviewers in the database.
 */
export async function createServeApp(options: ServeOptions = {}): Promise<ServeApp> {
  const o = resolveServeOptions(options);
  const analyzerOptions = resolveOptions(options);
  const store = o.db !== undefined ? await openStore(o.db) : undefined;
  let analyzer: Analyzer | undefined;
  try {
    const loopback = isLoopback(o.host);
    if (!loopback && o.tokens.length === 0 && !(store && (await store.hasReviewers()))) {
      throw new QorgauError(
        'bad_options',
        `Refusing to listen on ${o.host} without credentials: pass --token-file FILE (bearer tokens for the scoring API)${store ? ' or add reviewers (qorgau serve reviewer add NAME --db …)' : ' or --db with reviewers'}, or keep the default --host 127.0.0.1.`,
      );
    }
    analyzer = options.analyzer ?? (await createAnalyzer(options));
    const queue = createScoringQueue(analyzer, { capacity: o.maxQueue, batchSize: analyzerOptions.batchSize, maxInFlight: Math.max(2, analyzerOptions.workers * 2) });
    const metrics = createMetrics(queue);
    const tokenHashes = new Set(o.tokens.map(hashToken));
    const app = new Hono();
    app.route(
      '/',
      scoringRoutes({
        analyzer,
        queue,
        metrics,
        maxBody: o.maxBody,
        maxBatch: o.maxBatch,
        maxTextLength: analyzerOptions.maxTextLength,
        chunk: Math.min(analyzerOptions.batchSize, 256),
        // Off the loopback every call needs a token: one from --token-file, or a reviewer's.
        authRequired: o.tokens.length > 0 || !loopback,
        authorize: async (token) => tokenHashes.has(hashToken(token)) || (store !== undefined && (await store.reviewerByToken(token)) !== undefined),
      }),
    );
    if (store) {
      app.route(
        '/',
        reviewRoutes({ store, overlap: o.overlap, cards: o.cards, leaseMinutes: o.leaseMinutes, local: async () => loopback && !(await store.hasReviewers()) }),
      );
    } else {
      app.get('/', (c) => c.json({ service: 'qorgau', endpoints: ['POST /v1/score', 'POST /v1/moderations', 'GET /healthz', 'GET /metrics'], review: 'start with --db to serve the review page' }));
    }
    app.notFound((c) => jsonError(c, 404, 'not_found_error', 'not_found', `No route ${c.req.method} ${new URL(c.req.url).pathname}. See GET / for what this server answers.`));
    app.onError((error, c) => {
      if (error instanceof HTTPException) return error.getResponse();
      process.stderr.write(`qorgau serve: ${c.req.method} ${new URL(c.req.url).pathname}: ${describeError(error)}\n`);
      return jsonError(c, 500, 'server_error', 'internal_error', `The server failed on this request: ${describeError(error)}.`);
    });
    const owned = options.analyzer === undefined ? analyzer : undefined;
    return {
      app,
      analyzer,
      queue,
      ...(store ? { store } : {}),
      options: o,
      async close() {
        await Promise.all([owned?.close(), store?.close()]);
      },
    };
  } catch (error) {
    if (options.analyzer === undefined) await analyzer?.close();
    await store?.close();
    throw error;
  }
}

/** Starts the server on `host:port` (port 0: a free one) and resolves once it listens. */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const served = await createServeApp(options);
  const { host, port } = served.options;
  let server: ReturnType<typeof serve>;
  let info: AddressInfo;
  try {
    ({ server, info } = await new Promise<{ server: ReturnType<typeof serve>; info: AddressInfo }>((resolve, reject) => {
      const s = serve({ fetch: served.app.fetch, hostname: host, port }, (i) => resolve({ server: s, info: i }));
      s.once('error', reject);
    }));
  } catch (error) {
    await served.close();
    throw new QorgauError('bad_options', `Could not listen on ${host}:${port}: ${describeError(error)}. Pick another --port (0 picks a free one).`, { cause: error });
  }
  const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  return {
    ...served,
    url: `http://${shownHost}:${info.port}`,
    port: info.port,
    async close() {
      // Stop accepting, let the requests in flight finish (up to 5 s), then drop what is left.
      const http = server as { closeIdleConnections?(): void; closeAllConnections?(): void };
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        http.closeIdleConnections?.();
        setTimeout(() => http.closeAllConnections?.(), 5000).unref();
      });
      await served.close();
    },
  };
}
