import { readFileSync, writeFileSync } from 'node:fs';
import { QorgauError } from '../errors.js';
import type { Command } from 'commander';
import { join } from 'node:path';
import { Option } from 'commander';
import { compareFusions, evaluate, fitFusionOn, fitStackOn, fitThresholds, refuse, scoreGold, type EvalReport, type Metrics, type ScoredGold } from '../eval/index.js';
import { readLinearFusion, writeLinearFusion } from '../linear/fusion-file.js';
import { resolveOptions } from '../options.js';
import { BUNDLED_MODEL_DIR, BUNDLED_THRESHOLDS } from '../paths.js';
import { FUSION_COMBINES, type FusionCombine, type StackFusion } from '../score/fusion.js';
import { CATEGORIES } from '../types.js';
import { addAnalyzerOptions, analyzerOptions, type AnalyzerFlags } from './common.js';
import { parseFraction, parsePositiveInt } from './main.js';

const pct = (x: number): string => (x * 100).toFixed(1).padStart(5);

function metricsTable(m: Metrics): string[] {
  const rows = [`  ${'category'.padEnd(14)} ${'P'.padStart(5)} ${'R'.padStart(5)} ${'F1'.padStart(5)} ${'PR-AUC'.padStart(6)} ${'support'.padStart(7)}`];
  for (const c of CATEGORIES) {
    const x = m.perCategory[c];
    rows.push(`  ${c.padEnd(14)} ${pct(x.precision)} ${pct(x.recall)} ${pct(x.f1)} ${pct(x.prAuc).padStart(6)} ${String(x.support).padStart(7)}`);
  }
  rows.push(`  micro F1 ${pct(m.microF1)}  macro F1 ${pct(m.macroF1)}  clean flagged ${pct(m.cleanFlaggedRate)}% of ${m.cleanPosts}  (n=${m.n})`);
  return rows;
}

export function formatReport(r: EvalReport): string {
  const out: string[] = [];
  const detectors = [r.model ? `model ${r.model}` : '', r.linear ? `linear ${r.linear}` : ''].filter(Boolean).join(', ') || 'rules-only';
  out.push(`qorgau eval: ${r.files.join(', ')}; split ${Array.isArray(r.splits) ? r.splits.join('/') : r.splits}; ${detectors}`);
  out.push('', 'overall', ...metricsTable(r));
  for (const [lang, m] of Object.entries(r.byLanguage)) out.push(`  ${lang.padEnd(8)} micro F1 ${pct(m.microF1)}  macro F1 ${pct(m.macroF1)}  clean flagged ${pct(m.cleanFlaggedRate)}%  (n=${m.n})`);
  out.push(
    `  obfuscated micro F1 ${pct(r.byObfuscation.obfuscated.microF1)} recall ${pct(r.byObfuscation.obfuscated.microRecall)} (n=${r.byObfuscation.obfuscated.n}); plain micro F1 ${pct(r.byObfuscation.plain.microF1)} (n=${r.byObfuscation.plain.n})`,
  );
  const kinds = Object.entries(r.hardNegatives.byKind)
    .sort((a, b) => b[1].posts - a[1].posts)
    .map(([k, v]) => `${k} ${v.flagged}/${v.posts}`);
  out.push(`  hard negatives flagged ${pct(r.hardNegatives.flaggedRate)}% of ${r.hardNegatives.posts} (${kinds.join(', ')})`);
  if (Object.keys(r.byOrigin).length > 1 || r.byOrigin.real) {
    for (const [origin, o] of Object.entries(r.byOrigin)) {
      out.push('', `${origin} posts`, ...metricsTable(o));
      for (const [lang, m] of Object.entries(o.byLanguage)) out.push(`  ${lang.padEnd(8)} micro F1 ${pct(m.microF1)}  clean flagged ${pct(m.cleanFlaggedRate)}%  (n=${m.n})`);
      for (const [src, m] of Object.entries(o.bySource)) out.push(`  ${src.padEnd(36)} micro F1 ${pct(m.microF1)}  recall ${pct(m.microRecall)}  clean flagged ${pct(m.cleanFlaggedRate)}%  (n=${m.n})`);
      out.push(`  hard negatives flagged ${pct(o.hardNegatives.flaggedRate)}% of ${o.hardNegatives.posts}; obfuscated recall ${pct(o.obfuscatedRecall.recall)}% (n=${o.obfuscatedRecall.posts})`);
    }
  }
  out.push('', 'confusion (rows gold, columns predicted; non-zero off-diagonal cells)');
  for (const [g, row] of Object.entries(r.confusion)) {
    const cells = Object.entries(row).filter(([p, n]) => p !== g && n > 0).map(([p, n]) => `${p} ${n}`);
    if (cells.length) out.push(`  ${g.padEnd(14)} → ${cells.join(', ')}`);
  }
  return out.join('\n');
}

