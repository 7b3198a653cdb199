import { Writable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { QorgauError } from '../errors.js';
import { escapeHtml } from '../report/html.js';
import { renderReport, type ReportQueue } from '../report/render.js';
import type { ReportStats } from '../report/stats.js';
import { STYLE } from '../report/style.js';
import { isCategory, type Category, type Result } from '../types.js';
import { agreementReport } from './agreement.js';
import { servedApp } from './client.js';
import { jsonError, show, typeName } from './http.js';
import { DECISIONS, keyString, textHash, type Card, type DecisionInput, type Reviewer, type ReviewStore, type Run } from './store/index.js';

export interface ReviewDeps {
  readonly store: ReviewStore;
  readonly overlap: number;
  readonly cards: number;
  readonly leaseMinutes: number;
  /** Loopback without reviewers: decisions are recorded as the reviewer `local`, with no sign-in. */
  local(): Promise<boolean>;
}

type Env = { Variables: { reviewer: Reviewer | undefined } };

export const SESSION_COOKIE = 'qorgau_session';
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // The page's own CSP is in its <meta>; what a meta cannot say goes here.
  'Content-Security-Policy': "frame-ancestors 'none'; base-uri 'none'",
};

function signInPage(message?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>qorgau review · sign in</title>
<style>${STYLE}
form.signin{max-width:420px;margin:60px auto;display:flex;flex-direction:column;gap:10px}
form.signin input{font:inherit;padding:6px 8px;border:1px solid var(--line);border-radius:4px}
.error{color:#c92a2a}</style></head>
<body><header class="top"><h1>qorgau review</h1><p>Sign in with the token <code>qorgau serve reviewer add</code> printed for you.</p></header>
<main><form class="signin panel" method="post" action="/signin">
<label for="token">Reviewer token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
${message ? `<p class="error" id="signin-error">${escapeHtml(message)}</p>` : ''}
<button class="primary" type="submit">Sign in</button></form></main></body></html>
`;
}

function emptyPage(reviewer: Reviewer): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'">
<title>qorgau review</title><style>${STYLE}</style></head>
<body><header class="top"><h1>qorgau review</h1><p>Signed in as ${escapeHtml(reviewer.name)} (${reviewer.role})</p></header>
<main><p class="empty">Nothing is imported yet: load a scan's results with <code>qorgau serve import results.jsonl --db …</code>, then reload.</p></main></body></html>
`;
}

async function renderToString(write: (sink: Writable) => Promise<void>): Promise<string> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  await write(sink);
  return Buffer.concat(parts).toString('utf8');
}

/** The review page for a reviewer's cards, with their decisions and everyone else's on the same posts. */
async function reviewPage(store: ReviewStore, reviewer: Reviewer, run: Run & { stats: ReportStats }, cards: readonly Card[], overlap: number): Promise<string> {
  const posts: Result[] = [];
  const clusters: number[][] = [];
  const clusterOf: number[] = [];
  cards.forEach((card, k) => {
    const members: number[] = [];
    for (const m of card.members) {
      members.push(posts.length);
      clusterOf.push(k);
      posts.push(m);
    }
    clusters.push(members);
  });
  const queue: ReportQueue = { posts, clusters, clusterOf };
  const keys = posts.map((p) => ({ postId: p.id, hash: textHash(p.text) }));
  const current = await store.currentDecisions(keys);
  const mine: Record<string, [string, string[], number, number?]> = {};
  const others: Record<string, [string, string, string[], number, number][]> = {};
  for (const d of current) {
    const k = keyString(d);
    if (d.reviewer === reviewer.name) mine[k] = d.viaCluster ? [d.decision, [...d.labels], d.decidedAt, 1] : [d.decision, [...d.labels], d.decidedAt];
    else (others[k] ??= []).push([d.reviewer, d.decision, [...d.labels], d.decidedAt, d.viaCluster ? 1 : 0]);
  }
  return renderToString((sink) =>
    renderReport(sink, run.stats, queue, {
      title: 'qorgau review queue',
      generatedAt: new Date(run.importedAt),
      inputs: [run.source],
      served: {
        data: { reviewer: { name: reviewer.name, role: reviewer.role }, overlap, decisions: mine, others, canExport: reviewer.role === 'admin' },
        script: `(${servedApp.toString()})();`,
      },
    }),
  );
}

