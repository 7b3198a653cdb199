// Running on many machines: workers on Redis Streams or NATS JetStream. The engine clients load only when a
// queue is opened (dynamic import), so importing this module costs nothing to `scan` users.
export { runWorker } from './worker.js';
export type { WorkerOptions, WorkerSummary, BatchReport } from './worker.js';
export { enqueue } from './enqueue.js';
export type { EnqueueOptions, EnqueueSummary } from './enqueue.js';
export { collect } from './collect.js';
export type { CollectOptions, CollectSummary } from './collect.js';
export { openRedisWorkerQueue, openRedisEnqueuer, readRedisStream } from './redis.js';
export type { RedisWorkerOptions, RedisEnqueueOptions, RedisReadOptions } from './redis.js';
export { openNatsWorkerQueue, openNatsEnqueuer, readNatsStream } from './nats.js';
export type { NatsWorkerOptions, NatsEnqueueOptions, NatsReadOptions } from './nats.js';
export { startMetrics } from './metrics.js';
export type { WorkerMetrics, MetricsOptions } from './metrics.js';
export { entryToRecord, recordToFields, resultKey } from './entries.js';
export type { EntryFields, EntryPlace } from './entries.js';
export type { Backlog, Delivery, Enqueuer, Outgoing, StreamItem, WorkerQueue } from './types.js';
