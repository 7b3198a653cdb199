#!/usr/bin/env node
// The job-lure relabel (2026-12-02): every Telegram-spam-set post that reads like a job offer, or that was labelled
// `drugs`, read again by two writers who see neither the old labels nor any prediction, by the guide's "Job lures,
// step by step"; posts where the two disagree are read by a third writer and the majority (or the third read, when
// all three differ) wins. Every split is relabelled the same way, so the test split's labels change with the rest.
//   node scripts/real/relabel-jobs.mjs prepare            → .cache/real/relabel/todo/jobs-NNN.tsv (id, sha1, text) for
//                                                           the job-like posts no batch holds yet, after the last batch
//   node scripts/real/relabel-jobs.mjs prepare-spam       → the fourth selection: .cache/real/relabel/todo/spam-NNN.tsv, and
//                                                           the posts' first reads as read A (corpora/real/relabel-jobs/A/)
//   node scripts/real/relabel-jobs.mjs prepare-pikabu     → the fifth selection: every 2ch/pikabu comment, pikabu-NNN.tsv, the same way
//   node scripts/real/relabel-jobs.mjs prepare-kazakh     → the sixth selection: every Kazakh-set comment the set flags, kazakh-NNN.tsv
//   node scripts/real/relabel-jobs.mjs prepare-topics     → the seventh: every post of the sensitive-topic, abusive and hate-speech sets, topics-NNN.tsv
//   node scripts/real/relabel-jobs.mjs save               → every checked answer file as an id-keyed read (no text) under
//                                                           corpora/real/relabel-jobs/<A|B|C>/, what the steps below read
//   node scripts/real/relabel-jobs.mjs disagreements      → agreement of reads A and B, .cache/real/relabel/todo/adj-NNN.tsv
//   node scripts/real/relabel-jobs.mjs check <A|B|C> <batch>  → a reader's check of one answer file
//   node scripts/real/relabel-jobs.mjs merge              → corpora/real/relabel-jobs.tsv (every read, no text) and
//                                                           the new labels written into corpora/real/labels/*.tsv
// Answers (.cache/real/relabel/done/<A|B|C>/<batch>.tsv) use accept.mjs's format plus the guide step:
// `n <TAB> labels <TAB> kind <TAB> flags <TAB> step`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClusterer } from '../../dist/cluster/index.js';
import { normalize } from '../../dist/index.js';
import { checkAnswers, CATEGORIES } from './accept.mjs';
import { kappa } from './agreement.mjs';

const ROOT = '.cache/real/relabel';
const LABELS = 'corpora/real/labels';
const RECORD = 'corpora/real/relabel-jobs.tsv';
const READS = 'corpora/real/relabel-jobs';
const PASSES = ['A', 'B', 'C'];
const REAL = '.cache/real/real.jsonl';
const MAX_POSTS = 250;
const sha1 = (s) => createHash('sha1').update(s, 'utf8').digest('hex');

// Job words, tested on the text after NFKC and after qorgau's own normalize(): the first selection (2026-12-02,
// jobs-001 to jobs-016) used NFKC alone and so missed lures written in look-alike letters («Hужeн кyрьeр»).
export const JOB = /(работ|ваканс|требу[ею]тся|ищу (людей|ребят|сотрудник)|нужн[аыо]? ?(люди|ребят|сотрудник|помощник|курьер|человек)|набор|оплат|платим|плачу|заработ|доход|курьер|з\/п|\bзп\b|выплат|смен[аы]|в день|за день|в час|в неделю|профит|ворк|дроп|закладк|кладмен)/i;

// The third selection (2026-12-03, jobs-021 on): lures that hide the work behind other words («пару ответственных
// ребят в команду», «исполнителей для несложных заданий», «желающих зарабатывать») were read once, by the first
// relabel, and flagged by the models as often as real job lures. Chosen by words, never by a prediction, in every split.
export const JOB_MORE = /(зарабат|исполнител|задани|в команд|ребят|людей|ответственн|вложени|пассивн|прибыл|сотрудничеств|подработ|предлага[ею]|ищем|ищу)/i;