/** Parses `{"decisions": [...]}`; names the first field that is wrong. */
export function parseDecisions(body: unknown, reviewer: Reviewer): { ok: true; decisions: DecisionInput[] } | { ok: false; status: 400 | 403 | 413; message: string; param: string } {
  if (!isObject(body) || !Array.isArray(body.decisions)) {
    return { ok: false, status: 400, message: `Expected \`decisions\` to be an array of {id, hash, decision, labels}, got ${isObject(body) ? show(body.decisions) : typeName(body)}.`, param: 'decisions' };
  }
  if (body.decisions.length > 10_000) return { ok: false, status: 413, message: `Expected at most 10000 decisions per request, got ${body.decisions.length}.`, param: 'decisions' };
  const out: DecisionInput[] = [];
  for (let i = 0; i < body.decisions.length; i += 1) {
    const d: unknown = body.decisions[i];
    const at = `decisions[${i}]`;
    if (!isObject(d)) return { ok: false, status: 400, message: `Expected ${at} to be an object, got ${typeName(d)}.`, param: at };
    if (typeof d.id !== 'string' || d.id === '') return { ok: false, status: 400, message: `Expected ${at}.id to be the post id, got ${show(d.id)}.`, param: `${at}.id` };
    if (typeof d.hash !== 'string' || !/^[0-9a-z]{1,8}$/.test(d.hash)) return { ok: false, status: 400, message: `Expected ${at}.hash to be the post's text hash (base 36), got ${show(d.hash)}.`, param: `${at}.hash` };
    if (typeof d.decision !== 'string' || !(DECISIONS as readonly string[]).includes(d.decision)) {
      return { ok: false, status: 400, message: `Expected ${at}.decision to be one of ${DECISIONS.join(', ')}, got ${show(d.decision)}.`, param: `${at}.decision` };
    }
    const labels = d.labels ?? [];
    if (!Array.isArray(labels) || !labels.every(isCategory)) return { ok: false, status: 400, message: `Expected ${at}.labels to be a list of categories, got ${show(d.labels)}.`, param: `${at}.labels` };
    const decision = d.decision as DecisionInput['decision'];
    if (decision === 'clean' && labels.length > 0) return { ok: false, status: 400, message: `Expected ${at}.labels to be empty for a clean post, got ${show(labels)}.`, param: `${at}.labels` };
    if ((decision === 'confirmed' || decision === 'relabelled') && labels.length === 0) {
      return { ok: false, status: 400, message: `Expected ${at}.labels to name at least one category for a ${decision} post.`, param: `${at}.labels` };
    }
    if (d.note !== undefined && (typeof d.note !== 'string' || d.note.length > 2000)) return { ok: false, status: 400, message: `Expected ${at}.note to be a string of at most 2000 characters.`, param: `${at}.note` };
    if (d.via !== undefined && d.via !== 'cluster') return { ok: false, status: 400, message: `Expected ${at}.via to be "cluster" or absent, got ${show(d.via)}.`, param: `${at}.via` };
    // Triage sorts: it confirms or clears what qorgau found; changing categories takes a reviewer.
    if (decision === 'relabelled' && reviewer.role === 'triage') {
      return { ok: false, status: 403, message: `${reviewer.name} has the triage role, which confirms or clears; relabelling (${at}) needs the reviewer or admin role.`, param: `${at}.decision` };
    }
    out.push({ postId: d.id, hash: d.hash, decision, labels: [...new Set(labels as Category[])], ...(typeof d.note === 'string' ? { note: d.note } : {}), viaCluster: d.via === 'cluster' });
  }
  return { ok: true, decisions: out };
}

