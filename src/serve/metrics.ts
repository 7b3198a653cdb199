import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ScoringQueue } from './queue.js';

export interface ServeMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'status'>;
  readonly duration: Histogram<'route'>;
  readonly outputs: Counter<'kind'>;
  readonly rejected: Counter;
  readonly batch: Histogram;
}

/** One registry per server (tests start many): process metrics plus the scoring API's own. */
export function createMetrics(queue: ScoringQueue): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'qorgau_' });
  const metrics: ServeMetrics = {
    registry,
    requests: new Counter({ name: 'qorgau_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] }),
    duration: new Histogram({
      name: 'qorgau_http_request_duration_seconds',
      help: 'HTTP request time by route, to the last byte for streams',
      labelNames: ['route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    outputs: new Counter({ name: 'qorgau_records_total', help: 'Records answered: scored results and error records', labelNames: ['kind'], registers: [registry] }),
    rejected: new Counter({ name: 'qorgau_queue_rejected_total', help: 'Requests answered 429 because the scoring queue was full', registers: [registry] }),
    batch: new Histogram({ name: 'qorgau_batch_posts', help: 'Posts per analyzer batch', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], registers: [registry] }),
  };
  new Gauge({
    name: 'qorgau_queue_posts',
    help: 'Posts waiting in the scoring queue',
    registers: [registry],
    collect() {
      this.set(queue.queued);
    },
  });
  new Gauge({
    name: 'qorgau_inflight_posts',
    help: 'Posts being scored now',
    registers: [registry],
    collect() {
      this.set(queue.inFlight);
    },
  });
  queue.onBatch = (posts) => metrics.batch.observe(posts);
  return metrics;
}