// The fourth selection (2026-12-03, spam-001 on): every post the spam set itself marks as spam that no job batch
// holds, read once more by one reader; its first read (the labels before the relabel) counts as read A, so a
// dispute between the two goes to a third read as before. Chosen by the set's own flag, never by a prediction.
const SPAM_SET = '.cache/imported/ru-telegram-spam-tizhproger.jsonl';
// The sixth selection: the Kazakh toxic-comment set's own flags (toxic, insult, obscene, hate, threat).
const KAZAKH_SET = '.cache/imported/kk-ru-toxic-comments-asnbkk.jsonl';
const SECOND_READ_MAX_POSTS = 190;
const ADJ_MAX_POSTS = 100;

const matches = (re, r) => re.test(r.text.normalize('NFKC')) || re.test(normalize(r.text).text);
export const isJobLike = (r) => matches(JOB, r) || matches(JOB_MORE, r) || r.labels.includes('drugs');

const readJsonl = (f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const labelFiles = () => fs.readdirSync(LABELS).filter((f) => f.endsWith('.tsv')).sort();
const batchNumber = (f) => Number(f.match(/^jobs-(\d+)\.tsv$/)?.[1] ?? 0);
// Batch names of the selections read twice; `adj` batches hold their disputes.
const SELECTIONS = ['jobs', 'spam', 'pikabu', 'kazakh', 'topics'];
const BATCH = new RegExp(`^(${SELECTIONS.join('|')})-\\d+\\.tsv$`);
const isBatch = (f) => BATCH.test(f);
const batchLine = (r) => `${r.id}\t${sha1(r.text).slice(0, 10)}\t${r.text.replace(/\t/g, ' ').replace(/\r?\n/g, ' ⏎ ')}`;

/** Rows side by side by near-duplicate cluster, clusters in a fixed order, so one reader gives one text one label. */
function ordered(rows) {
  const c = createClusterer({ threshold: 0.5 });
  for (const r of rows) c.add(r.text);
  const groups = new Map();
  c.assignments().forEach((a, i) => groups.set(a.cluster, [...(groups.get(a.cluster) ?? []), rows[i]]));
  return { groups: groups.size, rows: [...groups.values()].sort((a, b) => (sha1(a[0].id) < sha1(b[0].id) ? -1 : 1)).flat() };
}
/** The post ids of the batches of the given selections (`jobs`, `spam`, `pikabu`; all by default). */
const batchIds = (prefixes = SELECTIONS) => new Set(fs.readdirSync(`${ROOT}/todo`).filter((f) => isBatch(f) && prefixes.some((p) => f.startsWith(`${p}-`))).flatMap((f) => fs.readFileSync(`${ROOT}/todo/${f}`, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[0])));

/** Writes the job-like posts that no batch holds yet as new batches after the last one, so reads already made
 * keep their batch and line numbers. */
function prepare() {
  fs.mkdirSync(`${ROOT}/todo`, { recursive: true });
  const batches = fs.readdirSync(`${ROOT}/todo`).filter((f) => batchNumber(f) > 0);
  const held = batchIds();
  const { rows, groups } = ordered(readJsonl(REAL).filter((r) => r.source === 'ru-telegram-spam-tizhproger' && !r.adapted && !held.has(r.id)).filter(isJobLike));
  let n = Math.max(0, ...batches.map(batchNumber));
  const first = n + 1;
  for (let i = 0; i < rows.length; i += MAX_POSTS) {
    n += 1;
    fs.writeFileSync(`${ROOT}/todo/jobs-${String(n).padStart(3, '0')}.tsv`, rows.slice(i, i + MAX_POSTS).map(batchLine).join('\n') + '\n');
  }
  console.log(rows.length ? `${rows.length} new posts in ${groups} clusters → batches jobs-${String(first).padStart(3, '0')} to jobs-${String(n).padStart(3, '0')} under ${ROOT}/todo` : `every job-like post is already in a batch under ${ROOT}/todo`);
}

/**
 * A second-read selection: batches `<prefix>-NNN.tsv` of the chosen posts no batch holds, and their first read
 * saved as read A (reader `first:<writer>`), from the label files as they stand before the relabel touches them.
 * Made once per prefix, so reads already made keep their batch and line numbers.
 */
function prepareSecondRead(prefix, choose, what) {
  fs.mkdirSync(`${ROOT}/todo`, { recursive: true });
  if (fs.readdirSync(`${ROOT}/todo`).some((f) => f.startsWith(`${prefix}-`))) throw new Error(`${prefix} batches already exist under ${ROOT}/todo: they are made once`);
  const held = batchIds();
  const { rows, groups } = ordered(readJsonl(REAL).filter((r) => !r.adapted && !held.has(r.id) && choose(r)));
  const first = new Map();
  for (const f of labelFiles()) for (const line of fs.readFileSync(path.join(LABELS, f), 'utf8').split('\n')) if (line.trim()) first.set(line.split('\t')[0], line.split('\t'));
  fs.mkdirSync(`${READS}/A`, { recursive: true });
  let n = 0;
  for (let i = 0; i < rows.length; i += SECOND_READ_MAX_POSTS) {
    n += 1;
    const name = `${prefix}-${String(n).padStart(3, '0')}.tsv`;
    const batch = rows.slice(i, i + SECOND_READ_MAX_POSTS);
    fs.writeFileSync(`${ROOT}/todo/${name}`, batch.map(batchLine).join('\n') + '\n');
    const readA = batch.map((r) => {
      const p = first.get(r.id);
      if (!p) throw new Error(`${r.id}: no first read in ${LABELS}`);
      return [r.id, p[1], p[2], p[3], p[4], '-', `first:${p[5]}`].join('\t');
    });
    fs.writeFileSync(`${READS}/A/${name}`, readA.join('\n') + '\n');
  }
  console.log(`${rows.length} ${what} in ${groups} clusters → batches ${prefix}-001 to ${prefix}-${String(n).padStart(3, '0')}; their first reads saved as read A`);
}

/** The fourth selection: every spam-flagged post of the Telegram spam set. */
function prepareSpam() {
  const flagged = new Set(readJsonl(SPAM_SET).filter((r) => r.spam === 1).map((r) => r.id));
  prepareSecondRead('spam', (r) => r.source === 'ru-telegram-spam-tizhproger' && flagged.has(r.id), 'spam-flagged posts');
}

/** The fifth selection: every 2ch/pikabu comment of the real set, where targeted insults and swearing meet. */
function preparePikabu() {
  prepareSecondRead('pikabu', (r) => r.source === 'ru-toxic-2ch-pikabu', '2ch/pikabu comments');
}

/**
 * The sixth selection: every comment of the Kazakh toxic-comment set that the set itself flags (1,102, nearly all
 * Kazakh), where the first read labelled one in nine and real Kazakh recall is lowest. Chosen by the set's flag.
 */
function prepareKazakh() {
  const flagged = new Set(readJsonl(KAZAKH_SET).filter((r) => (r.topics ?? []).length > 0).map((r) => r.id));
  prepareSecondRead('kazakh', (r) => r.source === 'kk-ru-toxic-comments-asnbkk' && flagged.has(r.id), 'flagged Kazakh-set comments');
}

/**
 * The seventh selection: every post of the Russian sets of rude and sensitive talk read once so far (Skoltech
 * sensitive topics, the abusive-comment set, the hate-speech set: 5,648), where group slurs, insults and talk about
 * drugs or sex meet, read again under the rules written for the fifth. Chosen by source.
 */
const TOPIC_SETS = new Set(['ru-sensitive-topics-inappropriate', 'ru-abusive-sariellee', 'ru-hatespeech-biriuchinskii']);
function prepareTopics() {
  prepareSecondRead('topics', (r) => TOPIC_SETS.has(r.source), 'sensitive-topic, abusive and hate-speech posts');
}

/** One reader's checked answers from .cache (`n`-keyed, in todo order), by post id. */
function answers(pass, prefix) {
  const out = new Map();
  const dir = `${ROOT}/done/${pass}`;
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir).filter((f) => prefix.some((p) => f.startsWith(p)) && f.endsWith('.tsv')).sort()) {
    const done = fs.readFileSync(`${dir}/${f}`, 'utf8');
    const { posts, answers: byLine, errors } = checkAnswers(fs.readFileSync(`${ROOT}/todo/${f}`, 'utf8'), done);
    if (errors.length) throw new Error(`${pass}/${f}: ${errors.slice(0, 5).join('; ')}`);
    const steps = new Map(done.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split('\t')).map((p) => [Number(p[0]), (p[4] ?? '').trim()]));
    out.set(f, posts.map(([id, hash], i) => ({ id, hash, ...byLine.get(i + 1), step: steps.get(i + 1) || '-' })));
  }
  return out;
}

