/**
 * Literal anchors of a rule pattern: strings of which every match of the pattern contains at least one. The
 * Aho-Corasick pass that finds rule terms also finds anchors, and a pattern runs only on texts holding one of
 * its anchors. Running all ~300 patterns on every post cost more than everything else in the rule stage (V8
 * switching between hundreds of compiled regexes); most posts hold the anchors of a few.
 *
 * The reading is conservative: whatever this parser does not fully understand (classes, escapes other than
 * escaped punctuation, back-references, an alternative without anchors) gives no anchors, and such a pattern
 * runs on every text. A wrong anchor would silently lose rule hits, so the parser only ever under-claims.
 */

/** One item of a sequence: a run of literal characters, a group (its alternatives), or something else. */
type Item =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'group'; readonly alternatives: readonly (readonly Item[])[] }
  | { readonly kind: 'other' };

interface Parsed {
  readonly items: Item[];
  readonly end: number;
}

// Escaped characters that stand for themselves in a `u` regex.
const ESCAPED_LITERAL = new Set([...'^$\\.*+?()[]{}|/-']);
const SYNTAX = new Set([...'^$\\.*+?()[]{}|']);

/** Whether the quantifier at `i` (if any) allows zero repetitions: `?`, `*`, `{0`, `{,`. */
function optionalAt(source: string, i: number): boolean {
  const c = source[i];
  if (c === '?' || c === '*') return true;
  if (c === '{') return /^\{\s*(?:0|,)/.test(source.slice(i));
  return false;
}

/** Skips a quantifier at `i` (with its lazy `?`), returning the index after it. */
function skipQuantifier(source: string, i: number): number {
  const c = source[i];
  let j = i;
  if (c === '?' || c === '*' || c === '+') j = i + 1;
  else if (c === '{') {
    const close = source.indexOf('}', i);
    if (close === -1) throw new Error('unclosed quantifier');
    j = close + 1;
  } else return i;
  return source[j] === '?' ? j + 1 : j;
}

/** Index after a character class starting at `i` (`[`). */
function skipClass(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === '^') j += 1;
  if (source[j] === ']') j += 1;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  if (j >= source.length) throw new Error('unclosed class');
  return j + 1;
}

/** Index after an escape starting at `i` (`\`) that is not a literal: \p{…}, \u{…}, \uXXXX, \xXX, \k<…>, \cX, \d … */
function skipEscape(source: string, i: number): number {
  const c = source[i + 1];
  if ((c === 'p' || c === 'P') && source[i + 2] === '{') return source.indexOf('}', i) + 1;
  if (c === 'u') return source[i + 2] === '{' ? source.indexOf('}', i) + 1 : i + 6;
  if (c === 'x') return i + 4;
  if (c === 'k') return source.indexOf('>', i) + 1;
  if (c === 'c') return i + 3;
  return i + 2;
}

/** Parses a sequence of alternatives from `i` up to an unmatched `)` or the end. */
function parseAlternatives(source: string, i: number): { alternatives: Item[][]; end: number } {
  const alternatives: Item[][] = [];
  let at = i;
  for (;;) {
    const seq = parseSequence(source, at);
    alternatives.push(seq.items);
    at = seq.end;
    if (source[at] === '|') {
      at += 1;
      continue;
    }
    return { alternatives, end: at };
  }
}

function parseSequence(source: string, start: number): Parsed {
  const items: Item[] = [];
  let run = '';
  const flush = (): void => {
    if (run) items.push({ kind: 'literal', text: run });
    run = '';
  };
  let i = start;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '|' || c === ')') break;
    if (c === '(') {
      flush();
      let bodyStart = i + 1;
      let lookaround = false;
      if (source.startsWith('?:', bodyStart)) bodyStart += 2;
      else if (source.startsWith('?=', bodyStart) || source.startsWith('?!', bodyStart)) (bodyStart += 2), (lookaround = true);
      else if (source.startsWith('?<=', bodyStart) || source.startsWith('?<!', bodyStart)) (bodyStart += 3), (lookaround = true);
      else if (source.startsWith('?<', bodyStart)) bodyStart = source.indexOf('>', bodyStart) + 1;
      else if (source[bodyStart] === '?') throw new Error('unknown group');
      const inner = parseAlternatives(source, bodyStart);
      if (source[inner.end] !== ')') throw new Error('unclosed group');
      i = inner.end + 1;
      const optional = optionalAt(source, i);
      i = skipQuantifier(source, i);
      // Lookarounds match no text of their own; an optional group may match nothing.
      items.push(lookaround || optional ? { kind: 'other' } : { kind: 'group', alternatives: inner.alternatives });
      continue;
    }
    let literal: string | null = null;
    let next: number;
    if (c === '\\') {
      const e = source[i + 1];
      if (e !== undefined && ESCAPED_LITERAL.has(e)) {
        literal = e;
        next = i + 2;
      } else {
        next = skipEscape(source, i);
      }
    } else if (c === '[') {
      next = skipClass(source, i);
    } else if (SYNTAX.has(c)) {
      // ^ $ . and a stray quantifier: nothing literal.
      next = i + 1;
    } else {
      const cp = source.codePointAt(i)!;
      literal = String.fromCodePoint(cp);
      next = i + literal.length;
    }
    // A quantifier binds to this one character (or escape, or class) only.
    const optional = optionalAt(source, next);
    const after = skipQuantifier(source, next);
    if (literal !== null && !optional) {
      run += literal;
      // `a+` or `a{2}`: the character is there once, but what follows is not necessarily adjacent to it.
      if (after !== next) flush();
    } else {
      flush();
      items.push({ kind: 'other' });
    }
    i = after;
  }
  flush();
  return { items, end: i };
}

/** Anchors of a sequence: the mandatory item whose anchors are the most selective (longest shortest anchor). */
function sequenceAnchors(items: readonly Item[]): string[] | null {
  let best: string[] | null = null;
  let bestScore = -1;
  for (const item of items) {
    const anchors = itemAnchors(item);
    if (!anchors) continue;
    const score = Math.min(...anchors.map((a) => a.length)) * 1000 - anchors.length;
    if (score > bestScore) (best = anchors), (bestScore = score);
  }
  return best;
}

function itemAnchors(item: Item): string[] | null {
  if (item.kind === 'literal') return [item.text];
  if (item.kind === 'other') return null;
  const all = new Set<string>();
  for (const alternative of item.alternatives) {
    const anchors = sequenceAnchors(alternative);
    if (!anchors) return null;
    for (const a of anchors) all.add(a);
  }
  return [...all];
}

/**
 * Strings of which every match of `source` (a `u`-mode regex source, as the rule compiler builds it) contains
 * one, or null when the pattern must run on every text.
 */
export function patternAnchors(source: string): string[] | null {
  try {
    const parsed = parseAlternatives(source, 0);
    if (parsed.end !== source.length) return null;
    return itemAnchors({ kind: 'group', alternatives: parsed.alternatives });
  } catch {
    return null;
  }
}
