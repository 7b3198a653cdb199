import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_RULES_DIR } from '../../src/paths.js';
import { boundQuantifiers } from '../../src/rules/compile.js';
import { loadRules } from '../../src/rules/load.js';

describe('boundQuantifiers', () => {
  it.each([
    ['суд\\p{L}*\\s+', 'суд\\p{L}{0,48}\\s{1,48}'],
    ['a+?b*?', 'a{1,48}?b{0,48}?'],
    ['\\d{2,}x{3}y{1,5}', '\\d{2,48}x{3}y{1,5}'],
    ['\\d{60,}', '\\d{60,60}'],
    ['[*+]\\*\\+', '[*+]\\*\\+'],
    ['\\u{1F600}+\\p{Script=Cyrillic}*', '\\u{1F600}{1,48}\\p{Script=Cyrillic}{0,48}'],
    ['(?:ab)+(?=c*)(?<!d+)', '(?:ab){1,48}(?=c{0,48})(?<!d{1,48})'],
  ])('%s → %s', (pattern, bounded) => {
    expect(boundQuantifiers(pattern)).toBe(bounded);
    expect(() => new RegExp(bounded, 'u')).not.toThrow();
  });
});

/** Texts that make a backtracking pattern rescan: each anchor repeated with and without what follows it. */
function attacks(anchors: readonly string[], length: number): string[] {
  const units = ['1', '1 ', '0\t', 'а', 'a', ' ', '1.', '№0\t', 'а-'];
  const out = units.map((u) => u.repeat(Math.ceil(length / u.length)));
  for (const a of anchors.slice(0, 4)) {
    for (const tail of ['', 'а', 'ъ', ' ', '1', '\t', '-', ',', 'A']) out.push((a + tail).repeat(Math.ceil(length / (a.length + tail.length))));
    for (const run of [' ', 'а', '1', ' 1', '\t']) out.push(a + run.repeat(Math.ceil(length / run.length)));
  }
  return out;
}

describe('bundled rule patterns: linear in the text', () => {
  const set = loadRules([BUNDLED_RULES_DIR]);
  // «судсудсуд…» of 50,000 characters took 40 s in `суд\p{L}*\s+…` before quantifiers were bounded (6 s at
  // 20,000); a linear pattern takes tens of milliseconds, so one second for the slowest attack text of 20,000
  // characters leaves a wide margin on a loaded machine either way.
  it.each(set.patterns.map((p, i) => [set.rules[p.entry]!.id, i] as const))('%s (pattern %i) on its own anchors repeated', (_id, index) => {
    const { regex, anchors } = set.patterns[index]!.pattern;
    let slowest = { ms: 0, text: '' };
    for (const text of attacks(anchors ?? [], 20_000)) {
      const started = performance.now();
      regex.lastIndex = 0;
      let n = 0;
      let m: RegExpExecArray | null;
      while ((m = regex.exec(text)) !== null && ++n < 50) if (m[0].length === 0) regex.lastIndex += 1;
      const ms = performance.now() - started;
      if (ms > slowest.ms) slowest = { ms, text: text.slice(0, 24) };
    }
    expect(slowest.ms, `slowest on ${JSON.stringify(slowest.text)}…`).toBeLessThan(1000);
  });
});

describe('user rule patterns that backtrack catastrophically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qorgau-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function folder(name: string, pattern: string): string {
    const rule = {
      category: 'drugs',
      rules: [{ id: `user.${name}`, description: 'a user rule', weight: 0.9, patterns: [pattern], examples: { positive: ['aaaa!'], negative: ['привет'] } }],
    };
    const d = mkdtempSync(join(dir, `${name}-`));
    writeFileSync(join(d, 'user.json'), JSON.stringify(rule));
    return d;
  }

  it.each([
    ['nested', '(a+)+$', /exponential time/],
    ['alternation', '(a|a)*!', /exponential time/],
    ['words', '(\\p{L}+\\s?)+!', /exponential time/],
  ])('rejects %s `%s` at load time, naming the file and rule', (name, pattern, message) => {
    expect(() => loadRules([BUNDLED_RULES_DIR, folder(name, pattern)])).toThrow(message);
    expect(() => loadRules([BUNDLED_RULES_DIR, folder(name, pattern)])).toThrow(new RegExp(`user\\.json: rule user\\.${name}: pattern`));
  });

  it.each([
    ['stem', 'заклад\\p{L}*\\s+\\d+'],
    ['plain', 'aaaa!'],
  ])('accepts %s `%s`', (name, pattern) => {
    expect(loadRules([BUNDLED_RULES_DIR, folder(name, pattern)]).rules.some((r) => r.id === `user.${name}`)).toBe(true);
  });
});