/** Writes every checked answer file as an id-keyed read under corpora/real/relabel-jobs/<pass>/ (no text). */
function save() {
  for (const pass of PASSES) {
    // Read A of the second-read selections (spam, pikabu) is their first read, written by prepareSecondRead;
    // only reader B answers them.
    for (const [f, rows] of answers(pass, pass === 'C' ? ['adj'] : pass === 'B' ? SELECTIONS : ['jobs'])) {
      fs.mkdirSync(`${READS}/${pass}`, { recursive: true });
      const lines = rows.map((r) => [r.id, r.hash, key(r), r.kind, r.flags.join(',') || '-', r.step, `reader-${pass}`].join('\t'));
      fs.writeFileSync(`${READS}/${pass}/${f}`, lines.join('\n') + '\n');
      console.log(`${pass}/${f}: ${rows.length} posts`);
    }
  }
}

/** Every saved read of one pass, by post id: { hash, labels, kind, flags, step }. */
function reads(pass) {
  const out = new Map();
  const dir = `${READS}/${pass}`;
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.tsv')).sort()) {
    for (const line of fs.readFileSync(`${dir}/${f}`, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const [id, hash, labels, kind, flags, step] = line.split('\t');
      out.set(id, { hash, labels: labels === '-' ? [] : labels.split(','), kind, flags: flags === '-' ? [] : flags.split(','), step });
    }
  }
  return out;
}

