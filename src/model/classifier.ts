import type { Category } from '../types.js';

/** Per-category probabilities for one text. Categories the model does not know are absent. */
export type Probabilities = Readonly<Partial<Record<Category, number>>>;

/** What the pipeline needs from a model: texts in, per-category probabilities out, in the same order. */
export interface Classifier {
  readonly name: string;
  classify(texts: readonly string[]): Promise<readonly Probabilities[]>;
  dispose(): Promise<void>;
}
