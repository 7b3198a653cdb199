import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/normalize/index.js';
import { resolveOptions } from '../../src/options.js';
import { BUNDLED_RULES_DIR } from '../../src/paths.js';
import { loadRules } from '../../src/rules/load.js';
import { findHits, matchRules } from '../../src/rules/match.js';
import type { RuleSet } from '../../src/rules/types.js';
import type { Category } from '../../src/types.js';

const ruleSet = loadRules([BUNDLED_RULES_DIR]);
const thresholds = resolveOptions({ model: false, onNotice: () => {} }).thresholds;

/**
 * Whether entry `id` fires on `text` with every bundled rule loaded (combination rules need the signals). A
 * combination rule (`near`) fires only when the combination holds: its examples show the word WITH a signal
 * (positive) and the same word without one (negative).
 */
function fires(set: RuleSet, id: string, text: string): boolean {
  const entry = set.rules.findIndex((r) => r.id === id);
  const rule = set.rules[entry]!;
  const normalized = normalize(text);
  if (rule.kind === 'rule') {
    return matchRules(set, normalized).evidence.some((e) => e.rule === id && (e.weight ?? 0) > 0 && (!rule.near || e.near !== undefined));
  }
  return findHits(set, normalized.text).some((h) => h.entry === entry);
}

const entries = ruleSet.files.flatMap((file) =>
  [...file.rules, ...file.signals, ...file.context].flatMap((entry) => [
    ...entry.examples.positive.map((text) => [entry.id, 'fires on', text, true] as const),
    ...entry.examples.negative.map((text) => [entry.id, 'stays silent on', text, false] as const),
  ]),
);

const categoryCases = ruleSet.files.flatMap((file) =>
  file.examples && file.category
    ? [
        ...file.examples.flagged.map((text) => [file.category!, 'flags', text, true] as const),
        ...file.examples.clean.map((text) => [file.category!, 'leaves clean', text, false] as const),
      ]
    : [],
);

describe('bundled rule examples', () => {
  it('covers all nine categories, each with whole-category examples', () => {
    const categories = new Set(ruleSet.files.map((f) => f.category).filter(Boolean));
    expect([...categories].sort()).toEqual(['cyberbullying', 'drugs', 'extremism', 'fraud', 'gambling', 'hate', 'sexual', 'suicide', 'weapons']);
    for (const f of ruleSet.files) if (f.category) expect(f.examples?.flagged.length, f.file).toBeGreaterThan(0);
  });

  it.each(entries)('%s %s %j', (id, _what, text, expected) => {
    expect(fires(ruleSet, id, text)).toBe(expected);
  });

  it.each(categoryCases)('%s: %s %j', (category: Category, _what, text, flagged) => {
    const outcome = matchRules(ruleSet, normalize(text));
    const why = outcome.evidence.map((e) => `${e.rule} «${e.match}» ${e.weight}`).join('; ');
    expect(outcome.scores[category] >= thresholds[category], `score ${outcome.scores[category]}: ${why}`).toBe(flagged);
  });
});
