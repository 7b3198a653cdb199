#!/usr/bin/env node
// Checks a writer's answers for labelling batches and turns them into the committed label files.
//   node scripts/real/accept.mjs <writer> <batch-name…>      (batch name = todo file name without .tsv)
// Reads .cache/real/todo/<batch>.tsv (id, sha1 prefix, text) and .cache/real/done/<batch>.tsv, one answer per
// post: `n <TAB> labels [<TAB> kind [<TAB> flags]]`, n the 1-based line of the post in the todo file, labels a comma
// list of category ids or `-`, flags a comma list of hard/obf or `-`. Every post must be answered exactly once.
// Writes corpora/real/labels/<batch>.tsv: `id <TAB> sha1 <TAB> labels <TAB> kind <TAB> flags <TAB> writer`.
import fs from 'node:fs';
import path from 'node:path';

export const CATEGORIES = ['drugs', 'cyberbullying', 'extremism', 'hate', 'suicide', 'gambling', 'fraud', 'sexual', 'weapons'];
export const KINDS = ['shop', 'recruiting', 'job-lure', 'job', 'ad', 'casino', 'escort', 'scam', 'channel', 'comment', 'chat',
  'news', 'police', 'court', 'campaign', 'review', 'history', 'banter', 'other'];
const FLAGS = ['hard', 'obf'];

export function checkAnswers(todoText, doneText) {
  const posts = todoText.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const answers = new Map();
  const errors = [];
  doneText.split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const [n, labels = '', kind = '', flags = ''] = line.split('\t').map((s) => s.trim());
    const at = `answer line ${i + 1}`;
    const k = Number(n);
    if (!Number.isInteger(k) || k < 1 || k > posts.length) return errors.push(`${at}: post number ${n} is not 1..${posts.length}`);
    if (answers.has(k)) return errors.push(`${at}: post ${k} answered twice`);
    const ls = labels === '-' || labels === '' ? [] : labels.split(',').map((s) => s.trim());
    const bad = ls.filter((l) => !CATEGORIES.includes(l));
    if (labels === '') errors.push(`${at}: post ${k} has no labels field (use - for clean)`);
    if (bad.length) errors.push(`${at}: unknown category ${bad.join(', ')}`);
    if (kind && kind !== '-' && !KINDS.includes(kind)) errors.push(`${at}: unknown kind ${kind} (one of ${KINDS.join(' ')})`);
    const fs_ = flags === '-' || flags === '' ? [] : flags.split(',').map((s) => s.trim());
    if (fs_.some((f) => !FLAGS.includes(f))) errors.push(`${at}: unknown flag in ${flags}`);
    answers.set(k, { labels: [...new Set(ls)].sort((a, b) => CATEGORIES.indexOf(a) - CATEGORIES.indexOf(b)), kind: kind && kind !== '-' ? kind : 'other', flags: fs_ });
  });
  const missing = [];
  for (let k = 1; k <= posts.length; k++) if (!answers.has(k)) missing.push(k);
  if (missing.length) errors.push(`posts not answered: ${missing.slice(0, 30).join(', ')}${missing.length > 30 ? ` … (${missing.length})` : ''}`);
  return { posts, answers, errors };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [writer, ...batches] = process.argv.slice(2);
  if (!writer || !batches.length) {
    console.error('usage: node scripts/real/accept.mjs <writer> <batch…>');
    process.exit(2);
  }
  let failed = false;
  for (const b of batches) {
    const name = path.basename(b, '.tsv');
    const { posts, answers, errors } = checkAnswers(
      fs.readFileSync(`.cache/real/todo/${name}.tsv`, 'utf8'),
      fs.readFileSync(`.cache/real/done/${name}.tsv`, 'utf8'),
    );
    if (errors.length) {
      failed = true;
      console.error(`${name}: ${errors.length} problems\n  ${errors.slice(0, 20).join('\n  ')}`);
      continue;
    }
    const out = posts.map(([id, hash], i) => {
      const a = answers.get(i + 1);
      return [id, hash, a.labels.join(',') || '-', a.kind, a.flags.join(',') || '-', writer].join('\t');
    });
    fs.mkdirSync('corpora/real/labels', { recursive: true });
    fs.writeFileSync(`corpora/real/labels/${name}.tsv`, out.join('\n') + '\n');
    const pos = [...answers.values()].filter((a) => a.labels.length).length;
    console.log(`${name}: ${posts.length} posts accepted, ${pos} positive → corpora/real/labels/${name}.tsv`);
  }
  process.exit(failed ? 1 : 0);
}
