import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { stream } from 'hono/streaming';
import type { Analyzer } from '../analyzer.js';
import { describeError } from '../errors.js';
import { readLines } from '../ingest/lines.js';
import { errorRecord, idOf, textToPost } from '../ingest/records.js';
import { isErrorRecord, type ErrorRecord, type Output, type Post } from '../types.js';
import { bearerOf, jsonError, show, typeName } from './http.js';
import type { ServeMetrics } from './metrics.js';
import { toModerationResult } from './moderation.js';
import { QueueFullError, type ScoringQueue } from './queue.js';

export interface ScoringDeps {
  readonly analyzer: Analyzer;
  readonly queue: ScoringQueue;
  readonly metrics: ServeMetrics;
  readonly maxBody: number;
  readonly maxBatch: number;
  readonly maxTextLength: number;
  /** Posts per chunk of an NDJSON stream handed to the queue. */
  readonly chunk: number;
  /** Whether a bearer token is required, and the check for one. */
  readonly authRequired: boolean;
  authorize(token: string): Promise<boolean>;
}

const NDJSON = /^application\/(?:x-)?(?:ndjson|jsonl|jsonlines|json-lines)\b/i;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const ROUTES = new Set(['/v1/score', '/v1/moderations', '/healthz', '/metrics']);

/** A request's post: an object with a string `text`; every other field but `id` is kept as `meta`. */
export function requestPost(value: unknown, index: number, where: string, maxTextLength: number): Post | ErrorRecord {
  const line = index + 1;
  if (!isObject(value)) return errorRecord('request', line, 'bad_record', `Expected ${where} to be an object {id?, text, …}, got ${typeName(value)}.`);
  const id = idOf(value.id, 'request', line);
  if (value.text === undefined || value.text === null) {
    const fields = Object.keys(value).slice(0, 8).join(', ');
    return errorRecord('request', line, 'missing_text', `Expected ${where}.text, a string; found fields: ${fields || '(none)'}.`, id);
  }
  if (typeof value.text !== 'string') return errorRecord('request', line, 'bad_record', `Expected ${where}.text to be a string, got ${typeName(value.text)}.`, id);
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'id' && k !== 'text') meta[k] = v;
  return textToPost(value.text, id, 'request', line, maxTextLength, meta);
}

function tooLarge(c: Context, maxBody: number): Response {
  return jsonError(
    c,
    413,
    'invalid_request_error',
    'body_too_large',
    `The request body is larger than ${maxBody.toLocaleString('en')} bytes (--max-body). Send fewer posts per request, or stream them as NDJSON (Content-Type: application/x-ndjson).`,
  );
}

function queueFull(c: Context, error: QueueFullError, deps: ScoringDeps): Response {
  deps.metrics.rejected.inc();
  c.header('Retry-After', String(error.retryAfterSeconds));
  return jsonError(c, 429, 'rate_limit_error', 'queue_full', `The scoring queue is full (${deps.queue.capacity.toLocaleString('en')} posts waiting); retry after ${error.retryAfterSeconds} s.`);
}

async function readJson(c: Context): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  try {
    return { ok: true, value: await c.req.json() };
  } catch (error) {
    return { ok: false, response: jsonError(c, 400, 'invalid_request_error', 'bad_json', `Malformed JSON body: ${describeError(error)}.`) };
  }
}

function countOutputs(deps: ScoringDeps, outputs: readonly Output[]): void {
  let errors = 0;
  for (const o of outputs) if (isErrorRecord(o)) errors += 1;
  if (outputs.length > errors) deps.metrics.outputs.inc({ kind: 'result' }, outputs.length - errors);
  if (errors > 0) deps.metrics.outputs.inc({ kind: 'error' }, errors);
}

/**
 * NDJSON in, NDJSON out, as the records are scored: the body is read line by line in chunks, so memory stays
 * bounded whatever its size. A line that is not JSON or not a post becomes an error record in its place.
 */
function scoreStream(c: Context, deps: ScoringDeps): Response {
  const body = c.req.raw.body;
  c.header('Content-Type', 'application/x-ndjson; charset=utf-8');
  return stream(c, async (out) => {
    let aborted = false;
    out.onAbort(() => {
      aborted = true;
    });
    if (!body) return;
    const input = Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>);
    let chunk: (Post | ErrorRecord)[] = [];
    let posts = 0;
    // One chunk scoring while the next is read: the stream keeps the analyzer busy without holding more.
    let pending: Promise<Output[]> | undefined;
    const flush = async (): Promise<void> => {
      if (pending) {
        const outputs = await pending;
        pending = undefined;
        countOutputs(deps, outputs);
        await out.write(outputs.map((o) => `${JSON.stringify(o)}\n`).join(''));
      }
    };
    try {
      for await (const raw of readLines(input, deps.maxBody)) {
        if (aborted) break;
        let record: Post | ErrorRecord;
        if ('error' in raw) {
          record =
            raw.error === 'bad_encoding'
              ? errorRecord('request', raw.line, 'bad_encoding', `Line ${raw.line} is not valid UTF-8.`)
              : errorRecord('request', raw.line, 'text_too_long', `Line ${raw.line} has ${raw.bytes} bytes, more than --max-body (${deps.maxBody}).`);
        } else if (raw.text.trim() === '') {
          continue;
        } else {
          let value: unknown;
          try {
            value = JSON.parse(raw.text);
            record = requestPost(value, raw.line - 1, `line ${raw.line}`, deps.maxTextLength);
          } catch (error) {
            record = errorRecord('request', raw.line, 'bad_json', `Malformed JSON on line ${raw.line}: ${describeError(error)}.`);
          }
        }
        chunk.push(record);
        if (!isErrorRecord(record)) posts += 1;
        if (posts >= deps.chunk || chunk.length >= deps.chunk * 4) {
          const next = deps.queue.score(chunk, { wait: true });
          await flush();
          pending = next;
          chunk = [];
          posts = 0;
        }
      }
      if (aborted) return;
      if (chunk.length > 0) {
        const next = deps.queue.score(chunk, { wait: true });
        await flush();
        pending = next;
      }
      await flush();
    } catch (error) {
      // The client went away or its body broke off: there is nobody left to answer.
      if (!aborted) await out.write(`${JSON.stringify(errorRecord('request', 0, 'bad_record', `The request body broke off: ${describeError(error)}.`))}\n`).catch(() => {});
    } finally {
      input.destroy();
    }
  });
}

