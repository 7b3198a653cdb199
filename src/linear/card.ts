import { CATEGORIES, type Category } from '../types.js';
import type { FeatureScheme } from './features.js';
import { isPermissive } from './sources.js';

export interface CategoryFigures {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly prAuc: number;
  readonly support: number;
}

/** What `qorgau train` writes to `card.json` (and renders as the folder's README.md). No timestamps: two trainings on the same data write the same card. */
export interface ModelCard {
  readonly name: string;
  readonly format: 'qorgau-linear 1';
  readonly file: string;
  readonly bytes: number;
  readonly scheme: FeatureScheme;
  readonly training: {
    readonly splits: readonly string[];
    readonly devSplits: readonly string[];
    readonly perFile?: number;
    readonly includeSilver: boolean;
    readonly sourceWeights: Readonly<Record<string, number>>;
    readonly c: number;
    readonly minCount: number;
    readonly classWeight: string;
    readonly maxIterations: number;
  };
  readonly data: {
    /** Every corpus file given, in order (the calib split of some is what `calibrate` needs). */
    readonly inputs: readonly string[];
    readonly posts: number;
    readonly files: readonly { readonly file: string; readonly posts: number }[];
    readonly sources: readonly {
      readonly source: string;
      readonly posts: number;
      readonly labels: Readonly<Partial<Record<Category | 'clean', number>>>;
      readonly title: string;
      readonly licence: string;
      readonly asks: string;
    }[];
  };
  readonly features: { readonly kept: number; readonly seen: number; readonly nonZeros: number };
  readonly categories: Readonly<Record<Category, { positives: number; iterations: number; converged: boolean }>>;
  readonly dev?: {
    readonly posts: number;
    readonly threshold: number;
    readonly microF1: number;
    readonly macroF1: number;
    readonly cleanFlaggedRate: number;
    readonly cleanPosts: number;
    readonly perCategory: Readonly<Record<Category, CategoryFigures>>;
    readonly bySource: Readonly<Record<string, { posts: number; microF1: number; cleanFlaggedRate: number; cleanPosts: number }>>;
  };
}

