import { AhoCorasick } from '@monyone/aho-corasick/fast';
import { QorgauError } from '../errors.js';
import { normalize } from '../normalize/index.js';
import { patternAnchors } from './anchors.js';
import type { CompiledPattern, CompiledRule, LiteralMode, LiteralTarget, MatchSpec, RuleFile, RuleSet } from './types.js';

/**
 * Word characters for boundaries: digits, _, and the letters and combining marks of the Latin, Greek and
 * Cyrillic scripts (Kazakh included). Spelled as ranges because V8 compiles a union of \p{L}\p{M}\p{N} about
 * twenty times slower, and a rule set has hundreds of boundaries.
 */
export const WORD_CLASS = '[0-9_a-zA-Z\\u00C0-\\u024F\\u0300-\\u036F\\u0370-\\u03FF\\u0400-\\u052F\\u1E00-\\u1EFF]';
export const WORD_CHAR = new RegExp(WORD_CLASS, 'u');

// JavaScript's \b only knows ASCII word characters; in rule patterns it means a boundary of WORD_CLASS.
const UNICODE_BOUNDARY = `(?:(?<!${WORD_CLASS})(?=${WORD_CLASS})|(?<=${WORD_CLASS})(?!${WORD_CLASS}))`;

export function unicodeBoundaries(pattern: string): string {
  return pattern.replace(/(\\\\)|\\b/g, (m, escaped: string | undefined) => (escaped ? m : UNICODE_BOUNDARY));
}

/** The normalizer turns ё into е, so a pattern written with ё («моё», «живёт») must too. */
export function foldYo(pattern: string): string {
  return pattern.replace(/ё/g, 'е');
}

/** The most repetitions any quantifier in a rule pattern may take: longer than any word, number or gap a rule means. */
export const MAX_REPEAT = 48;

/**
 * Rewrites every unbounded quantifier (`*`, `+`, `{n,}`) as a bounded one (`{0,48}`, `{1,48}`, `{n,48}`), lazy
 * ones staying lazy. An unbounded `\p{L}*` after a stem rescans the rest of the word at every place the stem
 * occurs in it: «судсудсуд…» (50,000 characters) took 40 s in `суд\p{L}*\s+…`, a quadratic cost in the text's
 * length. Bounded, each try costs at most a constant, so a pattern without nested ambiguity (which
 * `checkPatternSafety` rejects in user rules) runs in time linear in the text.
 */
export function boundQuantifiers(pattern: string, max: number = MAX_REPEAT): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\') {
      // An escape is one unit, braces included: \p{L}, \u{1F600}, \k<name>.
      const m = /^\\(?:[pP]\{[^}]*\}|u\{[0-9a-fA-F]+\}|k<[^>]*>|.)/su.exec(pattern.slice(i));
      const esc = m ? m[0] : c;
      out += esc;
      i += esc.length - 1;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      continue;
    }
    if (c === '*') out += `{0,${max}}`;
    else if (c === '+') out += `{1,${max}}`;
    else if (c === '{') {
      const m = /^\{(\d+),\}/.exec(pattern.slice(i));
      if (m) {
        out += `{${m[1]},${Math.max(Number(m[1]), max)}}`;
        i += m[0].length - 1;
      } else out += c;
    } else out += c;
  }
  return out;
}

/**
 * Patterns run on normalized (lower-case) text without the `i` flag: case folding over \p{L} makes V8 compile
 * and run them several times slower. A leading \b is checked after the match instead of inside the regex, so
 * the engine can scan for the first literal instead of testing a look-behind at every position.
 */
export function compilePattern(pattern: string): CompiledPattern {
  const leadingBoundary = pattern.startsWith('\\b');
  const folded = foldYo(leadingBoundary ? pattern.slice(2) : pattern);
  const anchors = patternAnchors(folded);
  return { regex: new RegExp(boundQuantifiers(unicodeBoundaries(folded)), 'gu'), leadingBoundary, ...(anchors ? { anchors } : {}) };
}

