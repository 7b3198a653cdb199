import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { join } from 'node:path';
import { evaluate, fitFusionOn, fitThresholds, refuse, scoreGold, type EvalReport, type Metrics } from '../eval/index.js';
import { BUNDLED_MODEL_DIR, BUNDLED_THRESHOLDS } from '../paths.js';
import { CATEGORIES } from '../types.js';
import { addAnalyzerOptions, analyzerOptions, type AnalyzerFlags } from './common.js';
import { parseFraction } from './main.js';

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
  out.push(`qorgau eval: ${r.files.join(', ')}; split ${Array.isArray(r.splits) ? r.splits.join('/') : r.splits}; ${r.model ? `model ${r.model}` : 'rules-only'}`);
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

function splitList(value: string | undefined): string[] | undefined {
  return value === undefined || value === 'all' ? undefined : value.split(',').map((s) => s.trim());
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('score labelled posts (corpus JSONL) and print precision, recall, F1, PR-AUC per category')
    .argument('<gold...>', 'gold JSONL files: {id, lang, labels, text, split, obfuscated?, hard?, kind?}')
    .option('--split <names>', 'only posts of these splits, comma-separated (train, dev, test) or all', 'all')
    .option('--include-silver', 'also score machine-labelled (silver) posts')
    .option('--json', 'print the report as JSON');
  addAnalyzerOptions(cmd).action(async (gold: string[], flags: AnalyzerFlags & { split: string; json?: boolean; includeSilver?: boolean }) => {
    const splits = splitList(flags.split);
    const report = await evaluate({ ...analyzerOptions(flags), gold, ...(splits ? { splits } : {}), excludeSilver: !flags.includeSilver });
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  });
}

export function registerCalibrate(program: Command): void {
  const cmd = program
    .command('calibrate')
    .description('fit per-category thresholds on labelled posts (the dev split) and write thresholds.json')
    .argument('<gold...>', 'gold JSONL files')
    .option('--split <names>', 'splits to fit on, comma-separated, or all', 'dev')
    .option('--target-precision <p>', 'lowest threshold reaching this precision', parseFraction, 0.9)
    .option('--best-f1', 'pick the threshold with the best F1 instead of a target precision')
    .option('-o, --output <file>', 'where to write the thresholds', BUNDLED_THRESHOLDS)
    .option('--no-fusion', 'with a model: keep the current fusion layer instead of refitting <model>/fusion.json');
  addAnalyzerOptions(cmd).action(
    async (gold: string[], flags: AnalyzerFlags & { split: string; targetPrecision: number; bestF1?: boolean; output: string; fusion: boolean }) => {
      const splits = splitList(flags.split);
      const refit = flags.fusion && flags.model !== false;
      const scored = await scoreGold({ ...analyzerOptions(flags), gold, ...(splits ? { splits } : {}), ...(refit ? { keepComponents: true, fusion: false as const } : {}) });
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
      const cal = fitThresholds(items, flags.bestF1 ? 'f1' : flags.targetPrecision);
      // Thresholds for runs with a model and for rules-only runs live side by side: refitting one keeps the other.
      let previous: Record<string, unknown> = {};
      try {
        previous = JSON.parse(readFileSync(flags.output, 'utf8')) as Record<string, unknown>;
        if (!('thresholds' in previous) && !('rulesOnly' in previous)) previous = {};
      } catch {
        previous = {};
      }
      const fitted = { on: gold, splits: splits ?? 'all', posts: items.length, target: cal.target, model, perCategory: cal.perCategory };
      const file = model
        ? { ...previous, thresholds: cal.thresholds, fitted }
        : { ...previous, rulesOnly: cal.thresholds, fittedRulesOnly: fitted };
      writeFileSync(flags.output, `${JSON.stringify(file, null, 2)}\n`);
      for (const c of CATEGORIES) {
        const x = cal.perCategory[c];
        process.stderr.write(`  ${c.padEnd(14)} threshold ${x.threshold.toFixed(4)}  P ${pct(x.precision)} R ${pct(x.recall)} F1 ${pct(x.f1)}  support ${x.support}${!x.support ? '  (no positives: default)' : x.met || cal.target === 'f1' ? '' : '  (target not reached: best F1)'}\n`);
      }
      process.stderr.write(`qorgau: wrote ${flags.output}\n`);
    },
  );
}
