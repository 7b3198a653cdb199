import { createRequire } from 'node:module';
import { QorgauError } from '../errors.js';

interface RecheckResult {
  readonly status: 'safe' | 'vulnerable' | 'unknown';
  readonly complexity?: { readonly type: 'safe' | 'linear' | 'polynomial' | 'exponential'; readonly degree?: number; readonly summary: string };
  readonly attack?: { readonly pattern: string };
}

type CheckSync = (source: string, flags: string, params?: { timeout?: number }) => RecheckResult;

let checkSync: CheckSync | undefined;

/**
 * Rejects a user's rule pattern that can backtrack catastrophically, before it meets a post: exponential in the
 * text (`(a+)+$`), or polynomial of degree 3 or more, where bounding each quantifier (compile.ts) still leaves a
 * cost per character in the millions. Degree 2, the common `\p{L}*\s+` kind, is made linear by those bounds.
 * The checker is recheck (its native binary, from npm), loaded only when a rule folder of the user's is; a pattern
 * it cannot decide within the time limit is accepted, and the per-post time budget is what bounds it.
 */
export function checkPatternSafety(pattern: string, file: string, where: string, timeoutMs = 5000): void {
  checkSync ??= (createRequire(import.meta.url)('recheck') as { checkSync: CheckSync }).checkSync;
  const result = checkSync(pattern, 'u', { timeout: timeoutMs });
  if (result.status !== 'vulnerable' || !result.complexity) return;
  const { type, degree } = result.complexity;
  if (type === 'exponential' || (type === 'polynomial' && (degree ?? 2) >= 3)) {
    const attack = result.attack ? ` (on a text like ${result.attack.pattern})` : '';
    throw new QorgauError(
      'bad_rules',
      `${file}: ${where}: pattern \`${pattern}\` can take ${result.complexity.summary} time in the length of a post${attack}. Rewrite it so that no two quantifiers can match the same characters in turn, e.g. (a+)+ → a+, (\\w+\\s?)+ → [\\w\\s]+.`,
    );
  }
}
