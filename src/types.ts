/** The nine categories qorgau scores, in the order used everywhere (CLI, JSON, rule files, model labels). */
export const CATEGORIES = [
  'drugs',
  'cyberbullying',
  'extremism',
  'hate',
  'suicide',
  'gambling',
  'fraud',
  'sexual',
  'weapons',
] as const;

export type Category = (typeof CATEGORIES)[number];

export type CategoryScores = Readonly<Record<Category, number>>;

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

/** One input record as read from a dataset. `source`/`line` locate it for error records. */
export interface Post {
  readonly id: string;
  readonly text: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly source?: string;
  readonly line?: number;
  /** What was not right about the record though it could be read; copied to its result. */
  readonly warnings?: readonly Warning[];
}

/**
 * `bad_encoding`: the bytes were not valid UTF-8 (read as cp1251, or with U+FFFD replacement characters), or the
 * text holds U+FFFD. The post is scored all the same.
 */
export type Warning = 'bad_encoding';

export type ErrorCode =
  | 'bad_json'
  | 'bad_record'
  | 'missing_text'
  | 'empty_text'
  | 'text_too_long'
  | 'bad_encoding'
  | 'bad_csv'
  | 'too_deep'
  | 'meta_too_large'
  | 'unwritable_file'
  | 'unreadable_file'
  | 'unknown_format'
  | 'bad_options'
  | 'bad_rules'
  | 'bad_model'
  | 'bad_database'
  | 'scoring_failed'
  | 'scoring_timeout'
  /** A queue entry delivered more times than `maxDeliveries` (it crashed or stalled the workers that took it). */
  | 'too_many_deliveries'
  /** A queue entry that was deleted from its stream before a worker could read it. */
  | 'entry_lost'
  /** A message engine (Redis, NATS) that could not be reached or refused a command. */
  | 'queue_failed';

/** A record that could not be read or scored: it replaces the result for that record in the output. */
export interface ErrorRecord {
  readonly id?: string;
  readonly source: string;
  readonly line: number;
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

export type Language = 'ru' | 'kk' | 'mixed' | 'other';

export interface LanguageGuess {
  readonly lang: Language;
  readonly confidence: number;
  /** For `mixed` posts: each sentence's language, with offsets into the text that was passed in. */
  readonly sentences?: readonly SentenceLanguage[];
}

export interface SentenceLanguage {
  readonly start: number;
  readonly end: number;
  readonly lang: Language;
  readonly confidence: number;
}

/** A run of text after normalization, with a map from every normalized UTF-16 unit back to the original. */
export interface NormalizedText {
  readonly original: string;
  readonly text: string;
  /** starts[i] / ends[i]: the original [start, end) that produced normalized unit i. */
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
}

export interface NormalizedPost extends NormalizedText {
  readonly post: Post;
}

export type TokenType = 'word' | 'number' | 'url' | 'handle' | 'hashtag' | 'phone' | 'price' | 'emoji' | 'bot' | 'telegram' | 'email';

/** Offsets are into the normalized text; map them with `toOriginalSpan`. */
export interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Words: the Russian or Kazakh stem; emoji: the name (❄ → snowflake); other tokens: the text. */
  readonly stem?: string;
}

/** A token of a normalized text with its span in the ORIGINAL text as well. */
export interface MappedToken extends Token {
  readonly originalStart: number;
  readonly originalEnd: number;
}

/** Why a category scored: a rule hit with a span in the ORIGINAL text (UTF-16 offsets, as String.slice). */
export interface Evidence {
  readonly category: Category;
  readonly rule: string;
  readonly match: string;
  readonly start: number;
  readonly end: number;
  /** The rule's weight; negative for context that LOWERED the category (reporting, prevention, UI text). */
  readonly weight?: number;
  /** For a combination rule: the signal (price, contact, call to act) that made this hit count. */
  readonly near?: { readonly rule: string; readonly match: string; readonly start: number; readonly end: number };
}

export interface Contact {
  readonly type: 'telegram' | 'handle' | 'bot' | 'phone' | 'url' | 'card';
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export interface Result {
  readonly id: string;
  readonly lang: Language;
  readonly labels: readonly Category[];
  readonly scores: CategoryScores;
  readonly priority: number;
  readonly evidence: readonly Evidence[];
  readonly contacts: readonly Contact[];
  readonly text: string;
  readonly source?: string;
  readonly line?: number;
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Present when the record had a problem that did not stop it being scored (see `Warning`). */
  readonly warnings?: readonly Warning[];
  /** Scores before fusion, only with the `keepComponents` option. */
  readonly components?: { readonly rules: CategoryScores; readonly model?: Readonly<Partial<Record<Category, number>>>; readonly linear?: Readonly<Partial<Record<Category, number>>> };
  /** Near-duplicate cluster: the id of its representative (highest-priority member). Set when output is clustered. */
  readonly cluster?: string;
  /** Candidates in that cluster, this one included. */
  readonly clusterSize?: number;
}

export type Output = Result | ErrorRecord;

export function isErrorRecord(value: Post | Result | ErrorRecord): value is ErrorRecord {
  return 'error' in value;
}
