import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/normalize/index.js';
import { BUNDLED_RULES_DIR } from '../../src/paths.js';
import { compileRules, topLevelAlternatives } from '../../src/rules/compile.js';
import { loadRules, validateRuleFile } from '../../src/rules/load.js';
import { findHits, matchRules } from '../../src/rules/match.js';

const ex = { positive: ['x'], negative: ['y'] };
const rule = (over: Record<string, unknown>) => ({ id: 'x.y', description: 'd', weight: 0.5, terms: ['a'], examples: ex, ...over });

/** A rule set from inline rule files (already validated), in the order given. */
function set(...files: Record<string, unknown>[]) {
  return compileRules(files.map((f, i) => validateRuleFile(f, `f${i}.yaml`)));
}

const SALE = { signals: [{ id: 'sale.price', signal: 'sale', description: 'price', patterns: ['\\d+\\s?(?:₸|тг)'], examples: ex }] };

describe('validateRuleFile()', () => {
  it.each([
    [{ category: 'drug', rules: [] }, 'f.yaml: expected `category` to be one of'],
    [{ category: 'drugs', rules: [rule({ weight: 2 })] }, 'f.yaml: rule x.y: expected `weight` to be a number in (0, 1], got `2`.'],
    [{ category: 'drugs', rules: [rule({ weight: 0 })] }, 'rule x.y: expected `weight` to be a number in (0, 1], got `0`.'],
    [{ category: 'drugs', rules: [rule({ patterns: ['(unclosed'] })] }, 'f.yaml: rule x.y: pattern `(unclosed` is not a valid regular expression'],
    [{ category: 'drugs', rules: [rule({ patterns: ['a*'] })] }, 'rule x.y: pattern `a*` matches an empty string'],
    [{ category: 'drugs', rules: [rule({ patterns: ['Соль'] })] }, 'rule x.y: pattern `Соль` has the upper-case letter `С`; text is lower-cased before matching'],
    [{ category: 'drugs', rules: [rule({ examples: { positive: ['a'], negative: [] } })] }, 'rule x.y: expected at least one positive and one negative example'],
    [{ category: 'drugs', rules: [rule({}), rule({})] }, 'rule x.y: duplicate id'],
    [{ category: 'drugs', rules: [rule({ terms: undefined })] }, 'rule x.y: expected at least one of `terms`, `words`, `emoji` or `patterns`'],
    [{ category: 'drugs', rules: [rule({ term: ['a'] })] }, 'rule x.y: unknown field `term`'],
    [{ category: 'drugs', rules: [rule({ terms: ['a', { 'рецепт': null }] })] }, 'rule x.y terms: expected a list of non-empty strings; item 2 is `{"рецепт":null}`'],
    [{ category: 'drugs', rules: [rule({ near: { signals: ['sale'], weight: 1.5 } })] }, 'rule x.y: expected `near.weight` to be a number in (0, 1], got `1.5`.'],
    [{ category: 'drugs', rules: [rule({ near: { signals: ['sale'], within: -1, weight: 0.5 } })] }, 'rule x.y: expected `near.within` to be a whole number'],
    [{ rules: [rule({})] }, 'f.yaml: expected `category` (one of'],
    [{ context: [{ id: 'c.x', description: 'd', weight: 0.5, terms: ['a'], examples: ex }] }, 'context c.x: expected `categories` (this file has no `category`'],
    [{ context: [{ id: 'c.x', description: 'd', weight: 0.5, categories: ['drug'], terms: ['a'], examples: ex }] }, 'context c.x: expected `categories` to be `all` or a list of'],
    [{ signals: [{ id: 's.x', signal: 'Sale', description: 'd', terms: ['a'], examples: ex }] }, 'signal s.x: expected `signal` to be a name like `sale`, got `Sale`.'],
    [{ category: 'drugs', rulez: [] }, 'f.yaml: unknown top-level field `rulez`'],
  ])('rejects %j', (data, message) => {
    expect(() => validateRuleFile(data, 'f.yaml')).toThrow(message);
  });

  it('reads numbers in word lists as their digits (YAML turns 150 into a number)', () => {
    const f = validateRuleFile({ category: 'suicide', rules: [rule({ terms: [150] })] }, 'f.yaml');
    expect(f.rules[0]!.terms).toEqual(['150']);
  });

  it('allows weight 0 (silent alone) only for a combination rule', () => {
    const f = validateRuleFile({ category: 'drugs', rules: [rule({ weight: 0, near: { signals: ['sale'], weight: 0.7 } })] }, 'f.yaml');
    expect(f.rules[0]!.near).toEqual({ signals: ['sale'], within: 150, weight: 0.7 });
  });
});

describe('compileRules()', () => {
  it('names the file and rule when a combination rule asks for a signal nobody defines', () => {
    expect(() => set({ category: 'drugs', rules: [rule({ near: { signals: ['sael'], weight: 0.7 } })] }, SALE)).toThrow(
      'f0.yaml: rule x.y: near.signals names `sael`, which no loaded file defines; known signals: sale.',
    );
  });

  it('rejects an id used in two files', () => {
    expect(() => set({ category: 'drugs', rules: [rule({})] }, { category: 'fraud', rules: [rule({})] })).toThrow('f1.yaml: x.y: the id is also used in f0.yaml');
  });

  it('splits top-level alternatives but not those inside groups or classes', () => {
    expect(topLevelAlternatives('\\bа|б(?:в|г)|[|]|\\|д')).toEqual(['\\bа', 'б(?:в|г)', '[|]', '\\|д']);
  });
});

