import { toOriginalSpan } from '../normalize/index.js';
import type { Category, Evidence, NormalizedText } from '../types.js';
import { CATEGORIES } from '../types.js';
import type { RuleSet } from './types.js';

export interface RuleOutcome {
  readonly evidence: readonly Evidence[];
  /** Noisy-OR of the weights of the distinct rules that fired, per category. */
  readonly scores: Readonly<Record<Category, number>>;
}

const MAX_EVIDENCE_PER_RULE = 5;

/** Runs every rule over the normalized text; evidence spans are mapped back to the original text. */
export function matchRules(rules: RuleSet, text: NormalizedText): RuleOutcome {
  const evidence: Evidence[] = [];
  const miss: Record<Category, number> = Object.fromEntries(CATEGORIES.map((c) => [c, 1])) as Record<Category, number>;
  for (const rule of rules.rules) {
    rule.regex.lastIndex = 0;
    let hits = 0;
    for (const m of text.text.matchAll(rule.regex)) {
      if (m[0].length === 0) continue;
      const span = toOriginalSpan(text, m.index, m.index + m[0].length);
      evidence.push({
        category: rule.category,
        rule: rule.id,
        match: text.original.slice(span.start, span.end),
        start: span.start,
        end: span.end,
        weight: rule.weight,
      });
      hits += 1;
      if (hits >= MAX_EVIDENCE_PER_RULE) break;
    }
    if (hits > 0) miss[rule.category] *= 1 - rule.weight;
  }
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, 1 - miss[c]])) as Record<Category, number>;
  evidence.sort((a, b) => a.start - b.start || a.end - b.end);
  return { evidence, scores };
}
