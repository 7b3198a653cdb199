import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { checkAnswers } from '../../scripts/real/accept.mjs';
// @ts-expect-error: a plain .mjs script without types
import { parseAdaptations } from '../../scripts/real/adapt.mjs';
// @ts-expect-error: a plain .mjs script without types
import { kappa } from '../../scripts/real/agreement.mjs';

const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');
const todo = ['a-1\t0000\tпервый', 'a-2\t0000\tвторой', 'a-3\t0000\tтретий'].join('\n');

describe('scripts/real/accept.mjs checkAnswers()', () => {
  it('accepts one answer per post, in any order, and sorts and dedupes labels', () => {
    const { answers, errors } = checkAnswers(todo, '3\t-\tchat\t-\n1\tfraud,drugs,fraud\tjob-lure\tobf\n2\tgambling');
    expect(errors).toEqual([]);
    expect(answers.get(1)).toEqual({ labels: ['drugs', 'fraud'], kind: 'job-lure', flags: ['obf'] });
    expect(answers.get(2)).toEqual({ labels: ['gambling'], kind: 'other', flags: [] });
    expect(answers.get(3)).toEqual({ labels: [], kind: 'chat', flags: [] });
  });

  it.each([
    ['a missing post', '1\t-\n2\t-', 'posts not answered: 3'],
    ['a post answered twice', '1\t-\n1\tfraud\n2\t-\n3\t-', 'post 1 answered twice'],
    ['an unknown category', '1\tspam\n2\t-\n3\t-', 'unknown category spam'],
    ['a number out of range', '1\t-\n2\t-\n3\t-\n4\t-', 'post number 4 is not 1..3'],
    ['no labels field', '1\n2\t-\n3\t-', 'has no labels field'],
    ['an unknown kind', '1\t-\tselfie\n2\t-\n3\t-', 'unknown kind selfie'],
  ])('reports %s', (_what, done, message) => {
    const { errors } = checkAnswers(todo, done);
    expect(errors.join('\n')).toContain(message);
  });
});

describe('scripts/real/adapt.mjs parseAdaptations()', () => {
  const batch = ['1\tset-7\tcyberbullying\tru\tты дурак', '2\tset-9\t-\tru\tпогода отстой'].join('\n');

  it('keeps one checked adaptation per batch line, in batch order, with its source row', () => {
    const { rows, errors } = parseAdaptations(batch, '2\tmixed\t-\tпогода вообще нашар\n1\tkk\tcyberbullying,hate\tсен ақымақсың');
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { from: 'set-7', lang: 'kk', labels: ['cyberbullying', 'hate'], text: 'сен ақымақсың' },
      { from: 'set-9', lang: 'mixed', labels: [], text: 'погода вообще нашар' },
    ]);
  });

  it.each([
    ['a missing line', '1\tkk\t-\tсен ақымақсың', 'line 2 of the batch has no answer'],
    ['an unknown label', '1\tkk\tspam\tсен ақымақсың\n2\tmixed\t-\tнашар', 'unknown labels spam'],
    ['a language other than kk or mixed', '1\tru\t-\tты дурак!\n2\tmixed\t-\tнашар', 'expected lang kk or mixed'],
    ['kk without a Kazakh letter', '1\tkk\t-\tсен акымак\n2\tmixed\t-\tнашар', 'lang kk without a Kazakh letter'],
    ['a copy of the source', '1\tmixed\tcyberbullying\tты дурак\n2\tmixed\t-\tнашар', 'a copy of its source'],
    ['a line answered twice', '1\tkk\t-\tсен ақымақсың\n1\tkk\t-\tсен ақымақсың\n2\tmixed\t-\tнашар', 'n=1 answered twice'],
  ])('reports %s', (_what, answers, message) => {
    expect(parseAdaptations(batch, answers).errors.join('\n')).toContain(message);
  });
});

describe('scripts/real/build.mjs', () => {
  it('joins labels with the imported rows, keeps reposts and adaptations in their source split, and skips changed texts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-real-'));
    const imported = join(dir, 'imported');
    const labels = join(dir, 'labels');
    mkdirSync(imported);
    mkdirSync(labels);
    const spam = 'Нужны люди на подработку, 9000 за пару часов, без опыта, пиши в лс @job_fast';
    const rows = [
      { id: 'set-1', text: spam, source: 'set' },
      { id: 'set-2', text: `${spam}!`, source: 'set' },
      { id: 'set-3', text: 'Верните ежа', source: 'set' },
      { id: 'set-4', text: 'текст изменился', source: 'set' },
    ];
    writeFileSync(join(imported, 'set.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const line = (id: string, text: string, ls: string, kind: string, flags = '-') => [id, sha1(text).slice(0, 10), ls, kind, flags, 'w'].join('\t');
    writeFileSync(
      join(labels, 'b.tsv'),
      [line('set-1', spam, 'fraud', 'job-lure'), line('set-2', `${spam}!`, 'fraud', 'job-lure', 'obf'), line('set-3', 'Верните ежа', '-', 'chat'), line('set-4', 'старый текст', '-', 'chat')].join('\n'),
    );
    const adapted = join(dir, 'adapted.jsonl');
    writeFileSync(adapted, JSON.stringify({ id: 'adapted-1', from: 'set-1', labels: ['fraud'], text: 'Жұмыс бар, екі сағатқа 9000, тәжірибе керек емес, лс-ке жаз', source: 'adapted:set', kind: 'job-lure' }));
    const out = join(dir, 'real.jsonl');
    const root = join(__dirname, '..', '..');
    execFileSync(process.execPath, ['scripts/real/build.mjs', '--imported', imported, '--labels', labels, '--adapted', adapted, '-o', out], { cwd: root, stdio: 'pipe' });
    const built = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const byId = Object.fromEntries(built.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual(['adapted-1', 'set-1', 'set-2', 'set-3']);
    expect(byId['set-1']).toMatchObject({ labels: ['fraud'], kind: 'job-lure', real: true, obfuscated: false, source: 'set', writer: 'w' });
    expect(byId['set-2']).toMatchObject({ obfuscated: true, cluster: 'set-1', split: byId['set-1'].split });
    expect(byId['adapted-1']).toMatchObject({ adapted: true, real: true, split: byId['set-1'].split, lang: 'kk' });
    expect(['train', 'dev', 'calib', 'test']).toContain(byId['set-3'].split);
  });
});

describe('scripts/real/agreement.mjs kappa()', () => {
  it('matches a hand-computed Cohen kappa and is undefined when neither read has a positive', () => {
    // 10 posts: both yes 3, both no 5, first only 1, second only 1 → po 0.8, pe 0.4·0.4 + 0.6·0.6 = 0.52, κ = 0.28/0.48.
    const pairs = [...Array(3).fill([true, true]), ...Array(5).fill([false, false]), [true, false], [false, true]];
    const k = kappa(pairs);
    expect(k.agree).toBeCloseTo(0.8, 12);
    expect(k.kappa).toBeCloseTo(0.28 / 0.48, 12);
    expect(kappa([[false, false], [false, false]]).kappa).toBeNaN();
    expect(kappa([[true, true], [false, false]]).kappa).toBe(1);
  });
});
