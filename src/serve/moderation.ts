import { CATEGORIES, isErrorRecord, type Category, type Output } from '../types.js';

/** One entry of `results[]` in OpenAI's moderation response, over qorgau's categories, plus qorgau's own fields. */
export interface ModerationResult {
  readonly flagged: boolean;
  readonly categories: Readonly<Record<Category, boolean>>;
  readonly category_scores: Readonly<Record<Category, number>>;
  readonly category_applied_input_types: Readonly<Record<Category, readonly 'text'[]>>;
  readonly qorgau: Readonly<Record<string, unknown>>;
}

export interface ModerationResponse {
  readonly id: string;
  readonly model: string;
  readonly results: readonly ModerationResult[];
}

const TEXT_ONLY = Object.fromEntries(CATEGORIES.map((c) => [c, ['text']])) as unknown as Record<Category, readonly 'text'[]>;

/**
 * Maps a qorgau output to OpenAI's moderation result: `flagged` when any category is a label, the labels as
 * `categories`, the fused scores as `category_scores`. An input that could not be scored is not flagged and
 * carries its error under `qorgau.error`, so `results` stays one per input, in order.
 */
export function toModerationResult(out: Output): ModerationResult {
  if (isErrorRecord(out)) {
    return {
      flagged: false,
      categories: Object.fromEntries(CATEGORIES.map((c) => [c, false])) as Record<Category, boolean>,
      category_scores: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>,
      category_applied_input_types: TEXT_ONLY,
      qorgau: { error: out.error },
    };
  }
  return {
    flagged: out.labels.length > 0,
    categories: Object.fromEntries(CATEGORIES.map((c) => [c, out.labels.includes(c)])) as Record<Category, boolean>,
    category_scores: Object.fromEntries(CATEGORIES.map((c) => [c, out.scores[c] ?? 0])) as Record<Category, number>,
    category_applied_input_types: TEXT_ONLY,
    qorgau: { lang: out.lang, labels: out.labels, priority: out.priority, evidence: out.evidence, contacts: out.contacts },
  };
}
