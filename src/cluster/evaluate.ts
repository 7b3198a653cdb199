export interface PairScores {
  /** Of the pairs put in one cluster, the share that truly belong together. 1 when no pair was predicted. */
  readonly precision: number;
  /** Of the pairs that truly belong together, the share put in one cluster. 1 when there are none. */
  readonly recall: number;
  readonly f1: number;
  readonly predictedPairs: number;
  readonly truePairs: number;
  readonly correctPairs: number;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

function sizes(keys: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/**
 * Pair-counting precision and recall of a clustering against the truth, both given as one cluster key per
 * item (same length, same order). Counts come from the contingency table, so it is linear, not quadratic.
 */
export function pairScores(predicted: readonly string[], truth: readonly string[]): PairScores {
  if (predicted.length !== truth.length) throw new Error(`Expected as many predicted (${predicted.length}) as true (${truth.length}) cluster keys.`);
  let predictedPairs = 0;
  for (const n of sizes(predicted).values()) predictedPairs += pairs(n);
  let truePairs = 0;
  for (const n of sizes(truth).values()) truePairs += pairs(n);
  let correctPairs = 0;
  for (const n of sizes(predicted.map((p, i) => `${p}\u0000${truth[i]!}`)).values()) correctPairs += pairs(n);
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, predictedPairs, truePairs, correctPairs };
}