/** F1 per category and the overall figures, one column per detector configuration. */
export function formatComparison(runs: Record<string, EvalReport>, columns: readonly { key: string; short: string }[]): string {
  const cols = columns.filter((c) => runs[c.key]);
  const w = Math.max(...cols.map((c) => c.short.length), 6) + 2;
  const head = (label: string): string => label.padEnd(16) + cols.map((c) => c.short.padStart(w)).join('');
  const line = (label: string, fn: (r: EvalReport) => string): string => label.padEnd(16) + cols.map((c) => fn(runs[c.key]!).padStart(w)).join('');
  const ref = runs[cols[cols.length - 1]!.key]!;
  const out = [`qorgau eval --compare: ${ref.n} posts (${ref.cleanPosts} clean); F1 per category`, head('')];
  for (const c of CATEGORIES) out.push(line(c, (r) => pct(r.perCategory[c].f1).trim()));
  out.push(line('micro F1', (r) => pct(r.microF1).trim()), line('macro F1', (r) => pct(r.macroF1).trim()), line('clean flagged', (r) => `${pct(r.cleanFlaggedRate).trim()}%`));
  for (const lang of Object.keys(ref.byLanguage)) out.push(line(`micro F1 ${lang}`, (r) => (r.byLanguage[lang] ? pct(r.byLanguage[lang]!.microF1).trim() : '-')));
  return out.join('\n');
}

