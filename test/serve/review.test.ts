import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServeApp, type ServeApp } from '../../src/serve/server.js';
import { textHash } from '../../src/serve/store/index.js';
import type { Output } from '../../src/types.js';
import { backends, result } from './backends.js';

const quiet = { onNotice: () => {} };

function queue(): Output[] {
  return [
    result('a1', 'меф клад алматы <b>1</b>', ['drugs'], 0.95, { cluster: 'a1', size: 2 }),
    result('a2', 'меф клад алматы 2', ['drugs'], 0.9, { cluster: 'a1', size: 2 }),
    result('b1', 'казино бонус 1', ['gambling'], 0.8, { cluster: 'b1', size: 1 }),
    result('c1', 'ставки 1xbet промокод', ['gambling'], 0.7, { cluster: 'c1', size: 1 }),
    result('d1', 'карта займ под залог', ['fraud'], 0.6, { cluster: 'd1', size: 1 }),
  ];
}

/** The JSON a served page embeds for its scripts. */
function pageData(html: string): { data: { posts: { id: string; hash: string }[] }; served: { reviewer: { name: string; role: string }; decisions: Record<string, unknown[]>; others: Record<string, unknown[][]>; canExport: boolean } } {
  const data = /<script type="application\/json" id="qorgau-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  const served = /<script type="application\/json" id="qorgau-served">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!data || !served) throw new Error('not a served review page');
  return { data: JSON.parse(data), served: JSON.parse(served) };
}

