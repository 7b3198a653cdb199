import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInput } from '../ingest/readers.js';
import { detectLanguage, plainKazakh } from '../lang/index.js';
import { normalize } from '../normalize/index.js';
import type { Language } from '../types.js';

/**
 * `npm run eval:lang [file.jsonl]`: accuracy of detectLanguage() on a labelled set (default
 * corpora/lang/posts.jsonl: {"text", "lang", "script"} per line), per language, per length band and per
 * script, on the normalized text as the analyzer sees it.
 * `npm run eval:lang -- --kaznerd <IOB2 file> --telegram-news <folder of *_messages.json> [--limit n]`: the same
 * on public text that the word lists were not written from: Kazakh TV-news sentences (as written and typed
 * without Kazakh letters) and Russian Telegram news posts.
 * `npm run eval:lang -- --csv <file> --text-field <f> --lang-field <f> [--limit n]`: any CSV or JSONL with a
 * text and a language column (ru, kk, mixed, other).
 */

interface Row {
  readonly text: string;
  readonly lang: Language;
  readonly script?: string;
}

function band(text: string): string {
  return text.length < 40 ? '< 40 chars' : text.length < 100 ? '40-99 chars' : '>= 100 chars';
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** Every k-th item, so that a limit samples the whole file. */
function spread<T>(items: readonly T[], limit: number): T[] {
  const step = Math.max(1, Math.floor(items.length / limit));
  return items.filter((_, i) => i % step === 0).slice(0, limit);
}

function kaznerd(path: string, limit: number): Row[] {
  const sentences = readFileSync(path, 'utf8')
    .split(/\n\s*\n/)
    .map((block) => block.split('\n').map((l) => l.split(' ')[0] ?? '').join(' ').replace(/ ([.,!?:;)])/g, '$1').trim())
    .filter((t) => /\p{L}/u.test(t));
  return spread(sentences, limit).flatMap((text) => [
    { text, lang: 'kk' as Language, script: 'cyrillic' },
    { text: plainKazakh(text.toLowerCase()), lang: 'kk' as Language, script: 'cyrillic-plain' },
  ]);
}

function telegramNews(dir: string, limit: number): Row[] {
  const texts: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const messages = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Array<{ text?: unknown }>;
    for (const m of messages) if (typeof m.text === 'string' && /\p{L}{3}/u.test(m.text)) texts.push(m.text.replace(/\*\*/g, '').slice(0, 1000));
  }
  return spread(texts, limit).map((text) => ({ text, lang: 'ru' as Language, script: 'cyrillic' }));
}

async function table(path: string, textField: string, langField: string, limit: number): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const record of readInput({ path, textField })) {
    if ('error' in record) continue;
    const lang = record.meta[langField];
    if (lang === 'ru' || lang === 'kk' || lang === 'mixed' || lang === 'other') rows.push({ text: record.text, lang, script: `${langField}=${lang}` });
  }
  return spread(rows, limit);
}

async function loadRows(): Promise<{ name: string; rows: Row[] }> {
  const limit = Number(flag('--limit') ?? 1000);
  const csv = flag('--csv');
  if (csv) return { name: csv, rows: await table(csv, flag('--text-field') ?? 'text', flag('--lang-field') ?? 'lang', limit) };
  const ner = flag('--kaznerd');
  const news = flag('--telegram-news');
  if (ner || news) {
    return { name: [ner, news].filter(Boolean).join(' + '), rows: [...(ner ? kaznerd(ner, limit) : []), ...(news ? telegramNews(news, limit) : [])] };
  }
  const file = process.argv[2] ?? 'corpora/lang/posts.jsonl';
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
  return { name: file, rows };
}

async function main(): Promise<void> {
  const { name: file, rows } = await loadRows();
  const quiet = process.argv.includes('--quiet');
  const groups = new Map<string, { n: number; ok: number }>();
  const errors: string[] = [];
  const add = (key: string, ok: boolean) => {
    const g = groups.get(key) ?? { n: 0, ok: 0 };
    g.n += 1;
    if (ok) g.ok += 1;
    groups.set(key, g);
  };
  const started = performance.now();
  for (const r of rows) {
    const guess = detectLanguage(normalize(r.text).text);
    const ok = guess.lang === r.lang;
    add('all', ok);
    add(`lang ${r.lang}`, ok);
    add(`lang ${r.lang}, ${band(r.text)}`, ok);
    if (r.script) add(`script ${r.lang}/${r.script}`, ok);
    if (!ok) errors.push(`  want ${r.lang} got ${guess.lang} (${guess.confidence}): ${r.text}`);
  }
  const ms = (performance.now() - started) / rows.length;
  console.log(`${file}: ${rows.length} posts, ${ms.toFixed(2)} ms/post (normalize + detect)`);
  console.log('| group | posts | accuracy |');
  console.log('| --- | --- | --- |');
  for (const [key, g] of [...groups].sort(([a], [b]) => (a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b)))) {
    console.log(`| ${key} | ${g.n} | ${((g.ok / g.n) * 100).toFixed(1)}% |`);
  }
  if (errors.length && !quiet) console.log(`errors:\n${errors.join('\n')}`);
  else if (errors.length) console.log(`${errors.length} errors (without --quiet they are listed)`);
}

await main();
