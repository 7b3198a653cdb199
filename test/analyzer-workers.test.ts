import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../src/analyzer.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { isErrorRecord, type ErrorRecord, type Post } from '../src/types.js';
import { collect } from './helpers/collect.js';
import { fakeClassifier } from './helpers/fake-classifier.js';

const quiet = { onNotice: () => {} };
const post = (n: number, text: string): Post => ({ id: String(n), text, meta: n % 3 === 0 ? { n } : {}, source: 't', line: n });
const bad = (n: number): ErrorRecord => ({ source: 't', line: n, error: { code: 'bad_json', message: `line ${n}` } });

const TEXTS = [
  'Ровный   ЗА\u200BКЛАДКИ по городу, оператор @shop_bot',
  'привет, как дела?',
  'Лучшее казино, бонус 500% по ссылке t.me/win_bot',
  'убей себя, никто тебя не любит',
  'обычный пост про погоду',
  'Есірткі сатамыз, жазыңыз +7 701 123 45 67',
];

// Posts with error records between them, including a run of errors longer than a batch.
function mixedInput(): (Post | ErrorRecord)[] {
  const out: (Post | ErrorRecord)[] = [];
  for (let n = 1; n <= 60; n += 1) out.push(n % 7 === 0 || (n >= 30 && n < 36) ? bad(n) : post(n, TEXTS[n % TEXTS.length]!));
  return out;
}

describe('createAnalyzer({ workers })', () => {
  it('gives the same outputs as the in-process path, in input order', async () => {
    const input = mixedInput();
    const single = await createAnalyzer({ model: false, batchSize: 4, keepComponents: true, ...quiet });
    const pooled = await createAnalyzer({ model: false, batchSize: 4, keepComponents: true, workers: 2, ...quiet });
    try {
      const expected = await collect(single.analyzeStream(input));
      const got = await collect(pooled.analyzeStream(input));
      expect(got).toEqual(expected);
      expect(got.filter((o) => !isErrorRecord(o) && o.labels.length > 0).length).toBeGreaterThan(0);
      expect(pooled.info).toEqual(single.info);
      expect(await pooled.analyze(TEXTS[0]!)).toEqual(await single.analyze(TEXTS[0]!));
    } finally {
      await single.close();
      await pooled.close();
    }
  });

  it('passes each notice from the workers on once', async () => {
    const notices: string[] = [];
    const pooled = await createAnalyzer({ model: false, workers: 3, onNotice: (m) => notices.push(m) });
    await pooled.close();
    expect(notices).toEqual(['no model loaded: running rules-only (scores come from keyword rules alone).']);
  });

  it('turns a post that cannot be sent to a worker into a scoring_failed record, scores the rest of its batch and goes on', async () => {
    const pooled = await createAnalyzer({ model: false, batchSize: 2, workers: 2, ...quiet });
    try {
      const uncopyable: Post = { id: 'f', text: 'привет', meta: { fn: () => 1 } };
      const input = [post(1, 'a'), uncopyable, bad(3), post(4, 'b'), post(5, 'c')];
      const out = await collect(pooled.analyzeStream(input));
      expect(out.map((o) => (isErrorRecord(o) ? o.error.code : o.id))).toEqual(['1', 'scoring_failed', 'bad_json', '4', '5']);
      expect((out[1] as ErrorRecord).id).toBe('f');
    } finally {
      await pooled.close();
    }
  });

  it.each([
    [{ workers: 0 }, 'Expected `workers` to be an integer from 1 to 64, got `0`.'],
    [{ workers: 65 }, 'Expected `workers` to be an integer from 1 to 64, got `65`.'],
    [{ workers: 1.5 }, 'Expected `workers` to be an integer from 1 to 64, got `1.5`.'],
    [{ workers: '2' }, 'Expected `workers` to be an integer from 1 to 64, got `2`.'],
    [{ workers: 2, classifier: fakeClassifier({}) }, 'Expected `classifier` to be unset with `workers` above 1'],
  ])('rejects %j', async (options, message) => {
    await expect(createAnalyzer({ model: false, ...quiet, ...(options as object) })).rejects.toMatchObject({ code: 'bad_options', message: expect.stringContaining(message) });
  });

  it('passes a worker that cannot load its rules on as the same error', async () => {
    await expect(createAnalyzer({ model: false, rules: ['/nonexistent/qorgau-rules'], workers: 2, ...quiet })).rejects.toMatchObject({ code: 'bad_rules' });
  });

  it('lets the process exit after close()', () => {
    const script = `
      import { createAnalyzer } from '${pathToFileURL(join(PACKAGE_ROOT, 'dist', 'index.js')).href}';
      const a = await createAnalyzer({ model: false, workers: 2, onNotice() {} });
      let n = 0;
      for await (const _ of a.analyzeStream([{ id: '1', text: 'закладки', meta: {} }, { id: '2', text: 'привет', meta: {} }])) n += 1;
      await a.close();
      console.log(n);
    `;
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-workers-'));
    writeFileSync(join(dir, 'close.mjs'), script);
    const child = spawnSync(process.execPath, [join(dir, 'close.mjs')], { encoding: 'utf8', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(child.signal).toBeNull(); // not killed by the timeout: nothing kept the event loop alive
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('2');
  });
});
