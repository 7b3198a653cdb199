import type { Category } from '../types.js';

/** One rule as written in a rule file (data only: strings, numbers, lists). */
export interface RuleSpec {
  readonly id: string;
  readonly description: string;
  /** Contribution to the category score in (0, 1]. */
  readonly weight: number;
  /** Word prefixes (stems) matched at the start of a word of the normalized text. */
  readonly terms?: readonly string[];
  /** Regular expressions (Unicode, case-insensitive) matched on the normalized text. */
  readonly patterns?: readonly string[];
  readonly examples: { readonly positive: readonly string[]; readonly negative: readonly string[] };
}

export interface RuleFile {
  readonly category: Category;
  readonly description?: string;
  readonly rules: readonly RuleSpec[];
  /** Where it was loaded from, for messages. */
  readonly file: string;
}

/** Rules ready to run: plain data plus compiled regular expressions. */
export interface CompiledRule {
  readonly category: Category;
  readonly id: string;
  readonly weight: number;
  readonly regex: RegExp;
}

export interface RuleSet {
  readonly files: readonly RuleFile[];
  readonly rules: readonly CompiledRule[];
}
