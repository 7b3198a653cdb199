import { CATEGORIES, type Category } from '../types.js';
import { keyString, type CurrentDecision } from './store/index.js';

export interface BinaryAgreement {
  /** Ratings that said yes, over all items. */
  readonly positives: number;
  /** Share of items on which every reviewer said the same. */
  readonly agreement: number;
  /** Fleiss' kappa (chance-corrected; 1 = perfect, 0 = chance); null when nobody ever said yes, or everyone always did. */
  readonly kappa: number | null;
}

export interface AgreementReport {
  /** Posts decided directly (not through their cluster) by two or more reviewers. */
  readonly items: number;
  /** Share of those items where every reviewer chose the same labels. */
  readonly exact: number;
  /** Illegal or clean, whatever the category. */
  readonly flagged: BinaryAgreement;
  readonly perCategory: Readonly<Record<Category, BinaryAgreement>>;
  /** Per pair of reviewers: items both decided and the share with the same labels. */
  readonly pairs: readonly { readonly a: string; readonly b: string; readonly items: number; readonly exact: number }[];
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Fleiss' kappa for yes/no ratings with any number (2 or more) of raters per item. */
function binary(items: readonly (readonly boolean[])[]): BinaryAgreement {
  if (items.length === 0) return { positives: 0, agreement: 0, kappa: null };
  let positives = 0;
  let ratings = 0;
  let agree = 0;
  let pSum = 0;
  for (const votes of items) {
    const n = votes.length;
    const yes = votes.filter(Boolean).length;
    positives += yes;
    ratings += n;
    if (yes === 0 || yes === n) agree += 1;
    pSum += (yes * (yes - 1) + (n - yes) * (n - yes - 1)) / (n * (n - 1));
  }
  const p = positives / ratings;
  const pe = p * p + (1 - p) * (1 - p);
  const observed = pSum / items.length;
  return { positives, agreement: round(agree / items.length), kappa: pe >= 1 ? null : round((observed - pe) / (1 - pe)) };
}

const labelKey = (labels: readonly Category[]): string => [...labels].sort().join(',');

/** How far reviewers agree on the posts more than one of them decided (`--overlap 2` and up). */
export function agreementReport(decisions: readonly CurrentDecision[]): AgreementReport {
  const byKey = new Map<string, CurrentDecision[]>();
  for (const d of decisions) {
    if (d.viaCluster) continue;
    const k = keyString(d);
    const list = byKey.get(k) ?? [];
    if (!list.some((x) => x.reviewer === d.reviewer)) list.push(d);
    byKey.set(k, list);
  }
  const items = [...byKey.values()].filter((l) => l.length >= 2);
  const exact = items.filter((l) => l.every((d) => labelKey(d.labels) === labelKey(l[0]!.labels))).length;
  const perCategory = Object.fromEntries(CATEGORIES.map((c) => [c, binary(items.map((l) => l.map((d) => d.labels.includes(c))))])) as Record<Category, BinaryAgreement>;
  const pairs = new Map<string, { a: string; b: string; items: number; same: number }>();
  for (const l of items) {
    for (let i = 0; i < l.length; i += 1) {
      for (let j = i + 1; j < l.length; j += 1) {
        const [a, b] = [l[i]!, l[j]!].sort((x, y) => x.reviewer.localeCompare(y.reviewer));
        const k = `${a!.reviewer}\n${b!.reviewer}`;
        const pair = pairs.get(k) ?? { a: a!.reviewer, b: b!.reviewer, items: 0, same: 0 };
        pair.items += 1;
        if (labelKey(a!.labels) === labelKey(b!.labels)) pair.same += 1;
        pairs.set(k, pair);
      }
    }
  }
  return {
    items: items.length,
    exact: items.length ? round(exact / items.length) : 0,
    flagged: binary(items.map((l) => l.map((d) => d.labels.length > 0))),
    perCategory,
    pairs: [...pairs.values()].map((p) => ({ a: p.a, b: p.b, items: p.items, exact: round(p.same / p.items) })),
  };
}
