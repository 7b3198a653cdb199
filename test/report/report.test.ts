import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer, type Analyzer } from '../../src/analyzer.js';
import { REPORT_LISTED, readResults, writeReport } from '../../src/report/index.js';
import { highlightHtml, markSegments } from '../../src/report/highlight.js';
import { jsonForScript } from '../../src/report/html.js';
import { dateOf, linkOf } from '../../src/report/render.js';
import { scan } from '../../src/scan.js';
import { CATEGORIES, type Category, type Evidence, type Output, type Result } from '../../src/types.js';
import { collect, streamOf } from '../helpers/collect.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'corpora', 'samples');
const SAMPLE_FILES = ['posts.jsonl', 'comments.csv', 'telegram-export/result.json', 'lines.txt'].map((f) => join(SAMPLES, f));
const AD = '🔥 МАГАЗИН 24/7 🔥 Меф, альфа, шишки в наличии. Ровный клад по Алматы и Астане. Цены от 8000₸. Оператор: @almaty_shop_bot';
// Reposts of the sample shop ad p01 with the edits shops make, and one post that tries to break out of the page.
const EXTRA = [
  { id: 'r1', text: AD.replace('8000', '9000').replace('@almaty_shop_bot', '@almaty_shop2_bot'), channel: 't.me/almaty_shop' },
  { id: 'r2', text: AD.replace('шишки', 'ш.и.ш.к.и').replace('🔥 ', ''), channel: 't.me/almaty_shop_mirror' },
  { id: 'x1', text: 'Меф в наличии, ровный клад </script><script>alert(1)</script> <img src=x onerror=alert(2)> & "кавычки"', channel: 'chat:<b>evil</b>' },
];

class StringSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface PageData {
  categories: string[];
  sources: string[];
  rules: string[];
  clusters: number[][];
  posts: { id: string; html: string; labels: number[]; scores: number[]; cluster: number; clusterId: string; source: number; rules: number[]; link?: string }[];
}

function pageData(html: string): PageData {
  const m = /<script type="application\/json" id="qorgau-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no data block in the page');
  return JSON.parse(m[1]!) as PageData;
}

const unescape = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The text and marks of a post's html, with the offsets where each mark's text sits in the unescaped text. */
function parseMarks(html: string): { text: string; marks: { start: number; end: number; dataStart: number; dataEnd: number; cls: string; text: string }[] } {
  let text = '';
  const marks = [];
  const re = /<mark class="q-(\w+)" data-start="(\d+)" data-end="(\d+)"[^>]*>([^<]*)<\/mark>|([^<]+)/g;
  for (const m of html.matchAll(re)) {
    if (m[5] !== undefined) {
      text += unescape(m[5]);
      continue;
    }
    const inner = unescape(m[4]!);
    marks.push({ start: text.length, end: text.length + inner.length, dataStart: Number(m[2]), dataEnd: Number(m[3]), cls: m[1]!, text: inner });
    text += inner;
  }
  return { text, marks };
}

const quiet = { onNotice: () => {} };
let analyzer: Analyzer;
let page: string;
let results: Result[];
let errorCount: number;

async function runScan(format: 'html' | 'jsonl'): Promise<string> {
  const out = new StringSink();
  await scan({
    ...quiet,
    analyzer,
    inputs: [
      ...SAMPLE_FILES.map((path) => ({ path })),
      { path: 'extra.jsonl', format: 'jsonl' as const, stream: streamOf(EXTRA.map((e) => JSON.stringify(e)).join('\n')) },
    ],
    out,
    format,
    title: 'Samples <review>',
  });
  return out.text;
}

