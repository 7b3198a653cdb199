import { CATEGORIES, isCategory, type Category, type Evidence } from '../types.js';
import { escapeHtml } from './html.js';

/** A run of text covered by the same evidence: one `<mark>`. */
export interface MarkSegment {
  readonly start: number;
  readonly end: number;
  /**
   * The category that colours the mark: the heaviest evidence covering it, or `context` where only context
   * evidence (negative weight: a police report, a helpline) covers it, so what lowered a score is not shown
   * as if it raised one.
   */
  readonly category: Category | 'context';
  /** Every category and rule whose evidence covers the run. */
  readonly categories: readonly Category[];
  readonly rules: readonly string[];
}

function usable(e: Evidence, length: number): boolean {
  return (
    isCategory(e.category) &&
    Number.isInteger(e.start) &&
    Number.isInteger(e.end) &&
    e.start >= 0 &&
    e.start < e.end &&
    e.end <= length &&
    typeof e.rule === 'string'
  );
}

/**
 * Cuts the text into non-overlapping marked runs from evidence spans that may overlap (two rules on one
 * phrase, a phrase inside a longer one). Each run lists everything that covers it; neighbouring runs with
 * the same cover are one run. Spans outside the text (a hand-edited results file) are skipped.
 */
export function markSegments(text: string, evidence: readonly Evidence[]): MarkSegment[] {
  const spans = evidence.filter((e) => usable(e, text.length));
  if (spans.length === 0) return [];
  const cuts = [...new Set(spans.flatMap((e) => [e.start, e.end]))].sort((a, b) => a - b);
  const at = new Map(cuts.map((c, i) => [c, i]));
  // covers[i]: the spans over [cuts[i], cuts[i+1]); filled per span, so the cost follows the overlap, not spans².
  const covers: Evidence[][] = cuts.map(() => []);
  for (const e of spans) for (let i = at.get(e.start)!; i < at.get(e.end)!; i += 1) covers[i]!.push(e);
  const out: MarkSegment[] = [];
  let prevKey = '';
  for (let i = 0; i + 1 < cuts.length; i += 1) {
    const start = cuts[i]!;
    const end = cuts[i + 1]!;
    const cover = covers[i]!;
    if (cover.length === 0) {
      prevKey = '';
      continue;
    }
    const heaviest = [...cover].sort(
      (a, b) => (b.weight ?? 0) - (a.weight ?? 0) || CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category),
    )[0]!;
    const categories = CATEGORIES.filter((c) => cover.some((e) => e.category === c));
    const rules = [...new Set(cover.map((e) => e.rule))].sort();
    const category = (heaviest.weight ?? 0) < 0 ? ('context' as const) : heaviest.category;
    const key = `${category}|${categories.join(',')}|${rules.join(',')}`;
    const last = out[out.length - 1];
    if (key === prevKey && last && last.end === start) {
      out[out.length - 1] = { ...last, end };
    } else {
      out.push({ start, end, category, categories, rules });
    }
    prevKey = key;
  }
  return out;
}

/** The text as escaped HTML with one `<mark>` per segment; offsets stay in `data-start`/`data-end`. */
export function highlightHtml(text: string, evidence: readonly Evidence[]): string {
  let html = '';
  let at = 0;
  for (const s of markSegments(text, evidence)) {
    html += escapeHtml(text.slice(at, s.start));
    const title = `${s.categories.join(', ')}: ${s.rules.join(', ')}`;
    html +=
      `<mark class="q-${s.category}" data-start="${s.start}" data-end="${s.end}" data-categories="${s.categories.join(' ')}" ` +
      `data-rules="${escapeHtml(s.rules.join(' '))}" title="${escapeHtml(title)}">${escapeHtml(text.slice(s.start, s.end))}</mark>`;
    at = s.end;
  }
  return html + escapeHtml(text.slice(at));
}
