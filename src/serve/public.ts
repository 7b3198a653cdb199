import type { Output } from '../types.js';
import type { ImportSummary, ReviewStore, RunningServer, ServeApp, ServeOptions } from './index.js';

// The library's entry points for serving. Hono, prom-client and the database drivers load on the first call,
// so `import 'qorgau'` (and every other CLI command) never pays for them.

/** Starts `qorgau serve` in this process: the scoring API, and with `db` the review server. */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  return (await import('./index.js')).startServer(options);
}

/** The same app without a socket: answer requests with `app.request()`, or mount `app.fetch` elsewhere. */
export async function createServeApp(options: ServeOptions = {}): Promise<ServeApp> {
  return (await import('./index.js')).createServeApp(options);
}

/** Opens (and migrates) a review database: a SQLite file path or a postgres:// URL. */
export async function openReviewStore(location: string): Promise<ReviewStore> {
  return (await import('./index.js')).openStore(location);
}

/** Loads results (what `qorgau scan` or the worker wrote) into a review database as a new run. */
export async function importResults(location: string, records: AsyncIterable<Output> | Iterable<Output>, source: string): Promise<ImportSummary> {
  const store = await openReviewStore(location);
  try {
    return await store.importResults(records, { source });
  } finally {
    await store.close();
  }
}
