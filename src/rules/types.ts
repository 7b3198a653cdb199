import type { Category } from '../types.js';

/** Where a rule looks: the literal lists go into one Aho-Corasick automaton, `patterns` into regular expressions. */
export interface MatchSpec {
  /** Word prefixes (stems): match at the start of a word and run to the end of that word. */
  readonly terms?: readonly string[];
  /** Whole words or phrases: match only between word boundaries. */
  readonly words?: readonly string[];
  /** Emoji (or any symbols) matched anywhere; variation selectors are ignored. */
  readonly emoji?: readonly string[];
  /** Regular expressions over the normalized (lower-case) text; `\b` is a Unicode word boundary. */
  readonly patterns?: readonly string[];
}

export interface RuleExamples {
  readonly positive: readonly string[];
  readonly negative: readonly string[];
}

/** A combination: the rule's weight changes to `weight` when a hit lies within `within` characters of a signal. */
export interface NearSpec {
  readonly signals: readonly string[];
  /** Characters of normalized text between the end of one span and the start of the other. Default 150. */
  readonly within: number;
  readonly weight: number;
}

/** A rule that raises its file's category. */
export interface RuleSpec extends MatchSpec {
  readonly id: string;
  readonly description: string;
  /** Contribution to the category score in [0, 1]; 0 (silent alone) is allowed only with `near`. */
  readonly weight: number;
  readonly near?: NearSpec;
  /** Other categories the rule raises as well («иди повесься» to a classmate is suicide AND cyberbullying). */
  readonly also?: readonly Category[];
  readonly examples: RuleExamples;
}

/** A named cue (price, contact, call to act) that combination rules look for; it scores nothing on its own. */
export interface SignalSpec extends MatchSpec {
  readonly id: string;
  readonly signal: string;
  readonly description: string;
  readonly examples: RuleExamples;
}

/** Text that shows a post reports, prevents or quotes rather than advertises: it lowers the scores of `categories`. */
export interface ContextSpec extends MatchSpec {
  readonly id: string;
  readonly description: string;
  /** How much it lowers a score, in (0, 1]: score × (1 − weight). */
  readonly weight: number;
  readonly categories: readonly Category[];
  readonly examples: RuleExamples;
}

export interface RuleFile {
  readonly category?: Category;
  readonly description?: string;
  readonly rules: readonly RuleSpec[];
  readonly signals: readonly SignalSpec[];
  readonly context: readonly ContextSpec[];
  /** Whole-category examples, checked with every loaded rule at the default threshold. */
  readonly examples?: { readonly flagged: readonly string[]; readonly clean: readonly string[] };
  /** Where it was loaded from, for messages. */
  readonly file: string;
}

export type EntryKind = 'rule' | 'signal' | 'context';

/** One rule, signal or context entry ready to run. */
export interface CompiledRule {
  readonly kind: EntryKind;
  readonly id: string;
  /** For `rule`: its category. For `context`: the first category it lowers. */
  readonly category?: Category;
  readonly weight: number;
  readonly near?: NearSpec;
  /** For `signal`: the signal name. */
  readonly signal?: string;
  /** For `rule`: its category then any `also` categories. For `context`: the categories it lowers. */
  readonly categories?: readonly Category[];
  /** The entry's patterns, compiled. */
  readonly patterns?: readonly CompiledPattern[];
  readonly file: string;
}

export interface CompiledPattern {
  /** Global, Unicode, case-sensitive: it runs on normalized (lower-case) text. */
  readonly regex: RegExp;
  /** The pattern began with \b: checked on each match instead of inside the regex. */
  readonly leadingBoundary: boolean;
  /** Strings of which every match contains one (src/rules/anchors.ts); absent: the pattern runs on every text. */
  readonly anchors?: readonly string[];
}

export type LiteralMode = 'prefix' | 'word' | 'anywhere';

export interface LiteralTarget {
  readonly entry: number;
  readonly mode: LiteralMode;
}

/** Anything that finds every occurrence of a set of literals (the Aho-Corasick automaton). */
export interface LiteralMatcher {
  matchInText(text: string): { begin: number; end: number; keyword: string }[];
}

export interface RuleSet {
  readonly files: readonly RuleFile[];
  readonly rules: readonly CompiledRule[];
  /** Literal (as normalized) → the entries that use it and how it must sit in the text. */
  readonly literals: ReadonlyMap<string, readonly LiteralTarget[]>;
  readonly automaton: LiteralMatcher | null;
  /** Every entry's patterns in one list (entry order), so one text runs only those it may match. */
  readonly patterns: readonly { readonly entry: number; readonly pattern: CompiledPattern }[];
  /** Anchor (in the automaton with the literals) → indices into `patterns`. */
  readonly anchors: ReadonlyMap<string, readonly number[]>;
  /** Indices into `patterns` of those without anchors: they run on every text. */
  readonly unanchored: readonly number[];
}
