import { toOriginalSpan } from '../normalize/index.js';
import type { Category, Evidence, NormalizedText } from '../types.js';
import { CATEGORIES } from '../types.js';
import { WORD_CHAR } from './compile.js';
import type { CompiledRule, RuleSet } from './types.js';

export interface RuleOutcome {
  /**
   * Rule hits that raised a category (positive weight) and context that lowered one (negative weight), with
   * spans in the ORIGINAL text, sorted by position.
   */
  readonly evidence: readonly Evidence[];
  /** Per category: noisy-OR of the weights of the distinct rules that fired, times (1 − context) for each context hit. */
  readonly scores: Readonly<Record<Category, number>>;
}

/** One place an entry (rule, signal or context) matched, in normalized-text offsets. */
export interface RuleHit {
  /** Index into `RuleSet.rules`. */
  readonly entry: number;
  readonly start: number;
  readonly end: number;
}

const MAX_EVIDENCE_PER_RULE = 5;
const MAX_HITS_PER_PATTERN = 50;
const MAX_HITS_PER_ENTRY = 64;
// A prefix term runs to the end of its word: letters only, so «меф» in «мефедрон1г» stops before the digit.
const LETTER = /[\p{L}\p{M}]/u;

function charBefore(text: string, i: number): string {
  if (i <= 0) return '';
  const lo = text.charCodeAt(i - 1);
  return lo >= 0xdc00 && lo <= 0xdfff && i >= 2 ? text.slice(i - 2, i) : text.slice(i - 1, i);
}

function charAt(text: string, i: number): string {
  if (i >= text.length) return '';
  return String.fromCodePoint(text.codePointAt(i)!);
}

/** Every place every entry matched: literals through the automaton, then the patterns whose anchors it found. */
export function findHits(set: RuleSet, text: string, check?: () => void): RuleHit[] {
  const hits: RuleHit[] = [];
  // Hits kept per entry: evidence shows five and a score needs one, but a post that repeats a word 100,000 times
  // would otherwise pair every hit with every signal hit (quadratic) in matchRules.
  const perEntry = new Uint16Array(set.rules.length);
  // The end of the letter run last measured: a prefix term found many times in one long word («мефмефмеф…»)
  // measures the word once, not once per occurrence.
  let runFrom = -1;
  let runEnd = -1;
  const run = new Uint8Array(set.patterns.length);
  for (const i of set.unanchored) run[i] = 1;
  if (set.automaton) {
    for (const m of set.automaton.matchInText(text)) {
      const anchored = set.anchors.get(m.keyword);
      if (anchored) for (const i of anchored) run[i] = 1;
      const targets = set.literals.get(m.keyword);
      if (!targets) continue;
      // A literal that starts or ends with a symbol (@, #, emoji) carries its own boundary.
      const startsWord = WORD_CHAR.test(m.keyword[0]!);
      const endsWord = WORD_CHAR.test(m.keyword[m.keyword.length - 1]!);
      const atWordStart = !startsWord || !WORD_CHAR.test(charBefore(text, m.begin));
      for (const t of targets) {
        if (perEntry[t.entry]! >= MAX_HITS_PER_ENTRY) continue;
        if (t.mode === 'anywhere') {
          perEntry[t.entry]! += 1;
          hits.push({ entry: t.entry, start: m.begin, end: m.end });
          continue;
        }
        if (!atWordStart) continue;
        if (t.mode === 'word') {
          if (!endsWord || !WORD_CHAR.test(charAt(text, m.end))) {
            perEntry[t.entry]! += 1;
            hits.push({ entry: t.entry, start: m.begin, end: m.end });
          }
        } else {
          let end: number;
          if (m.end >= runFrom && m.end <= runEnd) end = runEnd;
          else {
            end = m.end;
            while (end < text.length && LETTER.test(charAt(text, end))) end += charAt(text, end).length;
            runFrom = m.end;
            runEnd = end;
          }
          perEntry[t.entry]! += 1;
          hits.push({ entry: t.entry, start: m.begin, end });
        }
      }
    }
  }
  for (let p = 0; p < run.length; p += 1) {
    if (run[p] === 0) continue;
    check?.();
    const { entry, pattern } = set.patterns[p]!;
    const { regex, leadingBoundary } = pattern;
    regex.lastIndex = 0;
    let n = 0;
    let m: RegExpExecArray | null;
    while ((m = regex.exec(text)) !== null) {
      const start = m.index;
      if (m[0].length === 0) {
        regex.lastIndex = start + 1;
        continue;
      }
      if (leadingBoundary && WORD_CHAR.test(charBefore(text, start)) === WORD_CHAR.test(charAt(text, start))) {
        // Not at a word boundary: retry one unit later so a valid match that overlaps this one is not skipped.
        regex.lastIndex = start + 1;
        continue;
      }
      hits.push({ entry, start, end: start + m[0].length });
      if (++n >= MAX_HITS_PER_PATTERN) break;
    }
  }
  hits.sort((a, b) => a.entry - b.entry || a.start - b.start || b.end - a.end);
  // Within one entry, keep only hits not covered by an earlier, longer one (prefix terms «меф» and «мефедрон»).
  const kept: RuleHit[] = [];
  for (const h of hits) {
    const last = kept[kept.length - 1];
    if (last && last.entry === h.entry && h.start >= last.start && h.end <= last.end) continue;
    kept.push(h);
  }
  return kept;
}