// Label sets in category order, so «hate,extremism» and «extremism,hate» are one answer.
const key = (r) => CATEGORIES.filter((c) => r.labels.includes(c)).join(',') || '-';

function agreement(a, b) {
  const ids = [...a.keys()].filter((id) => b.has(id));
  const same = ids.filter((id) => key(a.get(id)) === key(b.get(id))).length;
  console.log(`${ids.length} posts read twice; same label set ${(100 * same / ids.length).toFixed(1)}%`);
  const any = kappa(ids.map((id) => [a.get(id).labels.length > 0, b.get(id).labels.length > 0]));
  console.log(`any label: kappa ${any.kappa.toFixed(3)} (A ${any.positivesA}, B ${any.positivesB})`);
  for (const c of CATEGORIES) {
    const k = kappa(ids.map((id) => [a.get(id).labels.includes(c), b.get(id).labels.includes(c)]));
    if (k.positivesA + k.positivesB) console.log(`${c.padEnd(14)} kappa ${Number.isNaN(k.kappa) ? '  n/a' : k.kappa.toFixed(3)} (A ${k.positivesA}, B ${k.positivesB})`);
  }
  return ids;
}

function disagreements() {
  const a = reads('A');
  const b = reads('B');
  const c = reads('C');
  // Posts that already have a third read keep it, so disputes can be read while other batches are still being read.
  const ids = new Set(agreement(a, b).filter((id) => key(a.get(id)) !== key(b.get(id)) && !c.has(id)));
  // The third reader gets the disputed posts in the order of the batches, with their text and nothing else.
  const lines = [];
  for (const f of fs.readdirSync(`${ROOT}/todo`).filter(isBatch).sort()) {
    for (const l of fs.readFileSync(`${ROOT}/todo/${f}`, 'utf8').split('\n')) if (ids.has(l.split('\t')[0])) lines.push(l);
  }
  const read = new Set(fs.existsSync(`${READS}/C`) ? fs.readdirSync(`${READS}/C`) : []);
  for (const f of fs.readdirSync(`${ROOT}/todo`).filter((f) => f.startsWith('adj') && !read.has(f))) fs.rmSync(`${ROOT}/todo/${f}`);
  let n = Math.max(0, ...[...read].map((f) => Number(f.match(/^adj-(\d+)\.tsv$/)?.[1] ?? 0)));
  const first = n + 1;
  // Small batches, so several third readers can share the disputes.
  for (let i = 0; i < lines.length; i += ADJ_MAX_POSTS) {
    n += 1;
    fs.writeFileSync(`${ROOT}/todo/adj-${String(n).padStart(3, '0')}.tsv`, lines.slice(i, i + ADJ_MAX_POSTS).join('\n') + '\n');
  }
  console.log(`${lines.length} disputed posts without a third read → adjudication batches adj-${String(first).padStart(3, '0')} to adj-${String(n).padStart(3, '0')}`);
}