beforeAll(async () => {
  analyzer = await createAnalyzer({ model: false, ...quiet });
  page = await runScan('html');
  const outputs = (await runScan('jsonl'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Output);
  results = outputs.filter((o): o is Result => !('error' in o));
  errorCount = outputs.length - results.length;
});

describe('scan({format: "html"})', () => {
  it('lists every candidate once, in the order and with the counts of the JSONL output', () => {
    const data = pageData(page);
    expect(data.posts.map((p) => p.id)).toEqual(results.map((r) => r.id));
    expect(data.posts.map((p) => p.labels.map((c) => data.categories[c]))).toEqual(results.map((r) => r.labels));
    const total = (k: string): number => Number(new RegExp(`data-total="${k}"><b>([\\d,]+)</b>`).exec(page)![1]!.replace(/,/g, ''));
    expect(total('candidates')).toBe(results.length);
    expect(total('errors')).toBe(errorCount);
    expect(errorCount).toBeGreaterThan(0);
    expect(total('records')).toBe(total('results') + total('errors'));
    for (const c of CATEGORIES) {
      const row = new RegExp(`<tr class="q-${c}" data-category="${c}"><td><span class="swatch"></span>${c}</td><td class="n">(\\d+)</td>`).exec(page);
      expect(Number(row![1]), c).toBe(results.filter((r) => r.labels.includes(c)).length);
    }
  });

  it('marks every evidence span at its offsets in the original text, coloured by category', () => {
    const data = pageData(page);
    let checked = 0;
    for (const r of results) {
      const post = data.posts.find((p) => p.id === r.id)!;
      const { text, marks } = parseMarks(post.html);
      expect(text).toBe(r.text);
      for (const m of marks) {
        expect([m.dataStart, m.dataEnd]).toEqual([m.start, m.end]);
        expect(r.text.slice(m.start, m.end)).toBe(m.text);
      }
      for (const e of r.evidence) {
        // Overlapping evidence splits marks into runs: clipped to this evidence, the runs spell its match.
        const covered = marks.filter((m) => m.start < e.end && m.end > e.start);
        const clipped = covered.map((m) => r.text.slice(Math.max(m.start, e.start), Math.min(m.end, e.end))).join('');
        expect(clipped, `${r.id} ${e.rule}`).toBe(e.match);
        if ((e.weight ?? 0) > 0) expect(covered.every((m) => m.cls !== 'context'), `${r.id} ${e.rule}`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
    const p07 = parseMarks(data.posts.find((p) => p.id === 'p07')!.html);
    expect(p07.marks[0]).toMatchObject({ start: 0, cls: 'cyberbullying' });
    expect(p07.marks.filter((m) => m.end <= 14).map((m) => m.text).join('')).toBe('ты урод' + 'жирный');
  });

  it('groups the reposts of the shop ad into one cluster led by the highest-priority post', () => {
    const data = pageData(page);
    const idx = (id: string): number => data.posts.findIndex((p) => p.id === id);
    const shop = data.posts[idx('p01')]!.cluster;
    expect([idx('r1'), idx('r2')].map((i) => data.posts[i]!.cluster)).toEqual([shop, shop]);
    expect(data.clusters[shop]!.map((i) => data.posts[i]!.id).sort()).toEqual(['p01', 'r1', 'r2']);
    expect(data.clusters.flat().sort((a, b) => a - b)).toEqual(data.posts.map((_, i) => i));
    for (const members of data.clusters) {
      const rep = data.posts[members[0]!]!;
      for (const m of members) expect(data.posts[m]!.clusterId).toBe(rep.id);
    }
    expect(Number(/data-total="clusters"><b>(\d+)<\/b>/.exec(page)![1])).toBe(data.clusters.length);
    // The same grouping as the cluster fields of the JSONL output.
    const byId = new Map(results.map((r) => [r.id, r]));
    expect(byId.get('r2')).toMatchObject({ cluster: data.posts[data.clusters[shop]![0]!]!.id, clusterSize: 3 });
  });

  it('draws a score histogram per category and the top sources', () => {
    expect(page.match(/<svg class="hist q-(\w+)"/g)?.length).toBeGreaterThanOrEqual(2);
    expect(page).toMatch(/<svg class="hist q-drugs" data-category="drugs"[^>]*>.*<rect /);
    expect(page).toMatch(/<table class="top-sources">.*t\.me\/almaty_shop<\/td><td class="n">2<\/td>/s);
  });

  it('is one self-contained file: no external resources and a policy that forbids loading any', () => {
    expect(page).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    expect(page).not.toMatch(/<(?:link|img|iframe)\b|\bsrc=["']?https?:/i);
    expect(page.match(/<script\b/g)).toHaveLength(2);
  });

  it('escapes hostile post text and source names so they stay text', () => {
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b>evil</b>');
    const data = pageData(page);
    const x1 = data.posts.find((p) => p.id === 'x1')!;
    expect(parseMarks(x1.html).text).toBe(EXTRA[2]!.text);
    expect(data.sources[x1.source]).toBe('chat:<b>evil</b>');
  });

  it('rejects --all with the html format, naming the flag', async () => {
    await expect(scan({ ...quiet, analyzer, inputs: [{ path: SAMPLE_FILES[0]! }], out: new StringSink(), format: 'html', all: true })).rejects.toThrow(
      /Drop --all/,
    );
  });
});

describe('writeReport() from a results file', () => {
  it('makes the same queue from `scan` JSONL read back with readResults, and turns bad lines into errors', async () => {
    const jsonl = `${results.map((r) => JSON.stringify(r)).join('\n')}\nnot json\n{"id":"z","text":"x","labels":["nope"],"scores":{}}\n`;
    const read = await collect(readResults({ path: 'results.jsonl', stream: streamOf(jsonl) }));
    expect(read.filter((o) => 'error' in o).map((o) => ('error' in o ? [o.line, o.error.code] : []))).toEqual([
      [results.length + 1, 'bad_json'],
      [results.length + 2, 'bad_record'],
    ]);
    const sink = new StringSink();
    const summary = await writeReport(read, sink, { title: 't' });
    expect(summary).toMatchObject({ candidates: results.length, errors: 2, clusters: pageData(page).clusters.length });
    expect(pageData(sink.text).posts.map((p) => p.html)).toEqual(pageData(page).posts.map((p) => p.html));
  });

  it('keeps only the top N candidates in the queue but counts all of them', async () => {
    const sink = new StringSink();
    const summary = await writeReport(results, sink, { top: 3 });
    expect(summary).toMatchObject({ candidates: results.length, listed: 3 });
    expect(pageData(sink.text).posts.map((p) => p.id)).toEqual(results.slice(0, 3).map((r) => r.id));
    // Clusters are counted over every candidate, and the page says that it lists only some.
    expect(summary.clusters).toBe(pageData(page).clusters.length);
    expect(sink.text).toContain(`data-listed="3"`);
    expect(page).not.toContain('data-listed=');
  });

  it('writes the same page when candidates spill to sorted runs on disk, and leaves nothing behind', async () => {
    const generatedAt = new Date('2026-01-02T03:04:05Z');
    const inMemory = new StringSink();
    await writeReport(results, inMemory, { generatedAt });
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-report-test-'));
    const spilled = new StringSink();
    const seen: string[] = [];
    const summary = await writeReport(
      (async function* () {
        for (const r of results) {
          yield r;
          seen.push(...readdirSync(dir));
        }
      })(),
      spilled,
      { generatedAt, dir, spillChars: 2_000 },
    );
    expect(seen.some((f) => /^run-\d+\.tsv$/.test(f))).toBe(true);
    expect(spilled.text).toBe(inMemory.text);
    expect(summary.listed).toBe(results.length);
    expect(readdirSync(dir)).toEqual([]);
  });

  it(`lists ${REPORT_LISTED.toLocaleString('en')} candidates by default and counts the rest`, async () => {
    const base = results[0]!;
    const many = Array.from({ length: REPORT_LISTED + 50 }, (_, i) => ({ ...base, id: `m${i}`, priority: ((i * 7919) % 1000) / 1000 }));
    const sink = new StringSink();
    const summary = await writeReport(many, sink, { cluster: false });
    expect(summary).toMatchObject({ candidates: REPORT_LISTED + 50, listed: REPORT_LISTED, clusters: REPORT_LISTED + 50 });
    const ids = pageData(sink.text).posts.map((p) => p.id);
    expect(ids).toEqual([...many].sort((a, b) => b.priority - a.priority || Number(a.id.slice(1)) - Number(b.id.slice(1))).slice(0, REPORT_LISTED).map((r) => r.id));
  });
});

describe('markSegments()', () => {
  const ev = (category: Category, rule: string, start: number, end: number, weight = 0.5): Evidence => ({ category, rule, match: '', start, end, weight });

  it.each([
    {
      name: 'splits overlapping spans into runs that list every rule covering them',
      evidence: [ev('drugs', 'a', 0, 10, 0.3), ev('fraud', 'b', 5, 15, 0.6)],
      expected: [
        [0, 5, 'drugs', 'a'],
        [5, 10, 'fraud', 'a b'],
        [10, 15, 'fraud', 'b'],
      ],
    },
    {
      name: 'joins neighbouring runs with the same cover',
      evidence: [ev('drugs', 'a', 0, 4), ev('drugs', 'a', 4, 8)],
      expected: [[0, 8, 'drugs', 'a']],
    },
    {
      name: 'skips spans outside the text or inverted',
      evidence: [ev('drugs', 'a', 18, 40), ev('drugs', 'b', 6, 3), ev('drugs', 'c', 1, 2)],
      expected: [[1, 2, 'drugs', 'c']],
    },
  ])('$name', ({ evidence, expected }) => {
    const segs = markSegments('0123456789abcdefghij', evidence);
    expect(segs.map((s) => [s.start, s.end, s.category, s.rules.join(' ')])).toEqual(expected);
  });

  it('escapes the text around and inside marks', () => {
    expect(highlightHtml('<b>&"меф"', [ev('drugs', 'x', 4, 9)])).toBe(
      '&lt;b&gt;&amp;<mark class="q-drugs" data-start="4" data-end="9" data-categories="drugs" data-rules="x" title="drugs: x">&quot;меф&quot;</mark>',
    );
  });
});

describe('linkOf() and dateOf()', () => {
  it.each([
    [{ url: 'https://t.me/shop/12' }, 'https://t.me/shop/12'],
    [{ url: 'javascript:alert(1)' }, undefined],
    [{ channel: 't.me/almaty_shop', message: 42 }, 'https://t.me/almaty_shop/42'],
    [{ channel: 'Алматы Шоп', message: 42 }, undefined],
  ])('%j → %s', (meta, expected) => {
    expect(linkOf({ meta })).toBe(expected);
  });

  it('takes the first date-like field', () => {
    expect(dateOf({ meta: { created_at: '2026-03-02', date: '2026-01-01' } })).toBe('2026-01-01');
    expect(dateOf({})).toBeUndefined();
  });
});

describe('jsonForScript()', () => {
  it('cannot close the script element it sits in', () => {
    const s = jsonForScript({ t: '</script><!-- \u2028' });
    expect(s).not.toMatch(/<\/|<!--|\u2028/);
    expect(JSON.parse(s)).toEqual({ t: '</script><!-- \u2028' });
  });
});