function splitList(value: string | undefined): string[] | undefined {
  return value === undefined || value === 'all' ? undefined : value.split(',').map((s) => s.trim());
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('score labelled posts (corpus JSONL) and print precision, recall, F1, PR-AUC per category')
    .argument('<gold...>', 'gold JSONL files: {id, lang, labels, text, split, obfuscated?, hard?, kind?}')
    .option('--split <names>', 'only posts of these splits, comma-separated (train, dev, calib, test) or all; posts without one get one by hash', 'all')
    .option('--per-file <n>', 'at most n unsplit posts per file, chosen by hash (as qorgau train --per-file)', parsePositiveInt)
    .option('--include-silver', 'also score machine-labelled (silver) posts')
    .option('--compare', 'compare the detectors: rules, linear model and transformer alone (best-F1 thresholds fitted on --fit-split), rules + transformer, and the shipped fusion')
    .option('--fit-split <name>', 'with --compare: the split the lone detectors’ thresholds are fitted on', 'calib')
    .option('--json', 'print the report as JSON');
  addAnalyzerOptions(cmd).action(async (gold: string[], flags: AnalyzerFlags & { split: string; json?: boolean; includeSilver?: boolean; perFile?: number; compare?: boolean; fitSplit: string }) => {
    const splits = splitList(flags.split);
    if (flags.compare) {
      const { compareDetectors, COLUMNS } = await import('../eval/compare.js');
      if (!splits || splits.length !== 1) throw new QorgauError('bad_options', 'Expected --compare with one --split (for example --split test).');
      const runs = await compareDetectors({
        gold,
        split: splits[0]!,
        fitSplit: flags.fitSplit,
        excludeSilver: !flags.includeSilver,
        ...(flags.perFile !== undefined ? { perFile: flags.perFile } : {}),
        ...(typeof flags.linear === 'string' ? { linear: flags.linear } : {}),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(runs, null, 2)}\n` : `${formatComparison(runs, COLUMNS)}\n`);
      return;
    }
    const report = await evaluate({
      ...analyzerOptions(flags),
      gold,
      ...(splits ? { splits } : {}),
      excludeSilver: !flags.includeSilver,
      ...(flags.perFile !== undefined ? { perFile: flags.perFile } : {}),
    });
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  });
}

interface CalibrateFlags extends AnalyzerFlags {
  split: string;
  targetPrecision?: number;
  bestF1?: boolean;
  output?: string;
  fusion: boolean;
  combine: FusionCombine | 'auto';
  perFile?: number;
  includeSilver?: boolean;
}

function printThresholds(cal: ReturnType<typeof fitThresholds>): void {
  for (const c of CATEGORIES) {
    const x = cal.perCategory[c];
    process.stderr.write(`  ${c.padEnd(14)} threshold ${x.threshold.toFixed(4)}  P ${pct(x.precision)} R ${pct(x.recall)} F1 ${pct(x.f1)}  support ${x.support}${!x.support ? '  (no positives: default)' : x.met || cal.target === 'f1' ? '' : '  (target not reached: best F1)'}\n`);
  }
}

export function registerCalibrate(program: Command): void {
  const cmd = program
    .command('calibrate')
    .description('fit the fusion layer and per-category thresholds on labelled posts (the calib split) and write them where scans read them')
    .argument('<gold...>', 'gold JSONL files; posts without a split get one by hash')
    .option('--split <names>', 'splits to fit on, comma-separated, or all', 'calib')
    .option('--target-precision <p>', 'per category the lowest threshold reaching this precision (default: the best-F1 threshold)', parseFraction)
    .option('--best-f1', 'the threshold with the best F1 (the default)')
    .option('--per-file <n>', 'at most n unsplit posts per file, chosen by hash (as qorgau train --per-file)', parsePositiveInt)
    .option('--include-silver', 'also fit on machine-labelled (silver) posts')
    .option('-o, --output <file>', `where to write the thresholds without the linear model (default ${BUNDLED_THRESHOLDS}); with it, fusion and thresholds go to <linear>/fusion.json`)
    .addOption(
      new Option('--combine <how>', 'with the linear model: how the fusion layer stacks the detectors; auto compares them by 5-fold cross-validation on the split').choices(['auto', ...FUSION_COMBINES]).default('auto'),
    )
    .option('--no-fusion', 'keep the current fusion layer and refit only the thresholds');
  addAnalyzerOptions(cmd).action(async (gold: string[], flags: CalibrateFlags) => {
    const splits = splitList(flags.split);
    const target: number | 'f1' = flags.targetPrecision !== undefined && !flags.bestF1 ? flags.targetPrecision : 'f1';
    const base = {
      ...analyzerOptions(flags),
      gold,
      ...(splits ? { splits } : {}),
      excludeSilver: !flags.includeSilver,
      ...(flags.perFile !== undefined ? { perFile: flags.perFile } : {}),
    };
    const resolved = resolveOptions({ ...base, onNotice: () => {} });
    if (resolved.linear !== false) {
      await calibrateWithLinear(gold, splits, base, resolved.linear, resolved.detectors, target, flags);
      return;
    }
    const refit = flags.fusion && flags.model !== false;
    const scored = await scoreGold({ ...base, ...(refit ? { keepComponents: true, fusion: false as const } : {}) });
    const { model } = scored;
    let items = scored.items;
    if (refit && model) {
      const fusion = fitFusionOn(items);
      const dir = typeof flags.model === 'string' ? flags.model : BUNDLED_MODEL_DIR;
      const path = join(dir, 'fusion.json');
      writeFileSync(path, `${JSON.stringify({ ...fusion, fitted: { on: gold, splits: splits ?? 'all', posts: items.length, model } }, null, 2)}\n`);
      const platt = CATEGORIES.map((c) => `${c} ${fusion.platt[c].a}/${fusion.platt[c].b}`).join(', ');
      process.stderr.write(`qorgau: fusion: noisy-OR of rules and the model recalibrated per category (a/b: ${platt}); wrote ${path}\n`);
      items = refuse(items, fusion);
    }
    const cal = fitThresholds(items, target);
    const output = flags.output ?? BUNDLED_THRESHOLDS;
    // Thresholds for runs with a model and for rules-only runs live side by side: refitting one keeps the other.
    let previous: Record<string, unknown> = {};
    try {
      previous = JSON.parse(readFileSync(output, 'utf8')) as Record<string, unknown>;
      if (!('thresholds' in previous) && !('rulesOnly' in previous)) previous = {};
    } catch {
      previous = {};
    }
    const fitted = { on: gold, splits: splits ?? 'all', posts: items.length, target: cal.target, model, perCategory: cal.perCategory };
    const file = model ? { ...previous, thresholds: cal.thresholds, fitted } : { ...previous, rulesOnly: cal.thresholds, fittedRulesOnly: fitted };
    writeFileSync(output, `${JSON.stringify(file, null, 2)}\n`);
    printThresholds(cal);
    process.stderr.write(`qorgau: wrote ${output}\n`);
  });
}

/**
 * With the linear model: the version 3 layer over the detectors that ran (the kinds compared by
 * cross-validation unless --combine names one), then thresholds on the fused scores, both into
 * <linear>/fusion.json under the detectors' key.
 */
async function calibrateWithLinear(
  gold: string[],
  splits: string[] | undefined,
  base: Parameters<typeof scoreGold>[0],
  linearDir: string,
  detectors: string,
  target: number | 'f1',
  flags: CalibrateFlags,
): Promise<void> {
  if (flags.output !== undefined) process.stderr.write(`qorgau: with the linear model, fusion and thresholds are written to ${linearDir}/fusion.json; -o is not used\n`);
  let fusion: StackFusion;
  let items: ScoredGold[];
  let model: string | null;
  let linear: string | null;
  if (flags.fusion) {
    const scored = await scoreGold({ ...base, keepComponents: true, fusion: false });
    ({ model, linear } = scored);
    let combine: FusionCombine;
    if (flags.combine === 'auto') {
      const compared = compareFusions(scored.items, target);
      for (const x of compared) {
        process.stderr.write(`  ${x.combine.padEnd(9)} 5-fold micro F1 ${pct(x.microF1)}  macro F1 ${pct(x.macroF1)}  clean flagged ${pct(x.cleanFlaggedRate)}%\n`);
      }
      combine = compared.reduce((a, b) => (b.microF1 > a.microF1 ? b : a)).combine;
    } else combine = flags.combine;
    fusion = fitStackOn(scored.items, combine);
    items = refuse(scored.items, fusion);
    process.stderr.write(`qorgau: fusion: ${combine} over rules + ${fusion.models.join(' + ')} (${detectors})\n`);
  } else {
    const entry = readLinearFusion(linearDir)?.modes[detectors];
    if (!entry) throw new QorgauError('bad_options', `--no-fusion keeps the current fusion layer, but ${linearDir}/fusion.json has none for ${detectors}. Calibrate without --no-fusion first.`);
    fusion = entry.fusion;
    const scored = await scoreGold({ ...base, fusion });
    ({ items, model, linear } = scored);
  }
  const cal = fitThresholds(items, target);
  const path = writeLinearFusion(linearDir, detectors, {
    fusion,
    thresholds: cal.thresholds,
    fitted: { on: gold, splits: splits ?? 'all', posts: items.length, target: cal.target, model, linear, perCategory: cal.perCategory },
  });
  printThresholds(cal);
  process.stderr.write(`qorgau: wrote ${path}\n`);
}
