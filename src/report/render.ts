import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { fnv1a } from '../cluster/minhash.js';
import { writeChunk } from '../output/index.js';
import { CATEGORIES, type Category, type Result } from '../types.js';
import { reviewApp } from './client.js';
import { highlightHtml } from './highlight.js';
import { html, jsonForScript, rawHtml, safeHttpUrl, type SafeHtml } from './html.js';
import { HISTOGRAM_BINS, sourceOf, type ReportStats } from './stats.js';
import { STYLE } from './style.js';

export interface ReportMeta {
  readonly title: string;
  readonly generatedAt: Date;
  /** Model name, null for rules-only, undefined when unknown (a report from a results file). */
  readonly model?: string | null;
  readonly inputs?: readonly string[];
  /** Set by `qorgau serve`: data for its script, and that script, run before the review app (src/serve/client.ts). */
  readonly served?: { readonly data: unknown; readonly script: string };
}

/** A candidate as the page's script receives it (see `reviewApp`). */
export interface ClientPost {
  readonly id: string;
  readonly html: string;
  readonly lang: string;
  readonly labels: number[];
  readonly scores: number[];
  readonly priority: number;
  readonly source: number;
  readonly file?: string;
  readonly line?: number;
  readonly date?: string;
  readonly link?: string;
  readonly contacts: [string, string][];
  readonly rules: number[];
  readonly cluster: number;
  readonly clusterId: string;
  /** FNV-1a of the text, base 36: with the id, the key under which the browser keeps the decision. */
  readonly hash: string;
}

/** Candidates in review order, grouped: `clusters[k]` lists indices into `posts`, representative first. */
export interface ReportQueue {
  readonly posts: readonly Result[];
  readonly clusters: readonly (readonly number[])[];
  /** For each post, the index of its cluster in `clusters`. */
  readonly clusterOf: readonly number[];
  /** Clusters among all candidates, listed or not. Default: `clusters.length`. */
  readonly totalClusters?: number;
}

const LINK_KEYS = ['url', 'link', 'permalink', 'post_url'] as const;
const DATE_KEYS = ['date', 'created_at', 'published', 'time', 'timestamp'] as const;

/** The post's own address when the input gives one, or a t.me link built from a public channel and message id. */
export function linkOf(r: Pick<Result, 'meta'>): string | undefined {
  for (const key of LINK_KEYS) {
    const url = safeHttpUrl(r.meta?.[key]);
    if (url) return url;
  }
  const channel = r.meta?.channel;
  const message = r.meta?.message;
  if (typeof channel === 'string' && (typeof message === 'number' || (typeof message === 'string' && /^\d+$/.test(message)))) {
    const m = /^(?:https?:\/\/)?t\.me\/([A-Za-z0-9_]{4,64})\/?$/.exec(channel.trim());
    if (m) return `https://t.me/${m[1]}/${message}`;
  }
  return undefined;
}

