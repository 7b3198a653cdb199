import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/normalize/index.js';
import { compileRule, loadRules, validateRuleFile } from '../../src/rules/load.js';
import { matchRules } from '../../src/rules/match.js';
import { BUNDLED_RULES_DIR } from '../../src/paths.js';

const ruleSet = loadRules([BUNDLED_RULES_DIR]);
const cases = ruleSet.files.flatMap((file) =>
  file.rules.flatMap((rule) => [
    ...rule.examples.positive.map((text) => ({ id: rule.id, text, fires: true, file, rule })),
    ...rule.examples.negative.map((text) => ({ id: rule.id, text, fires: false, file, rule })),
  ]),
);

describe('bundled rule examples', () => {
  it('has at least one example of each kind for every rule', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const f of ruleSet.files) for (const r of f.rules) expect(r.examples.positive.length * r.examples.negative.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.id, c.fires ? 'fires on' : 'stays silent on', c.text, c] as const))('%s %s %j', (_id, _what, text, c) => {
    const single = { files: [c.file], rules: [compileRule(c.file, c.rule)] };
    const fired = matchRules(single, normalize(text)).evidence.some((e) => e.rule === c.id);
    expect(fired).toBe(c.fires);
  });
});

describe('validateRuleFile()', () => {
  const good = { id: 'x.y', description: 'd', weight: 0.5, terms: ['a'], examples: { positive: ['a'], negative: ['b'] } };
  it.each([
    [{ category: 'drug', rules: [] }, 'f.yaml: expected `category` to be one of'],
    [{ category: 'drugs', rules: [{ ...good, weight: 2 }] }, 'f.yaml: rule x.y: expected `weight` to be a number in (0, 1], got `2`.'],
    [{ category: 'drugs', rules: [{ ...good, patterns: ['(unclosed'] }] }, 'f.yaml: rule x.y: pattern `(unclosed` is not a valid regular expression'],
    [{ category: 'drugs', rules: [{ ...good, examples: { positive: ['a'], negative: [] } }] }, 'rule x.y: expected at least one positive and one negative example'],
    [{ category: 'drugs', rules: [good, good] }, 'rule x.y: duplicate id'],
    [{ category: 'drugs', rules: [{ ...good, terms: undefined }] }, 'rule x.y: expected `terms` or `patterns`'],
  ])('rejects %j', (data, message) => {
    expect(() => validateRuleFile(data, 'f.yaml')).toThrow(message);
  });

  it('treats \\b in patterns as a Unicode word boundary', () => {
    const file = validateRuleFile({ category: 'drugs', rules: [{ ...good, terms: undefined, patterns: ['\\bсоль\\b'] }] }, 'f.yaml');
    const set = { files: [file], rules: [compileRule(file, file.rules[0]!)] };
    expect(matchRules(set, normalize('соль 1г')).evidence).toHaveLength(1);
    expect(matchRules(set, normalize('фасоль')).evidence).toHaveLength(0);
  });
});
