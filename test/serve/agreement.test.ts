import { describe, expect, it } from 'vitest';
import { agreementReport } from '../../src/serve/agreement.js';
import type { CurrentDecision } from '../../src/serve/store/index.js';
import type { Category } from '../../src/types.js';

function d(post: string, reviewer: string, labels: Category[], viaCluster = false): CurrentDecision {
  return { postId: post, hash: 'h', reviewer, role: 'reviewer', decision: labels.length ? 'confirmed' : 'clean', labels, note: null, viaCluster, decidedAt: 0 };
}

describe('agreementReport', () => {
  it.each([
    ['full agreement', [d('1', 'a', ['drugs']), d('1', 'b', ['drugs']), d('2', 'a', []), d('2', 'b', [])], 1, 1],
    // Two agreeing and two split items with yes as often as no: exactly chance.
    ['chance', [d('1', 'a', ['drugs']), d('1', 'b', ['drugs']), d('2', 'a', []), d('2', 'b', []), d('3', 'a', ['drugs']), d('3', 'b', []), d('4', 'a', []), d('4', 'b', ['drugs'])], 0.5, 0],
    ['systematic disagreement', [d('1', 'a', ['drugs']), d('1', 'b', []), d('2', 'a', []), d('2', 'b', ['drugs'])], 0, -1],
  ])('%s: exact %d, kappa %d', (_what, decisions, exact, kappa) => {
    const r = agreementReport(decisions);
    expect(r.exact).toBe(exact);
    expect(r.flagged.kappa).toBe(kappa);
    expect(r.perCategory.drugs.kappa).toBe(kappa);
  });

  it('counts only posts two or more reviewers decided directly, and reports each pair', () => {
    const r = agreementReport([
      d('1', 'a', ['drugs']),
      d('1', 'b', ['drugs', 'fraud']),
      d('1', 'c', ['drugs']),
      d('2', 'a', ['fraud']),
      // Decided through the cluster: not an independent rating.
      d('2', 'b', ['fraud'], true),
      d('3', 'c', []),
    ]);
    expect(r.items).toBe(1);
    expect(r.exact).toBe(0);
    expect(r.perCategory.drugs).toEqual({ positives: 3, agreement: 1, kappa: null });
    expect(r.perCategory.fraud).toMatchObject({ positives: 1, agreement: 0 });
    expect(r.pairs).toEqual([
      { a: 'a', b: 'b', items: 1, exact: 0 },
      { a: 'a', b: 'c', items: 1, exact: 1 },
      { a: 'b', b: 'c', items: 1, exact: 0 },
    ]);
  });
});
