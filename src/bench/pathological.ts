/**
 * `npm run bench:pathological`: time per post on long repetitive posts (src/bench/shapes.ts), per stage, at
 * doubling lengths up to BENCH_CHARS (default 1,000,000). A linear stage takes about twice as long for twice the
 * text (ratio ≈ 2); a quadratic one about four times. A stage that passes BENCH_STOP_S (default 5 s) at some
 * length is not run at the longer ones, so the bench ends even on a broken build.
 */
import { createClusterer } from '../cluster/index.js';
import { detectLanguage } from '../lang/index.js';
import { normalize } from '../normalize/index.js';
import { loadRules } from '../rules/load.js';
import { matchRules } from '../rules/match.js';
import { BUNDLED_RULES_DIR } from '../paths.js';
import { findContacts } from '../tokenize/contacts.js';
import { createAnalyzer } from '../analyzer.js';
import { SHAPES, repeatTo } from './shapes.js';

const rules = loadRules([BUNDLED_RULES_DIR]);

type Stage = { readonly name: string; run(text: string): unknown };

function stages(analyze: (text: string) => Promise<unknown>): { sync: Stage[]; all: (text: string) => Promise<unknown> } {
  return {
    sync: [
      { name: 'normalize', run: (t) => normalize(t) },
      { name: 'language', run: (t) => detectLanguage(normalize(t).text) },
      { name: 'rules', run: (t) => matchRules(rules, normalize(t)) },
      { name: 'contacts', run: (t) => findContacts(t) },
      { name: 'cluster', run: (t) => createClusterer().add(t, 1) },
    ],
    all: analyze,
  };
}

async function timeIt(fn: () => unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

async function main(): Promise<void> {
  const maxChars = Number(process.env.BENCH_CHARS ?? 1_000_000);
  const stopAfter = Number(process.env.BENCH_STOP_S ?? 5);
  const only = process.env.BENCH_SHAPE;
  const analyzer = await createAnalyzer({ model: false, onNotice: () => {} });
  // A post that is no post (only spaces, only invisible characters) is an error record: that is its result.
  const { sync, all } = stages(async (t) => analyzer.analyze(t).catch((error: unknown) => error));
  const lengths: number[] = [];
  for (let n = maxChars; n >= 31_250 && lengths.length < 3; n = Math.floor(n / 2)) lengths.unshift(n);
  console.log(`time per post (s) at ${lengths.join(' / ')} characters; ratio = time(2n) / time(n), 2 is linear, 4 quadratic`);
  const header = ['shape', ...sync.map((s) => s.name), 'whole post'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => ' --- ').join('|')}|`);
  let worst = { ratio: 0, where: '' };
  for (const shape of SHAPES) {
    if (only && !shape.name.includes(only)) continue;
    const cells: string[] = [];
    const columns: Array<{ name: string; run: (t: string) => unknown }> = [...sync, { name: 'whole post', run: all }];
    for (const stage of columns) {
      const times: number[] = [];
      for (const n of lengths) {
        const text = repeatTo(shape.unit, n);
        // One warm-up on a short text: the JIT and the class tables, not the long text itself.
        await stage.run(text.slice(0, 2000));
        const s = await timeIt(() => stage.run(text));
        times.push(s);
        if (s > stopAfter) break;
      }
      const last = times[times.length - 1]!;
      const prev = times[times.length - 2];
      // Below 20 ms the ratio is timer noise, not growth.
      const ratio = prev !== undefined && last > 0.02 ? last / Math.max(prev, 1e-4) : undefined;
      if (ratio !== undefined && ratio > worst.ratio) worst = { ratio, where: `${shape.name} ${stage.name}` };
      const stopped = times.length < lengths.length ? ` (stopped at ${lengths[times.length - 1]})` : '';
      cells.push(`${last.toFixed(3)}${ratio !== undefined ? ` ×${ratio.toFixed(1)}` : ''}${stopped}`);
    }
    console.log(`| ${shape.name} | ${cells.join(' | ')} |`);
  }
  console.log(`worst ratio: ×${worst.ratio.toFixed(2)} (${worst.where})`);
  await analyzer.close();
}

await main();