describe('findHits()', () => {
  const s = set({
    category: 'drugs',
    rules: [
      { id: 'd.prefix', description: 'd', weight: 0.5, terms: ['меф'], examples: ex },
      { id: 'd.word', description: 'd', weight: 0.5, words: ['соль'], examples: ex },
      { id: 'd.emoji', description: 'd', weight: 0.5, emoji: ['❄️'], examples: ex },
      { id: 'd.pattern', description: 'd', weight: 0.5, patterns: ['\\bклад\\p{L}*'], examples: ex },
    ],
  });
  const ids = (text: string) => findHits(s, normalize(text).text).map((h) => `${s.rules[h.entry]!.id}:${normalize(text).text.slice(h.start, h.end)}`);

  it.each([
    ['Мефедрон есть', ['d.prefix:мефедрон']],
    ['Альмеф', []],
    ['соль, соли', ['d.word:соль']],
    ['фасоль', []],
    ['❄ и ❄️', ['d.emoji:❄', 'd.emoji:❄']],
    ['клады и перезаклад', ['d.pattern:клады']],
    ['мастер-клад', ['d.pattern:клад']],
  ])('%j → %j', (text, expected) => {
    expect(ids(text)).toEqual(expected);
  });

  it('finds a pattern match that starts inside a rejected mid-word match', () => {
    const t = set({ category: 'drugs', rules: [rule({ terms: undefined, patterns: ['\\bб\\s+б\\p{L}*'] })] });
    // «б б» at 1 is mid-word and is rejected; the valid «б бв» at 3 starts inside it.
    expect(findHits(t, 'аб б бв').map((h) => [h.start, h.end])).toEqual([[3, 7]]);
  });
});

describe('matchRules()', () => {
  const s = set(
    {
      category: 'drugs',
      rules: [
        { id: 'd.slang', description: 'd', weight: 0, near: { signals: ['sale'], within: 20, weight: 0.8 }, words: ['соль'], examples: ex },
        { id: 'd.shop', description: 'd', weight: 0.6, terms: ['кладмен'], examples: ex },
      ],
      context: [{ id: 'd.news', description: 'd', weight: 0.5, terms: ['задержан'], examples: ex }],
    },
    SALE,
  );

  it('scores a weak word only next to a signal, and names the signal in the evidence', () => {
    const text = 'Соль 1г 5000 ₸';
    const r = matchRules(s, normalize(text));
    expect(r.scores.drugs).toBe(0.8);
    expect(r.evidence).toEqual([{ category: 'drugs', rule: 'd.slang', match: 'Соль', start: 0, end: 4, weight: 0.8, near: { rule: 'sale.price', match: '5000 ₸', start: 8, end: 14 } }]);
    expect(matchRules(s, normalize('Соль по вкусу')).scores.drugs).toBe(0);
    expect(matchRules(s, normalize(`Соль${' и перец'.repeat(5)}, 5000 ₸`)).scores.drugs).toBe(0);
  });

  it('combines distinct rules by noisy-OR and lowers the score for context, showing it with a negative weight', () => {
    const text = 'Задержан кладмен: соль 5000 тг';
    const r = matchRules(s, normalize(text));
    expect(r.scores.drugs).toBeCloseTo((1 - 0.2 * 0.4) * 0.5, 4);
    const ctx = r.evidence.find((e) => e.rule === 'd.news')!;
    expect(ctx).toMatchObject({ category: 'drugs', weight: -0.5, match: 'Задержан' });
    for (const e of r.evidence) expect(text.slice(e.start, e.end)).toBe(e.match);
  });

  it('shows context only for categories that some rule raised', () => {
    expect(matchRules(s, normalize('Задержан водитель')).evidence).toEqual([]);
  });

  it('maps spans to the original text through zero-width characters and case', () => {
    const text = 'КЛАД\u200BМЕН нужен';
    const [e] = matchRules(s, normalize(text)).evidence;
    expect(text.slice(e!.start, e!.end)).toBe('КЛАД\u200BМЕН');
  });
});

describe('loadRules()', () => {
  it('adds a user folder: a new file adds terms to a category, a same-named file replaces the bundled one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-rules-'));
    writeFileSync(
      join(dir, 'local-drugs.yaml'),
      'category: drugs\nrules:\n  - id: local.drugs-candy\n    description: local slang\n    weight: 0.9\n    words: [конфетки]\n    examples: {positive: ["конфетки есть"], negative: ["конфета"]}\n',
    );
    writeFileSync(
      join(dir, 'weapons.yaml'),
      'category: weapons\nrules:\n  - id: local.weapons\n    description: only this\n    weight: 0.9\n    words: [ствол]\n    examples: {positive: ["ствол"], negative: ["дерево"]}\n',
    );
    const bundled = loadRules([BUNDLED_RULES_DIR]);
    const merged = loadRules([BUNDLED_RULES_DIR, dir]);
    expect(matchRules(merged, normalize('конфетки есть')).scores.drugs).toBe(0.9);
    expect(merged.rules.filter((r) => r.category === 'weapons' && r.kind === 'rule').map((r) => r.id)).toEqual(['local.weapons']);
    expect(merged.rules.length).toBeLessThan(bundled.rules.length + 2);
  });
});