/** The scoring API: `POST /v1/score`, `POST /v1/moderations`, `GET /healthz`, `GET /metrics`. */
export function scoringRoutes(deps: ScoringDeps): Hono {
  const app = new Hono();
  const limit = bodyLimit({ maxSize: deps.maxBody, onError: (c) => tooLarge(c, deps.maxBody) });

  const observe: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    await next();
    const path = new URL(c.req.url).pathname;
    const route = ROUTES.has(path) ? path : 'other';
    deps.metrics.requests.inc({ route, status: String(c.res.status) });
    deps.metrics.duration.observe({ route }, (performance.now() - started) / 1000);
  };
  const auth: MiddlewareHandler = async (c, next) => {
    if (!deps.authRequired) return next();
    const token = bearerOf(c);
    if (!token || !(await deps.authorize(token))) {
      c.header('WWW-Authenticate', 'Bearer');
      return jsonError(c, 401, 'authentication_error', 'invalid_token', token ? 'The bearer token is not valid.' : 'This server needs an `Authorization: Bearer <token>` header.');
    }
    return next();
  };

  app.use('/v1/*', observe, auth);
  app.use('/metrics', observe, auth);
  app.use('/healthz', observe);

  app.get('/healthz', (c) =>
    c.json({ status: 'ok', model: deps.analyzer.info.model, rules: deps.analyzer.info.rules, queue: { queued: deps.queue.queued, inFlight: deps.queue.inFlight, capacity: deps.queue.capacity } }),
  );

  app.get('/metrics', async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  app.post('/v1/score', async (c, next) => {
    if (NDJSON.test(c.req.header('content-type') ?? '')) {
      // Admitted only while the queue has room; once running, a stream waits for room instead of failing.
      if (deps.queue.queued >= deps.queue.capacity) return queueFull(c, new QueueFullError(deps.queue.retryAfterSeconds()), deps);
      return scoreStream(c, deps);
    }
    return limit(c, next);
  });
  app.post('/v1/score', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const value = body.value;
    if (!isObject(value)) return jsonError(c, 400, 'invalid_request_error', 'bad_request', `Expected the body to be an object {"posts": [{"id", "text"}, …]}, got ${typeName(value)}.`);
    if (!Array.isArray(value.posts)) {
      return jsonError(c, 400, 'invalid_request_error', 'bad_request', `Expected \`posts\` to be an array of posts {"id"?, "text"}, got ${value.posts === undefined ? 'no `posts` field' : show(value.posts)}.`, 'posts');
    }
    if (value.posts.length > deps.maxBatch) {
      return jsonError(c, 413, 'invalid_request_error', 'batch_too_large', `Expected at most ${deps.maxBatch} posts per request (--max-batch), got ${value.posts.length}. Split the batch or stream NDJSON.`, 'posts');
    }
    const items = value.posts.map((p, i) => requestPost(p, i, `posts[${i}]`, deps.maxTextLength));
    let outputs: Output[];
    try {
      outputs = await deps.queue.score(items);
    } catch (error) {
      if (error instanceof QueueFullError) return queueFull(c, error, deps);
      throw error;
    }
    countOutputs(deps, outputs);
    return c.json({ model: deps.analyzer.info.model, results: outputs });
  });

  app.post('/v1/moderations', limit, async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const value = body.value;
    if (!isObject(value)) return jsonError(c, 400, 'invalid_request_error', 'bad_request', `Expected the body to be an object {"input": …}, got ${typeName(value)}.`);
    if (value.model !== undefined && typeof value.model !== 'string') {
      return jsonError(c, 400, 'invalid_request_error', 'bad_request', `Expected \`model\` to be a string, got ${show(value.model)}.`, 'model');
    }
    const input = value.input;
    if (typeof input !== 'string' && !Array.isArray(input)) {
      return jsonError(c, 400, 'invalid_request_error', 'bad_request', `Expected \`input\` to be a string or an array of strings, got ${input === undefined ? 'no `input` field' : show(input)}.`, 'input');
    }
    const inputs: readonly unknown[] = typeof input === 'string' ? [input] : input;
    if (inputs.length > deps.maxBatch) {
      return jsonError(c, 413, 'invalid_request_error', 'batch_too_large', `Expected at most ${deps.maxBatch} inputs per request (--max-batch), got ${inputs.length}.`, 'input');
    }
    const items = inputs.map((text, i) =>
      typeof text === 'string'
        ? textToPost(text, String(i), 'request', i + 1, deps.maxTextLength)
        : errorRecord('request', i + 1, 'bad_record', `Expected input[${i}] to be a string, got ${typeName(text)}.`, String(i)),
    );
    let outputs: Output[];
    try {
      outputs = await deps.queue.score(items);
    } catch (error) {
      if (error instanceof QueueFullError) return queueFull(c, error, deps);
      throw error;
    }
    countOutputs(deps, outputs);
    return c.json({ id: `modr-${randomBytes(12).toString('hex')}`, model: deps.analyzer.info.model ?? 'qorgau-rules', results: outputs.map(toModerationResult) });
  });

  return app;
}
