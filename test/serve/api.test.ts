import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Classifier } from '../../src/model/classifier.js';
import { createScoringQueue } from '../../src/serve/queue.js';
import { createServeApp, startServer, type RunningServer, type ServeApp } from '../../src/serve/server.js';
import { createAnalyzer } from '../../src/analyzer.js';
import { CATEGORIES } from '../../src/types.js';
import { fakeClassifier } from '../helpers/fake-classifier.js';

const DRUGS = 'Меф, альфа, шишки в наличии. Ровный клад по Алматы. Оператор: @almaty_shop_bot';
const quiet = { onNotice: () => {} };

/** A classifier that holds every call until `open()`: the queue fills while it waits. */
function gated(): { classifier: Classifier; open(): void; calls: number[] } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const calls: number[] = [];
  return {
    calls,
    open,
    classifier: {
      name: 'gated',
      async classify(texts) {
        calls.push(texts.length);
        await gate;
        return texts.map(() => ({}));
      },
      async dispose() {},
    },
  };
}

const post = (served: ServeApp, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  Promise.resolve(served.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }));

describe('the scoring API without a socket', () => {
  let served: ServeApp;
  beforeAll(async () => {
    served = await createServeApp({ model: false, maxBatch: 8, maxQueue: 64, maxBody: 4096, ...quiet });
  });
  afterAll(async () => {
    await served.close();
  });

  it('scores a JSON batch in order, with bad records as error records in their place', async () => {
    const res = await post(served, '/v1/score', { posts: [{ id: 'p1', text: DRUGS, channel: 't.me/shop' }, { text: '' }, 7, { id: 9, body: 'x' }, { text: 42 }, { id: 'p6', text: 'Добрый день' }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model: null; results: Record<string, unknown>[] };
    expect(body.model).toBeNull();
    expect(body.results).toHaveLength(6);
    expect(body.results[0]).toMatchObject({ id: 'p1', labels: ['drugs'], meta: { channel: 't.me/shop' }, source: 'request', line: 1 });
    expect(body.results.slice(1, 5).map((r) => [r.line, (r.error as { code: string }).code])).toEqual([
      [2, 'empty_text'],
      [3, 'bad_record'],
      [4, 'missing_text'],
      [5, 'bad_record'],
    ]);
    expect((body.results[2]!.error as { message: string }).message).toBe('Expected posts[2] to be an object {id?, text, …}, got number.');
    expect(body.results[3]!.id).toBe('9');
    expect(body.results[5]).toMatchObject({ id: 'p6', labels: [] });
  });

  it.each([
    ['broken JSON', '/v1/score', '{"posts": [', 400, 'bad_json', null, /^Malformed JSON body/],
    ['a body that is an array', '/v1/score', '[1, 2]', 400, 'bad_request', null, /Expected the body to be an object \{"posts"/],
    ['no posts field', '/v1/score', '{"post": []}', 400, 'bad_request', 'posts', /Expected `posts` to be an array of posts .*got no `posts` field/],
    ['posts that is a string', '/v1/score', '{"posts": "hello"}', 400, 'bad_request', 'posts', /got "hello"/],
    ['9 posts over --max-batch 8', '/v1/score', JSON.stringify({ posts: Array.from({ length: 9 }, (_, i) => ({ text: `t${i}` })) }), 413, 'batch_too_large', 'posts', /at most 8 posts per request \(--max-batch\), got 9/],
    ['a body over --max-body', '/v1/score', JSON.stringify({ posts: [{ text: 'x'.repeat(5000) }] }), 413, 'body_too_large', null, /larger than 4,096 bytes \(--max-body\).*NDJSON/],
    ['no input field', '/v1/moderations', '{}', 400, 'bad_request', 'input', /Expected `input` to be a string or an array of strings, got no `input` field/],
    ['input that is a number', '/v1/moderations', '{"input": 5}', 400, 'bad_request', 'input', /got 5/],
    ['model that is a number', '/v1/moderations', '{"input": "x", "model": 3}', 400, 'bad_request', 'model', /Expected `model` to be a string/],
    ['9 inputs over --max-batch 8', '/v1/moderations', JSON.stringify({ input: Array.from({ length: 9 }, () => 'x') }), 413, 'batch_too_large', 'input', /at most 8 inputs/],
  ])('%s: %s → %i %s naming %s', async (_what, path, body, status, code, param, message) => {
    const res = await post(served, path, body);
    expect(res.status).toBe(status);
    const err = ((await res.json()) as { error: { message: string; type: string; code: string; param: string | null } }).error;
    expect(err).toMatchObject({ code, param, type: 'invalid_request_error' });
    expect(err.message).toMatch(message);
  });

  it('answers in OpenAI moderation shape over the nine categories, with qorgau fields and errors in place', async () => {
    const res = await post(served, '/v1/moderations', { input: [DRUGS, 'Добрый день', 12, ''] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; model: string; results: Record<string, any>[] };
    expect(body.id).toMatch(/^modr-[0-9a-f]{24}$/);
    expect(body.model).toBe('qorgau-rules');
    expect(body.results).toHaveLength(4);
    const [drugs, clean, number, empty] = body.results;
    expect(Object.keys(drugs!.categories)).toEqual([...CATEGORIES]);
    expect(Object.keys(drugs!.category_scores)).toEqual([...CATEGORIES]);
    expect(drugs).toMatchObject({ flagged: true, categories: { drugs: true, fraud: false }, category_applied_input_types: { drugs: ['text'] } });
    expect(drugs!.category_scores.drugs).toBeGreaterThan(0.5);
    expect(drugs!.qorgau.labels).toEqual(['drugs']);
    expect(drugs!.qorgau.evidence.length).toBeGreaterThan(0);
    expect(drugs!.qorgau.contacts).toContainEqual(expect.objectContaining({ type: 'bot', value: '@almaty_shop_bot' }));
    expect(clean).toMatchObject({ flagged: false, categories: { drugs: false } });
    expect(number).toMatchObject({ flagged: false, qorgau: { error: { code: 'bad_record', message: 'Expected input[2] to be a string, got number.' } } });
    expect(empty).toMatchObject({ flagged: false, qorgau: { error: { code: 'empty_text' } } });
    // A single string is one result.
    const one = (await (await post(served, '/v1/moderations', { input: DRUGS, model: 'omni-moderation-latest' })).json()) as { results: unknown[] };
    expect(one.results).toHaveLength(1);
  });

  it('streams NDJSON: one line out per line in, in order, bad lines as error records with their line number', async () => {
    const lines: string[] = [];
    for (let i = 1; i <= 700; i += 1) lines.push(i % 100 === 0 ? '{"id": broken' : i % 77 === 0 ? '' : JSON.stringify({ id: `n${i}`, text: i % 3 === 0 ? DRUGS : `пост ${i}` }));
    const res = await post(served, '/v1/score', `${lines.join('\n')}\n`, { 'Content-Type': 'application/x-ndjson' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const out = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: string; line: number; labels?: string[]; error?: { code: string } });
    const expected = lines.map((l, i) => [l, i + 1] as const).filter(([l]) => l !== '');
    expect(out).toHaveLength(expected.length);
    expect(out.map((o) => o.line)).toEqual(expected.map(([, n]) => n));
    for (const o of out) {
      if (o.line % 100 === 0) expect(o.error?.code).toBe('bad_json');
      else expect(o).toMatchObject({ id: `n${o.line}`, labels: o.line % 3 === 0 ? ['drugs'] : [] });
    }
  });

  it('reports health and Prometheus metrics that count what it answered', async () => {
    const health = await served.app.request('/healthz');
    expect(await health.json()).toMatchObject({ status: 'ok', model: null, queue: { queued: 0, capacity: 64 } });
    await post(served, '/v1/score', { posts: [{ text: DRUGS }, { text: '' }] });
    const metrics = await (await served.app.request('/metrics')).text();
    expect(metrics).toMatch(/qorgau_http_requests_total\{route="\/v1\/score",status="200"\} \d+/);
    expect(metrics).toMatch(/qorgau_records_total\{kind="error"\} \d+/);
    expect(metrics).toMatch(/qorgau_queue_posts 0/);
    expect(metrics).toMatch(/qorgau_process_resident_memory_bytes \d+/);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await served.app.request('/v2/nothing');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

describe('the bounded scoring queue', () => {
  it('answers 429 with Retry-After when full, and scores every admitted request once the analyzer frees up', async () => {
    const g = gated();
    const served = await createServeApp({ classifier: g.classifier, maxBatch: 4, maxQueue: 4, ...quiet });
    try {
      // Two batches in flight (the queue's limit), one waiting that fills the queue, then one too many.
      const admitted = [1, 2, 3].map((k) => post(served, '/v1/score', { posts: Array.from({ length: 4 }, (_, i) => ({ id: `${k}-${i}`, text: `пост ${k} ${i}` })) }));
      await new Promise((r) => setTimeout(r, 50));
      expect(served.queue.queued).toBe(4);
      const rejected = await post(served, '/v1/score', { posts: [{ text: 'one more' }] });
      expect(rejected.status).toBe(429);
      expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await rejected.json()) as { error: { type: string; code: string } }).error).toMatchObject({ type: 'rate_limit_error', code: 'queue_full' });
      const stream = await post(served, '/v1/score', '{"text": "x"}\n', { 'Content-Type': 'application/x-ndjson' });
      expect(stream.status).toBe(429);
      g.open();
      const done = await Promise.all(admitted);
      for (const [k, res] of done.entries()) {
        expect(res.status).toBe(200);
        expect(((await res.json()) as { results: { id: string }[] }).results.map((r) => r.id)).toEqual([0, 1, 2, 3].map((i) => `${k + 1}-${i}`));
      }
      expect(await (await served.app.request('/metrics')).text()).toMatch(/qorgau_queue_rejected_total 2/);
    } finally {
      g.open();
      await served.close();
    }
  });

  it('gathers requests that arrive during a batch into the next one, and hands each its own outputs', async () => {
    const classifier = fakeClassifier();
    const analyzer = await createAnalyzer({ classifier, ...quiet });
    const queue = createScoringQueue(analyzer, { capacity: 100, batchSize: 64, maxInFlight: 1 });
    const jobs = Array.from({ length: 20 }, (_, i) => queue.score([{ id: `q${i}`, text: `текст ${i}`, meta: {} }]));
    const outs = await Promise.all(jobs);
    expect(outs.map((o) => o.map((r) => r.id))).toEqual(Array.from({ length: 20 }, (_, i) => [`q${i}`]));
    // The first request went alone; the other 19 waited for it and shared one model call.
    expect(classifier.batches.map((b) => b.length)).toEqual([1, 19]);
    await analyzer.close();
  });
});

describe('credentials', () => {
  it('needs a bearer token from --token-file for /v1 and /metrics, not for /healthz', async () => {
    const token = 'a-long-enough-token-0123456789';
    const served = await createServeApp({ model: false, tokens: [token], ...quiet });
    try {
      const none = await post(served, '/v1/score', { posts: [{ text: 'x' }] });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await none.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
      expect((await post(served, '/v1/score', { posts: [] }, { Authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
      expect((await post(served, '/v1/score', { posts: [{ text: 'x' }] }, { Authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await served.app.request('/metrics')).status).toBe(401);
      expect((await served.app.request('/healthz')).status).toBe(200);
    } finally {
      await served.close();
    }
  });

  it.each(['0.0.0.0', '192.168.1.10', '::'])('refuses to listen on %s without credentials', async (host) => {
    await expect(createServeApp({ model: false, host, ...quiet })).rejects.toThrow(new RegExp(`Refusing to listen on ${host.replace(/\./g, '\\.')} without credentials: pass --token-file`));
  });

  it('listens off the loopback with tokens, and then every /v1 call needs one', async () => {
    const served = await createServeApp({ model: false, host: '0.0.0.0', tokens: ['x'.repeat(20)], ...quiet });
    try {
      expect((await post(served, '/v1/moderations', { input: 'x' })).status).toBe(401);
    } finally {
      await served.close();
    }
  });
});

describe('the scoring API over a real port', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ model: false, port: 0, ...quiet });
  });
  afterAll(async () => {
    await server.close();
  });

  it('binds 127.0.0.1 by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('works with the official OpenAI client library unchanged', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const res = await client.moderations.create({ model: 'omni-moderation-latest', input: [DRUGS, 'Добрый день'] });
    expect(res.results.map((r) => r.flagged)).toEqual([true, false]);
    expect((res.results[0]!.categories as unknown as Record<string, boolean>).drugs).toBe(true);
    const err = await client.moderations.create({ input: 5 as unknown as string }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input');
  });

  it('streams NDJSON over HTTP while the body is still being sent', async () => {
    const enc = new TextEncoder();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 3) return controller.close();
        sent += 1;
        controller.enqueue(enc.encode(Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: `s${sent}-${i}`, text: i % 2 ? DRUGS : 'привет' })).join('\n') + '\n'));
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    const res = await fetch(`${server.url}/v1/score`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    const ids = (await res.text())
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toHaveLength(900);
    expect(ids[0]).toBe('s1-0');
    expect(ids.at(-1)).toBe('s3-299');
  });
});