/** Splits `a|b|c` at the top level (outside groups and classes) so each alternative gets its own fast scan. */
export function topLevelAlternatives(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '\\') {
      i += 1;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      depth += 1;
    } else if (c === ')') {
      depth -= 1;
    } else if (c === '|' && depth === 0) {
      parts.push(pattern.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(pattern.slice(from));
  return parts.filter((p) => p.length > 0);
}

const VARIATION_SELECTORS = /[\uFE0E\uFE0F]/g;

/**
 * Literals go through the same normalizer as the posts, so a rule written as «Ёлка» or «LSD» meets the text in
 * whatever form normalization gives both; emoji lose variation selectors so ❄ and ❄️ are one key.
 */
function normalizeLiteral(literal: string, mode: LiteralMode): string {
  const text = normalize(literal).text.trim();
  return mode === 'anywhere' ? text.replace(VARIATION_SELECTORS, '') : text;
}

function patternsOf(spec: MatchSpec): { patterns?: CompiledPattern[] } {
  return spec.patterns?.length ? { patterns: spec.patterns.flatMap(topLevelAlternatives).map(compilePattern) } : {};
}

/**
 * Compiles validated rule files into one Aho-Corasick automaton over every literal (terms, words, emoji of all
 * rules, signals and context entries) plus one regular expression per entry with patterns.
 */
export function compileRules(files: readonly RuleFile[]): RuleSet {
  const rules: CompiledRule[] = [];
  const literals = new Map<string, LiteralTarget[]>();
  const owner = new Map<string, string>();
  const signalNames = new Set(files.flatMap((f) => f.signals.map((s) => s.signal)));

  const addLiterals = (entry: number, spec: MatchSpec, file: string, id: string): void => {
    const lists: [readonly string[] | undefined, LiteralMode][] = [
      [spec.terms, 'prefix'],
      [spec.words, 'word'],
      [spec.emoji, 'anywhere'],
    ];
    for (const [list, mode] of lists) {
      for (const raw of list ?? []) {
        const key = normalizeLiteral(raw, mode);
        if (key.length === 0) throw new QorgauError('bad_rules', `${file}: ${id}: \`${raw}\` is empty after normalization; remove it or write it out.`);
        const targets = literals.get(key) ?? [];
        if (!targets.some((t) => t.entry === entry && t.mode === mode)) targets.push({ entry, mode });
        literals.set(key, targets);
      }
    }
  };

  const claim = (id: string, file: string): void => {
    const other = owner.get(id);
    if (other) throw new QorgauError('bad_rules', `${file}: ${id}: the id is also used in ${other}. Rule ids must be unique.`);
    owner.set(id, file);
  };

  for (const f of files) {
    for (const r of f.rules) {
      claim(r.id, f.file);
      const missing = r.near?.signals.find((s) => !signalNames.has(s));
      if (missing !== undefined) {
        throw new QorgauError(
          'bad_rules',
          `${f.file}: rule ${r.id}: near.signals names \`${missing}\`, which no loaded file defines; known signals: ${[...signalNames].sort().join(', ') || 'none'}.`,
        );
      }
      addLiterals(rules.length, r, f.file, `rule ${r.id}`);
      rules.push({
        kind: 'rule',
        id: r.id,
        category: f.category!,
        categories: [f.category!, ...(r.also ?? [])],
        weight: r.weight,
        ...(r.near ? { near: r.near } : {}),
        ...patternsOf(r),
        file: f.file,
      });
    }
    for (const s of f.signals) {
      claim(s.id, f.file);
      addLiterals(rules.length, s, f.file, `signal ${s.id}`);
      rules.push({ kind: 'signal', id: s.id, signal: s.signal, weight: 0, ...patternsOf(s), file: f.file });
    }
    for (const c of f.context) {
      claim(c.id, f.file);
      addLiterals(rules.length, c, f.file, `context ${c.id}`);
      rules.push({ kind: 'context', id: c.id, category: c.categories[0]!, categories: c.categories, weight: c.weight, ...patternsOf(c), file: f.file });
    }
  }
  const patterns = rules.flatMap((rule, entry) => (rule.patterns ?? []).map((pattern) => ({ entry, pattern })));
  const anchors = new Map<string, number[]>();
  const unanchored: number[] = [];
  patterns.forEach(({ pattern }, index) => {
    if (!pattern.anchors) unanchored.push(index);
    for (const a of pattern.anchors ?? []) anchors.set(a, [...(anchors.get(a) ?? []), index]);
  });
  const keys = new Set([...literals.keys(), ...anchors.keys()]);
  const automaton = keys.size > 0 ? new AhoCorasick([...keys]) : null;
  return { files, rules, literals, automaton, patterns, anchors, unanchored };
}