function gap(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return Math.max(0, b.start - a.end, a.start - b.end);
}

function span(text: NormalizedText, start: number, end: number): { match: string; start: number; end: number } {
  const s = toOriginalSpan(text, start, end);
  return { match: text.original.slice(s.start, s.end), start: s.start, end: s.end };
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

/**
 * Runs every rule over the normalized text. A combination rule counts with its `near.weight` where a signal is
 * close, with its plain weight elsewhere; context entries then lower the categories they name. Evidence spans
 * are mapped back to the original text.
 */
export function matchRules(set: RuleSet, text: NormalizedText, check?: () => void): RuleOutcome {
  const hits = findHits(set, text.text, check);
  const signals = new Map<string, { hit: RuleHit; rule: CompiledRule }[]>();
  for (const h of hits) {
    const rule = set.rules[h.entry]!;
    if (rule.kind !== 'signal') continue;
    const list = signals.get(rule.signal!) ?? [];
    list.push({ hit: h, rule });
    signals.set(rule.signal!, list);
  }

  const evidence: Evidence[] = [];
  const best = new Map<number, number>();
  const perRule = new Map<number, number>();
  for (const h of hits) {
    const rule = set.rules[h.entry]!;
    if (rule.kind !== 'rule') continue;
    let weight = rule.weight;
    let near: Evidence['near'];
    if (rule.near && rule.near.weight > weight) {
      let nearest: { hit: RuleHit; rule: CompiledRule } | undefined;
      let distance = Infinity;
      for (const name of rule.near.signals) {
        for (const s of signals.get(name) ?? []) {
          // A signal on the very words of the hit (a casino word that is also a gambling signal) adds nothing.
          if (s.hit.start < h.end && h.start < s.hit.end) continue;
          const d = gap(h, s.hit);
          if (d < distance) [distance, nearest] = [d, s];
        }
      }
      if (nearest && distance <= rule.near.within) {
        weight = rule.near.weight;
        near = { rule: nearest.rule.id, ...span(text, nearest.hit.start, nearest.hit.end) };
      }
    }
    if (weight <= 0) continue;
    best.set(h.entry, Math.max(best.get(h.entry) ?? 0, weight));
    const shown = perRule.get(h.entry) ?? 0;
    if (shown >= MAX_EVIDENCE_PER_RULE) continue;
    perRule.set(h.entry, shown + 1);
    const where = span(text, h.start, h.end);
    for (const category of rule.categories!) evidence.push({ category, rule: rule.id, ...where, weight, ...(near ? { near } : {}) });
  }

  const miss = Object.fromEntries(CATEGORIES.map((c) => [c, 1])) as Record<Category, number>;
  for (const [entry, weight] of best) for (const c of set.rules[entry]!.categories!) miss[c] *= 1 - weight;
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, 1 - miss[c]])) as Record<Category, number>;

  // Context only matters (and is only shown) for categories some rule raised.
  const damped = new Set<string>();
  for (const h of hits) {
    const rule = set.rules[h.entry]!;
    if (rule.kind !== 'context') continue;
    for (const c of rule.categories!) {
      if (scores[c] <= 0) continue;
      const key = `${h.entry}:${c}`;
      if (damped.has(key)) continue;
      damped.add(key);
      scores[c] *= 1 - rule.weight;
      evidence.push({ category: c, rule: rule.id, ...span(text, h.start, h.end), weight: -rule.weight });
    }
  }
  for (const c of CATEGORIES) scores[c] = round(scores[c]);
  evidence.sort((a, b) => a.start - b.start || a.end - b.end);
  return { evidence, scores };
}