for (const backend of backends()) {
  describe.skipIf(backend.skip !== undefined)(`the review server on ${backend.name}`, () => {
    beforeAll(async () => {
      await backend.start();
    }, 120_000);
    afterAll(async () => {
      await backend.stop();
    });

    async function server(options: { overlap?: number; cards?: number } = {}): Promise<{ served: ServeApp; tokens: Record<string, string>; location: string }> {
      const location = await backend.fresh();
      const served = await createServeApp({ model: false, db: location, cards: options.cards ?? 2, overlap: options.overlap ?? 1, ...quiet });
      const store = served.store!;
      await store.importResults(queue(), { source: 'results.jsonl' });
      const tokens: Record<string, string> = {};
      for (const [name, role] of [['alice', 'reviewer'], ['bob', 'reviewer'], ['tess', 'triage'], ['adam', 'admin']] as const) tokens[name] = (await store.addReviewer(name, role)).token;
      return { served, tokens, location };
    }

    async function signIn(served: ServeApp, token: string): Promise<string> {
      const res = await served.app.request('/signin', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
        body: new URLSearchParams({ token }).toString(),
      });
      expect(res.status).toBe(303);
      const cookie = res.headers.get('set-cookie')!;
      return cookie.split(';')[0]!;
    }

    const decide = (served: ServeApp, cookie: string, decisions: unknown, type = 'application/json'): Promise<Response> =>
      Promise.resolve(served.app.request('/api/decisions', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': type }, body: JSON.stringify({ decisions }) }));

    it('signs a reviewer in with a token into an HttpOnly, SameSite=Strict cookie, and out again', async () => {
      const { served, tokens } = await server();
      try {
        const anon = await served.app.request('/');
        expect(anon.status).toBe(303);
        expect(anon.headers.get('location')).toBe('/signin');
        const form = await (await served.app.request('/signin')).text();
        expect(form).toContain('<form class="signin panel" method="post" action="/signin">');
        const wrong = await served.app.request('/signin', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' }, body: 'token=nope' });
        expect(wrong.status).toBe(401);
        expect(await wrong.text()).toContain('That token is not known here');
        const crossSite = await served.app.request('/signin', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
          body: new URLSearchParams({ token: tokens.alice! }).toString(),
        });
        expect(crossSite.status).toBe(403);
        const res = await served.app.request('/signin', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
          body: new URLSearchParams({ token: tokens.alice! }).toString(),
        });
        const setCookie = res.headers.get('set-cookie')!;
        expect(setCookie).toMatch(/^qorgau_session=[\w-]{20,};/);
        expect(setCookie).toMatch(/HttpOnly/);
        expect(setCookie).toMatch(/SameSite=Strict/);
        const cookie = setCookie.split(';')[0]!;
        expect(await (await served.app.request('/api/me', { headers: { Cookie: cookie } })).json()).toEqual({ name: 'alice', role: 'reviewer' });
        expect((await served.app.request('/signout', { method: 'POST', headers: { Cookie: cookie, Origin: 'http://localhost' } })).status).toBe(200);
        expect((await served.app.request('/api/me', { headers: { Cookie: cookie } })).status).toBe(401);
      } finally {
        await served.close();
      }
    });

    it('serves each reviewer their own cards on the page, with connect-src allowed for the API', async () => {
      const { served, tokens } = await server();
      try {
        const alice = await signIn(served, tokens.alice!);
        const bob = await signIn(served, tokens.bob!);
        const page = await served.app.request('/', { headers: { Cookie: alice } });
        expect(page.status).toBe(200);
        expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        const html = await page.text();
        expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="[^"]*connect-src 'self'[^"]*">/);
        // Post text stays escaped in the served page as in the file one.
        expect(html).not.toContain('<b>1</b>');
        const a = pageData(html);
        const b = pageData(await (await served.app.request('/', { headers: { Cookie: bob } })).text());
        expect(a.served.reviewer).toEqual({ name: 'alice', role: 'reviewer' });
        expect(a.served.canExport).toBe(false);
        expect(a.data.posts.map((p) => p.id)).toEqual(['a1', 'a2', 'b1']);
        expect(b.data.posts.map((p) => p.id)).toEqual(['c1', 'd1']);
        expect(a.data.posts[0]!.hash).toBe(textHash('меф клад алматы <b>1</b>'));
      } finally {
        await served.close();
      }
    });

    it.each([
      ['no decisions array', 400, 'decisions', { nope: 1 }, /Expected `decisions` to be an array/],
      ['an unknown decision', 400, 'decisions[0].decision', [{ id: 'a1', hash: 'x1', decision: 'maybe', labels: [] }], /one of confirmed, relabelled, clean, undo, got "maybe"/],
      ['a label that is no category', 400, 'decisions[0].labels', [{ id: 'a1', hash: 'x1', decision: 'relabelled', labels: ['spam'] }], /a list of categories/],
      ['labels on a clean post', 400, 'decisions[0].labels', [{ id: 'a1', hash: 'x1', decision: 'clean', labels: ['drugs'] }], /empty for a clean post/],
      ['a confirmation without labels', 400, 'decisions[0].labels', [{ id: 'a1', hash: 'x1', decision: 'confirmed', labels: [] }], /at least one category/],
      ['a bad hash', 400, 'decisions[0].hash', [{ id: 'a1', hash: 'NOT A HASH', decision: 'clean' }], /text hash/],
      ['a post never imported', 400, 'decisions[0]', [{ id: 'zz', hash: 'abc', decision: 'clean', labels: [] }], /no imported post has id "zz"/],
    ])('answers %s with %i naming %s', async (_what, status, param, decisions, message) => {
      const { served, tokens } = await server();
      try {
        const res = await decide(served, await signIn(served, tokens.alice!), decisions);
        expect(res.status).toBe(status);
        const err = ((await res.json()) as { error: { param: string; message: string } }).error;
        expect(err.param).toBe(param);
        expect(err.message).toMatch(message);
      } finally {
        await served.close();
      }
    });

    it('takes decisions only as JSON from a signed-in reviewer, relabelling only from reviewers and admins', async () => {
      const { served, tokens } = await server();
      try {
        const hash = textHash('казино бонус 1');
        const d = [{ id: 'b1', hash, decision: 'relabelled', labels: ['fraud'] }];
        expect((await decide(served, '', d)).status).toBe(401);
        const tess = await signIn(served, tokens.tess!);
        expect((await decide(served, tess, d, 'text/plain')).status).toBe(415);
        const triage = await decide(served, tess, d);
        expect(triage.status).toBe(403);
        expect(((await triage.json()) as { error: { message: string } }).error.message).toMatch(/tess has the triage role/);
        expect((await decide(served, tess, [{ id: 'b1', hash, decision: 'confirmed', labels: ['gambling'] }])).status).toBe(200);
        expect((await decide(served, await signIn(served, tokens.alice!), d)).status).toBe(200);
        expect((await served.store!.currentDecisions()).map((x) => [x.reviewer, x.decision, x.labels])).toEqual([
          ['tess', 'confirmed', ['gambling']],
          ['alice', 'relabelled', ['fraud']],
        ]);
      } finally {
        await served.close();
      }
    });

    it('shows a reviewer their decisions after a reload, and with overlap 2 who else decided, once they have', async () => {
      const { served, tokens } = await server({ overlap: 2 });
      try {
        const alice = await signIn(served, tokens.alice!);
        const bob = await signIn(served, tokens.bob!);
        const a1 = textHash('меф клад алматы <b>1</b>');
        expect((await decide(served, alice, [{ id: 'a1', hash: a1, decision: 'confirmed', labels: ['drugs'] }])).status).toBe(200);
        const again = pageData(await (await served.app.request('/', { headers: { Cookie: alice } })).text());
        expect(again.served.decisions[`a1|${a1}`]).toEqual(['confirmed', ['drugs'], expect.any(Number)]);
        const bobs = pageData(await (await served.app.request('/', { headers: { Cookie: bob } })).text());
        // Same cards as alice (overlap 2); alice's decision is there for the page to show once bob decides.
        expect(bobs.data.posts.map((p) => p.id)).toEqual(['a1', 'a2', 'b1']);
        expect(bobs.served.others[`a1|${a1}`]).toEqual([['alice', 'confirmed', ['drugs'], expect.any(Number), 0]]);
        expect(bobs.served.decisions).toEqual({});
        // A third reviewer gets the cards nobody holds twice.
        const tess = pageData(await (await served.app.request('/', { headers: { Cookie: await signIn(served, tokens.tess!) } })).text());
        expect(tess.data.posts.map((p) => p.id)).toEqual(['c1', 'd1']);
      } finally {
        await served.close();
      }
    });

    it('exports the corpus and the agreement report to admins only', async () => {
      const { served, tokens } = await server({ overlap: 2 });
      try {
        const alice = await signIn(served, tokens.alice!);
        const bob = await signIn(served, tokens.bob!);
        const adam = await signIn(served, tokens.adam!);
        const b1 = textHash('казино бонус 1');
        const a1 = textHash('меф клад алматы <b>1</b>');
        await decide(served, alice, [{ id: 'a1', hash: a1, decision: 'confirmed', labels: ['drugs'] }, { id: 'b1', hash: b1, decision: 'clean', labels: [] }]);
        await decide(served, bob, [{ id: 'a1', hash: a1, decision: 'confirmed', labels: ['drugs'] }, { id: 'b1', hash: b1, decision: 'relabelled', labels: ['fraud'] }]);
        expect((await served.app.request('/api/export', { headers: { Cookie: alice } })).status).toBe(403);
        const res = await served.app.request('/api/export', { headers: { Cookie: adam } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="qorgau-decisions-\d{4}-\d\d-\d\d\.jsonl"/);
        expect(res.headers.get('x-qorgau-disagreements')).toBe('1');
        const rows = (await res.text())
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(rows).toEqual([
          {
            id: 'a1',
            lang: 'ru',
            labels: ['drugs'],
            text: 'меф клад алматы <b>1</b>',
            source: 'posts.jsonl',
            reviewed: true,
            decision: 'confirmed',
            predicted: ['drugs'],
            cluster: 'a1',
            reviewedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
            reviewers: ['alice', 'bob'],
          },
        ]);
        const agreement = (await (await served.app.request('/api/agreement', { headers: { Cookie: adam } })).json()) as { items: number; exact: number; pairs: unknown[] };
        expect(agreement).toMatchObject({ items: 2, exact: 0.5, pairs: [{ a: 'alice', b: 'bob', items: 2, exact: 0.5 }] });
      } finally {
        await served.close();
      }
    });

    it('records decisions as "local" on a loopback server without reviewers, until one is added', async () => {
      const location = await backend.fresh();
      const served = await createServeApp({ model: false, db: location, ...quiet });
      try {
        await served.store!.importResults(queue(), { source: 'r' });
        const page = await served.app.request('/');
        expect(page.status).toBe(200);
        expect(pageData(await page.text()).served.reviewer).toEqual({ name: 'local', role: 'admin' });
        expect((await served.app.request('/signin')).status).toBe(303);
        expect((await decide(served, '', [{ id: 'c1', hash: textHash('ставки 1xbet промокод'), decision: 'clean', labels: [] }])).status).toBe(200);
        expect((await served.store!.currentDecisions()).map((d) => d.reviewer)).toEqual(['local']);
        await served.store!.addReviewer('alice', 'reviewer');
        expect((await served.app.request('/')).status).toBe(303);
      } finally {
        await served.close();
      }
    });

    it('listens off the loopback once reviewers exist, taking their tokens as bearer tokens for /v1', async () => {
      const { served: setup, tokens, location } = await server();
      await setup.close();
      const served = await createServeApp({ model: false, db: location, host: '0.0.0.0', ...quiet });
      try {
        const score = (auth?: string): Promise<Response> =>
          Promise.resolve(served.app.request('/v1/score', { method: 'POST', headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) }, body: '{"posts": []}' }));
        expect((await score()).status).toBe(401);
        expect((await score(`Bearer ${tokens.bob}`)).status).toBe(200);
        // No implicit "local" reviewer off the loopback.
        expect((await served.app.request('/')).status).toBe(303);
      } finally {
        await served.close();
      }
      const empty = await backend.fresh();
      await expect(createServeApp({ model: false, db: empty, host: '0.0.0.0', ...quiet })).rejects.toThrow(/or add reviewers \(qorgau serve reviewer add NAME --db …\)/);
    });
  });
}
