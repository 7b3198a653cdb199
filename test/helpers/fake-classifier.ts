import type { Classifier, Probabilities } from '../../src/model/classifier.js';

/** A deterministic stand-in for the transformer: probabilities from keywords, and a log of batches. */
export function fakeClassifier(rules: Record<string, Probabilities> = {}): Classifier & { batches: string[][] } {
  const batches: string[][] = [];
  return {
    name: 'fake',
    batches,
    async classify(texts) {
      batches.push([...texts]);
      return texts.map((t) => {
        for (const [needle, probs] of Object.entries(rules)) if (t.includes(needle)) return probs;
        return {};
      });
    },
    async dispose() {},
  };
}