const f2 = (x: number): string => x.toFixed(2);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The model card as Markdown: data with counts and licences, training settings, dev figures. */
export function renderCard(card: ModelCard): string {
  const out: string[] = [];
  const s = card.scheme;
  out.push(
    `# ${card.name}`,
    '',
    `A qorgau linear model (${card.format}): one class-weighted logistic regression per category over hashed character`,
    `${s.charMin}–${s.charMax}-grams (inside word boundaries) and word 1–${s.wordMax}-grams of the normalized text, 2^${s.bits} buckets,`,
    'sublinear counts, each block L2-normalized; weights quantized to int8 per category. Written by `qorgau train`; load it',
    `with \`--linear <this folder>\`. \`${card.file}\`: ${(card.bytes / 1e6).toFixed(2)} MB (JSON header, then the deflated non-zero rows); \`card.json\`: this card as data.`,
    '',
    '## Data',
    '',
    `Trained on ${card.data.posts.toLocaleString('en-US')} posts: split${card.training.splits.length > 1 ? 's' : ''} ${card.training.splits.join(', ')}` +
      `${card.training.perFile !== undefined ? `, at most ${card.training.perFile.toLocaleString('en-US')} posts per file (chosen by a hash of the text)` : ''}` +
      `${card.training.includeSilver ? ', machine-labelled (silver) rows included' : ', machine-labelled (silver) rows left out'}.`,
    '',
    '| source | posts | labels | licence |',
    '| --- | ---: | --- | --- |',
  );
  for (const src of card.data.sources) {
    const labels = Object.entries(src.labels)
      .sort((a, b) => b[1]! - a[1]!)
      .map(([l, n]) => `${l} ${n}`)
      .join(', ');
    const w = card.training.sourceWeights[src.source];
    out.push(`| ${cell(src.title)} (\`${cell(src.source)}\`)${w !== undefined ? `, weight ${w}` : ''} | ${src.posts.toLocaleString('en-US')} | ${labels} | ${cell(src.licence)} |`);
  }
  out.push('', 'Files: ' + card.data.files.map((f) => `\`${f.file}\` (${f.posts})`).join(', ') + '.', '');
  out.push('## What the licences ask of users of these weights', '');
  const restricted = card.data.sources.filter((src) => !isPermissive(src.licence));
  if (restricted.length) {
    out.push(
      `${restricted.length} of the ${card.data.sources.length} sources state no licence, a non-commercial or a copyleft one (${restricted.map((x) => `\`${x.source}\``).join(', ')}): treat these weights as research use, and do not use them commercially or share them beyond that, until those terms are cleared (or retrain without those sources).`,
      '',
    );
  }
  for (const src of card.data.sources) out.push(`- \`${src.source}\` (${src.licence}): ${src.asks}`);
  out.push(
    '',
    '## Training',
    '',
    `L-BFGS on \`C·Σ wᵢ·lossᵢ + ½‖w‖²\` with C = ${card.training.c}, ${card.training.classWeight} class weights, buckets seen in fewer than ${card.training.minCount} training posts dropped` +
      ` (${card.features.kept.toLocaleString('en-US')} kept of ${card.features.seen.toLocaleString('en-US')} seen), at most ${card.training.maxIterations} iterations per category. Deterministic: the same files and flags give the same bytes.`,
    '',
    '| category | positives | iterations |',
    '| --- | ---: | ---: |',
  );
  for (const c of CATEGORIES) {
    const x = card.categories[c];
    out.push(`| ${c} | ${x.positives} | ${x.iterations}${x.converged ? '' : ' (limit)'} |`);
  }
  if (card.dev) {
    const d = card.dev;
    out.push(
      '',
      `## Dev figures (split ${card.training.devSplits.join(', ')}, ${d.posts.toLocaleString('en-US')} posts, this model alone at ${d.threshold})`,
      '',
      '| category | support | precision | recall | F1 | PR-AUC |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const c of CATEGORIES) {
      const x = d.perCategory[c];
      out.push(`| ${c} | ${x.support} | ${f2(x.precision)} | ${f2(x.recall)} | ${f2(x.f1)} | ${f2(x.prAuc)} |`);
    }
    out.push(`| **all** | | | | micro ${f2(d.microF1)}, macro ${f2(d.macroF1)} | |`, '', `Clean posts flagged: ${pct(d.cleanFlaggedRate)} of ${d.cleanPosts}.`, '');
    out.push('| dev source | posts | micro F1 | clean flagged |', '| --- | ---: | ---: | ---: |');
    for (const [src, m] of Object.entries(d.bySource)) out.push(`| \`${cell(src)}\` | ${m.posts} | ${m.cleanPosts === m.posts ? '—' : f2(m.microF1)} | ${pct(m.cleanFlaggedRate)} of ${m.cleanPosts} |`);
    out.push(
      '',
      'These figures are the model alone at 0.5. In a scan it is fused with the rules and the transformer, and the fusion',
      'layer and thresholds are fitted by `qorgau calibrate` on a calib split (see the repository README).',
    );
  }
  const t = card.training;
  const flags = [
    ...(t.splits.join(',') !== 'train' ? [`--split ${t.splits.join(',')}`] : []),
    ...(t.devSplits.join(',') !== 'dev' ? [`--dev-split ${t.devSplits.join(',') || 'none'}`] : []),
    ...(t.perFile !== undefined ? [`--per-file ${t.perFile}`] : []),
    ...Object.entries(t.sourceWeights).map(([k, w]) => `--weight ${k}=${w}`),
    ...(t.includeSilver ? ['--include-silver'] : []),
    ...(t.c !== 5 ? [`--c ${t.c}`] : []),
    ...(card.scheme.bits !== 20 ? [`--bits ${card.scheme.bits}`] : []),
    ...(t.minCount !== 2 ? [`--min-count ${t.minCount}`] : []),
    ...(t.maxIterations !== 300 ? [`--max-iterations ${t.maxIterations}`] : []),
  ];
  out.push(
    '',
    '## How to retrain',
    '',
    'From the repository root, with the same files (paths outside the repository are named by their file name here):',
    '',
    '```sh',
    `npx qorgau train ${card.data.inputs.join(' ')} ${flags.join(' ')}${flags.length ? ' ' : ''}-o models/${card.name}`,
    `npx qorgau calibrate ${card.data.inputs.join(' ')} --split calib${t.perFile !== undefined ? ` --per-file ${t.perFile}` : ''} --linear models/${card.name}`,
    '```',
    '',
  );
  return out.join('\n');
}