function merge() {
  const a = reads('A');
  const b = reads('B');
  const c = reads('C');
  const final = new Map();
  const tally = { agreed: 0, majority: 0, third: 0, missing: 0 };
  for (const [id, ra] of a) {
    const rb = b.get(id);
    if (!rb) continue;
    if (key(ra) === key(rb)) { final.set(id, { ...ra, how: 'A=B' }); tally.agreed += 1; continue; }
    const rc = c.get(id);
    if (!rc) { tally.missing += 1; continue; }
    if (key(rc) === key(ra)) { final.set(id, { ...ra, how: 'A=C' }); tally.majority += 1; }
    else if (key(rc) === key(rb)) { final.set(id, { ...rb, how: 'B=C' }); tally.majority += 1; }
    else { final.set(id, { ...rc, how: 'C' }); tally.third += 1; }
  }
  if (tally.missing) throw new Error(`${tally.missing} disputed posts have no third read: run disagreements, then read ${ROOT}/todo/adj-*.tsv`);
  // A post merged before keeps its first labels as `old`, so the record and the counts always compare with the
  // labels before any relabel, however many times merge runs.
  const before = new Map(fs.existsSync(RECORD) ? fs.readFileSync(RECORD, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')).map((p) => [p[0], p[7]]) : []);
  const record = ['# id\tsha1\tread A\tread B\tread C\tfinal\thow\told'];
  const transitions = {};
  let changed = 0;
  for (const f of labelFiles()) {
    const lines = fs.readFileSync(path.join(LABELS, f), 'utf8').split('\n');
    const out = lines.map((line) => {
      if (!line.trim()) return line;
      const p = line.split('\t');
      const r = final.get(p[0]);
      if (!r) return line;
      if (r.hash !== p[1]) throw new Error(`${p[0]}: text hash ${r.hash} differs from ${f} (${p[1]})`);
      const neu = key(r);
      const was = before.get(p[0]) ?? p[2];
      const t = `${was} → ${neu}`;
      transitions[t] = (transitions[t] ?? 0) + 1;
      if (neu !== was) changed += 1;
      record.push([p[0], p[1], key(a.get(p[0])), key(b.get(p[0])), c.has(p[0]) ? key(c.get(p[0])) : '', neu, r.how, was].join('\t'));
      return [p[0], p[1], neu, r.kind, r.flags.join(',') || '-', `relabel-jobs:${r.how}`].join('\t');
    });
    fs.writeFileSync(path.join(LABELS, f), out.join('\n'));
  }
  fs.writeFileSync(RECORD, record.join('\n') + '\n');
  console.log(tally, `${changed} of ${final.size} posts changed labels`);
  for (const [t, n] of Object.entries(transitions).sort((x, y) => y[1] - x[1])) console.log(`${String(n).padStart(5)}  ${t}`);
}

const cmd = process.argv[2];
if (cmd === 'prepare') prepare();
else if (cmd === 'prepare-spam') prepareSpam();
else if (cmd === 'prepare-kazakh') prepareKazakh();
else if (cmd === 'prepare-topics') prepareTopics();
else if (cmd === 'prepare-pikabu') preparePikabu();
else if (cmd === 'disagreements') disagreements();
else if (cmd === 'save') save();
else if (cmd === 'merge') merge();
else if (cmd === 'agreement') {
  // `agreement spam` (or `jobs`): the posts of one selection's batches only.
  // The ids once, not per post: every batch file is read to find them.
  const only = process.argv[3] ? batchIds([process.argv[3]]) : undefined;
  const keep = (m) => (only ? new Map([...m].filter(([id]) => only.has(id))) : m);
  agreement(keep(reads('A')), keep(reads('B')));
}
else if (cmd === 'check') {
  // A reader's check of one answer file: every post answered once, known categories, kinds and flags.
  const [pass, batch] = process.argv.slice(3);
  const name = path.basename(batch, '.tsv');
  const { posts, errors } = checkAnswers(fs.readFileSync(`${ROOT}/todo/${name}.tsv`, 'utf8'), fs.readFileSync(`${ROOT}/done/${pass}/${name}.tsv`, 'utf8'));
  console.log(errors.length ? `${name}: ${errors.length} problems\n  ${errors.slice(0, 20).join('\n  ')}` : `${name}: all ${posts.length} posts answered`);
  process.exit(errors.length ? 1 : 0);
}
else {
  console.error('usage: node scripts/real/relabel-jobs.mjs prepare | prepare-spam | prepare-pikabu | prepare-kazakh | prepare-topics | check <A|B|C> <batch> | save | agreement [jobs|spam|pikabu|kazakh|topics] | disagreements | merge');
  process.exit(2);
}