/** The review server: sign-in, the page, and the JSON API it and other clients use. */
export function reviewRoutes(deps: ReviewDeps): Hono<Env> {
  const { store } = deps;
  const app = new Hono<Env>();
  const leaseMs = deps.leaseMinutes * 60_000;

  app.use('*', async (c, next) => {
    const session = getCookie(c, SESSION_COOKIE);
    let reviewer = session ? await store.sessionReviewer(session) : undefined;
    if (!reviewer && (await deps.local())) reviewer = await store.localReviewer();
    c.set('reviewer', reviewer);
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!c.res.headers.has(k)) c.res.headers.set(k, v);
  });

  const needReviewer = (c: Context<Env>): Reviewer | Response => {
    const r = c.get('reviewer');
    return r ?? jsonError(c, 401, 'authentication_error', 'not_signed_in', 'Sign in first: POST /signin with your reviewer token (the page at / does it).');
  };
  const needAdmin = (c: Context<Env>): Reviewer | Response => {
    const r = needReviewer(c);
    if (r instanceof Response) return r;
    return r.role === 'admin' ? r : jsonError(c, 403, 'permission_error', 'admin_only', `${r.name} has the ${r.role} role; this needs an admin.`);
  };

  app.get('/', async (c) => {
    const reviewer = c.get('reviewer');
    if (!reviewer) return c.redirect('/signin', 303);
    const got = await store.cardsFor(reviewer, { cards: deps.cards, overlap: deps.overlap, leaseMs });
    if (!got) return c.html(emptyPage(reviewer));
    return c.html(await reviewPage(store, reviewer, got.run, got.cards, deps.overlap));
  });

  app.get('/signin', async (c) => ((await deps.local()) ? c.redirect('/', 303) : c.html(signInPage())));
  app.post('/signin', csrf(), async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const reviewer = token ? await store.reviewerByToken(token) : undefined;
    if (!reviewer) return c.html(signInPage('That token is not known here. Ask an admin for yours (qorgau serve reviewer add / token).'), 401);
    const session = await store.createSession(reviewer);
    setCookie(c, SESSION_COOKIE, session, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: 7 * 24 * 3600,
    });
    return c.redirect('/', 303);
  });
  app.post('/signout', csrf(), async (c) => {
    const session = getCookie(c, SESSION_COOKIE);
    if (session) await store.endSession(session);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  app.get('/api/me', (c) => {
    const r = needReviewer(c);
    return r instanceof Response ? r : c.json({ name: r.name, role: r.role });
  });

  app.get('/api/cards', async (c) => {
    const r = needReviewer(c);
    if (r instanceof Response) return r;
    const got = await store.cardsFor(r, { cards: deps.cards, overlap: deps.overlap, leaseMs });
    if (!got) return c.json({ run: null, cards: [] });
    const { stats: _stats, ...run } = got.run;
    return c.json({ run, cards: got.cards });
  });

  app.post('/api/decisions', async (c) => {
    const r = needReviewer(c);
    if (r instanceof Response) return r;
    // JSON only: a cross-site form cannot send it, so the session cookie cannot be ridden.
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return jsonError(c, 415, 'invalid_request_error', 'unsupported_media_type', 'Send the decisions as JSON (Content-Type: application/json).');
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch (error) {
      return jsonError(c, 400, 'invalid_request_error', 'bad_json', `Malformed JSON body: ${error instanceof Error ? error.message : String(error)}.`);
    }
    const parsed = parseDecisions(body, r);
    if (!parsed.ok) return jsonError(c, parsed.status, parsed.status === 403 ? 'permission_error' : 'invalid_request_error', parsed.status === 403 ? 'forbidden' : 'bad_request', parsed.message, parsed.param);
    try {
      const recorded = await store.decide(r, parsed.decisions, { leaseMs });
      return c.json({ recorded, reviewer: r.name });
    } catch (error) {
      if (error instanceof QorgauError && error.code === 'bad_record') return jsonError(c, 400, 'invalid_request_error', 'unknown_post', error.message, error.message.split(':')[0]!);
      throw error;
    }
  });

  app.get('/api/export', async (c) => {
    const r = needAdmin(c);
    if (r instanceof Response) return r;
    const { rows, disagreements } = await store.exportCorpus();
    c.header('Content-Type', 'application/x-ndjson; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="qorgau-decisions-${new Date().toISOString().slice(0, 10)}.jsonl"`);
    c.header('X-Qorgau-Disagreements', String(disagreements.length));
    return c.body(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  });

  app.get('/api/agreement', async (c) => {
    const r = needAdmin(c);
    if (r instanceof Response) return r;
    return c.json(agreementReport(await store.currentDecisions()));
  });

  app.get('/api/reviewers', async (c) => {
    const r = needAdmin(c);
    if (r instanceof Response) return r;
    return c.json({ reviewers: await store.listReviewers() });
  });

  return app;
}