export function dateOf(r: Pick<Result, 'meta'>): string | undefined {
  for (const key of DATE_KEYS) {
    const v = r.meta?.[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim().slice(0, 40);
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

class Interner {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(value);
      this.index.set(value, i);
    }
    return i;
  }
}

function histogramSvg(category: Category, bins: readonly number[]): SafeHtml {
  const w = 200;
  const h = 44;
  const max = Math.max(...bins);
  if (max === 0) return html`<span class="muted">no scores above 0</span>`;
  const bw = w / HISTOGRAM_BINS;
  const bars = bins.map((n, i) => {
    if (n === 0) return '';
    const bh = Math.max(1, Math.round((n / max) * (h - 2)));
    const lo = (i / HISTOGRAM_BINS).toFixed(2);
    const hi = ((i + 1) / HISTOGRAM_BINS).toFixed(2);
    return html`<rect x="${(i * bw + 0.5).toFixed(1)}" y="${h - bh}" width="${(bw - 1).toFixed(1)}" height="${bh}"><title>${lo}–${hi}: ${n}</title></rect>`;
  });
  return html`<svg class="hist q-${category}" data-category="${category}" width="${w}" height="${h + 11}" viewBox="0 0 ${w} ${h + 11}" role="img" aria-label="${category} scores">${bars}<line x1="0" y1="${h}" x2="${w}" y2="${h}" stroke="#ccd"/><text x="0" y="${h + 10}">0</text><text x="${w / 2 - 6}" y="${h + 10}">0.5</text><text x="${w - 6}" y="${h + 10}">1</text></svg>`;
}

const fmt = (n: number): string => (typeof n === 'number' ? n.toLocaleString('en') : String(n));

function summaryHtml(stats: ReportStats, queue: ReportQueue, meta: ReportMeta): SafeHtml {
  const totals = [
    ['records', stats.records, 'records read'],
    ['results', stats.results, 'posts scored'],
    ['candidates', stats.candidates, 'candidates'],
    ['clusters', queue.totalClusters ?? queue.clusters.length, 'clusters (unique ads)'],
    ['errors', stats.errors, 'errors'],
  ] as const;
  const cats = CATEGORIES.map(
    (c) => html`<tr class="q-${c}" data-category="${c}"><td><span class="swatch"></span>${c}</td><td class="n">${fmt(stats.perCategory[c])}</td><td>${histogramSvg(c, stats.histograms[c])}</td></tr>`,
  );
  const langs = Object.entries(stats.perLanguage)
    .sort((a, b) => b[1] - a[1])
    .map(([l, n]) => html`<tr data-lang="${l}"><td>${l}</td><td class="n">${fmt(n)}</td></tr>`);
  const top = [...stats.sources.entries()]
    .filter(([, s]) => s.flagged > 0)
    .sort((a, b) => b[1].flagged - a[1].flagged || b[1].posts - a[1].posts)
    .slice(0, 10)
    .map(([name, s]) => html`<tr><td>${name}</td><td class="n">${fmt(s.flagged)}</td><td class="n">${fmt(s.posts)}</td></tr>`);
  const codes = Object.entries(stats.errorsByCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => html`<tr data-code="${code}"><td>${code}</td><td class="n">${fmt(n)}</td></tr>`);
  const samples = stats.errorSamples.map(
    (e) => html`<tr><td>${e.source}</td><td class="n">${e.line}</td><td>${e.id ?? ''}</td><td>${e.error.code}</td><td>${e.error.message}</td></tr>`,
  );
  const more = stats.errors > stats.errorSamples.length ? html`<p class="muted">The first ${stats.errorSamples.length} of ${fmt(stats.errors)} are listed.</p>` : '';
  const listed =
    queue.posts.length < stats.candidates
      ? html`<p class="muted" data-listed="${queue.posts.length}">The queue lists the ${fmt(queue.posts.length)} highest-priority of ${fmt(stats.candidates)} candidates (<code>--top N</code> lists more); the JSONL output of <code>qorgau scan</code> has every one.</p>`
      : '';
  const scored = meta.model === undefined ? '' : html`<p class="muted">Scored ${meta.model ? html`with model ${meta.model} and rules` : 'with rules only (no model)'}.</p>`;
  return html`<section class="summary">
<div class="panel"><h2>Summary</h2><div class="totals">${totals.map(([k, n, label]) => html`<div data-total="${k}"><b>${fmt(n)}</b><span>${label}</span></div>`)}</div>
${listed}
<table class="per-category"><thead><tr><th>category</th><th class="n">candidates</th><th>scores of all scored posts (20 bins over 0–1, zeros left out)</th></tr></thead><tbody>${cats}</tbody></table></div>
<div class="panel"><h2>Languages (candidates)</h2><table class="per-language"><tbody>${langs.length ? langs : html`<tr><td>none</td></tr>`}</tbody></table>
<h2 class="gap">Top sources by flagged posts</h2><table class="top-sources"><thead><tr><th>channel / source</th><th class="n">flagged</th><th class="n">posts</th></tr></thead><tbody>${top.length ? top : html`<tr><td colspan="3">none</td></tr>`}</tbody></table>
<h2 class="gap">Errors</h2><table class="errors"><tbody>${codes.length ? codes : html`<tr><td>none</td></tr>`}</tbody></table>
${samples.length ? html`<details><summary>error records</summary><table class="error-records"><thead><tr><th>source</th><th class="n">line</th><th>id</th><th>code</th><th>message</th></tr></thead><tbody>${samples}</tbody></table>${more}</details>` : ''}
${scored}</div>
</section>`;
}

function filtersHtml(stats: ReportStats, sources: readonly string[], flaggedBySource: readonly number[]): SafeHtml {
  const cats = CATEGORIES.map((c) => html`<option value="${c}">${c} (${fmt(stats.perCategory[c])})</option>`);
  const langs = Object.keys(stats.perLanguage)
    .sort()
    .map((l) => html`<option value="${l}">${l}</option>`);
  const order = sources.map((_, i) => i).sort((a, b) => flaggedBySource[b]! - flaggedBySource[a]! || sources[a]!.localeCompare(sources[b]!));
  const srcs = order.map((i) => html`<option value="${i}">${sources[i]!} (${fmt(flaggedBySource[i]!)})</option>`);
  return html`<form class="filters" id="filters" autocomplete="off">
<label>category<select id="f-category"><option value="">all</option>${cats}</select></label>
<label>language<select id="f-lang"><option value="">all</option>${langs}</select></label>
<label>score from<input id="f-min" type="number" min="0" max="1" step="0.05" placeholder="0"></label>
<label>to<input id="f-max" type="number" min="0" max="1" step="0.05" placeholder="1"></label>
<label>channel / source<select id="f-source"><option value="">all</option>${srcs}</select></label>
<label>search<input id="f-search" type="search" placeholder="text, id, contact"></label>
<label>status<select id="f-status"><option value="">all</option><option value="open">not decided</option><option value="done">decided</option></select></label>
</form>
<div class="toolbar"><span id="shown"></span><span id="decided-count"></span><span id="notice"></span><span class="spacer"></span>
<button type="button" id="export" class="primary">Export decisions (JSONL)</button><button type="button" id="clear">Clear decisions</button></div>`;
}

/** The page's own script; a served page puts its connection script before it. */
const SCRIPT = `(${reviewApp.toString()})();`;
const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const STYLE_HASH = sha256(STYLE);

/**
 * No network (default-src 'none'; a served page may talk to its own server only), only the page's own script
 * and style by hash (an injected <script> or inline handler does not run), no <base> to re-point links, no form
 * submission anywhere. Set in a meta tag, since the page is a file.
 */
export function reportCsp(script: string, connectSelf: boolean): string {
  return `default-src 'none'; script-src ${sha256(script)}; style-src ${STYLE_HASH}; img-src data:${connectSelf ? "; connect-src 'self'" : ''}; base-uri 'none'; form-action 'none'`;
}

/** The policy of a page written to a file. */
export const REPORT_CSP = reportCsp(SCRIPT, false);

/**
 * Writes the review page: one self-contained HTML file (inline CSS, inline script, data as JSON, no network).
 * Post data is written one post at a time, so the page is never held in memory as one string.
 */
export async function renderReport(sink: Writable, stats: ReportStats, queue: ReportQueue, meta: ReportMeta): Promise<void> {
  const sources = new Interner();
  const rules = new Interner();
  const clientPosts: ClientPost[] = [];
  for (let i = 0; i < queue.posts.length; i += 1) {
    const r = queue.posts[i]!;
    const date = dateOf(r);
    const link = linkOf(r);
    const k = queue.clusterOf[i]!;
    clientPosts.push({
      id: r.id,
      html: '',
      lang: r.lang,
      labels: r.labels.map((c) => CATEGORIES.indexOf(c)),
      scores: CATEGORIES.map((c) => round3(r.scores[c] ?? 0)),
      priority: round3(r.priority),
      source: sources.of(sourceOf(r)),
      ...(r.source !== undefined ? { file: r.source } : {}),
      ...(r.line !== undefined ? { line: r.line } : {}),
      ...(date ? { date } : {}),
      ...(link ? { link } : {}),
      contacts: r.contacts.map((c) => [c.type, c.value]),
      rules: [...new Set(r.evidence.map((e) => e.rule))].map((id) => rules.of(id)),
      cluster: k,
      clusterId: queue.posts[queue.clusters[k]![0]!]!.id,
      hash: fnv1a(r.text).toString(36),
    });
  }
  const flaggedBySource = sources.list.map((s) => stats.sources.get(s)?.flagged ?? 0);
  const script = `${meta.served?.script ?? ''}${SCRIPT}`;
  const inputs = meta.inputs?.length ? ` · ${meta.inputs.join(', ')}` : '';
  const generated = meta.generatedAt.toISOString().replace('T', ' ').slice(0, 16);
  const head = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${rawHtml(reportCsp(script, meta.served !== undefined))}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="qorgau">
<title>${meta.title}</title>
<style>${rawHtml(STYLE)}</style></head>
<body>
<header class="top"><h1>${meta.title}</h1><p>generated ${generated} UTC${inputs}</p></header>
<main>
${summaryHtml(stats, queue, meta)}
<section class="queue">
${filtersHtml(stats, sources.list, flaggedBySource)}
<noscript><p class="empty">The review queue needs JavaScript; the summary above does not.</p></noscript>
<div id="list"></div>
<nav class="pager" id="pager"></nav>
</section>
</main>
`;
  await writeChunk(
    sink,
    `${head.html}<script type="application/json" id="qorgau-data">{"version":1,"categories":${jsonForScript(CATEGORIES)},"sources":${jsonForScript(sources.list)},"rules":${jsonForScript(rules.list)},"clusters":${jsonForScript(queue.clusters)},"posts":[`,
  );
  for (let i = 0; i < clientPosts.length; i += 1) {
    const r = queue.posts[i]!;
    const post = { ...clientPosts[i]!, html: highlightHtml(r.text, r.evidence) };
    await writeChunk(sink, `${i > 0 ? ',\n' : '\n'}${jsonForScript(post)}`);
  }
  const served = meta.served ? `<script type="application/json" id="qorgau-served">${jsonForScript(meta.served.data)}</script>\n` : '';
  await writeChunk(sink, `]}</script>\n${served}<script>${script}</script>\n</body></html>\n`);
}
