import type { Command } from 'commander';
import { createAnalyzer } from '../analyzer.js';
import { CATEGORIES, type Result } from '../types.js';
import { addAnalyzerOptions, analyzerOptions, type AnalyzerFlags } from './common.js';
import { UsageError } from './main.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A readable report of one result for a terminal. */
export function formatResult(r: Result): string {
  const lines: string[] = [];
  lines.push(`labels    ${r.labels.length ? r.labels.join(', ') : '(none: clean)'}`);
  lines.push(`language  ${r.lang}`);
  lines.push(`priority  ${r.priority.toFixed(3)}`);
  const scored = CATEGORIES.filter((c) => r.scores[c] > 0).sort((a, b) => r.scores[b] - r.scores[a]);
  if (scored.length) {
    lines.push('scores');
    for (const c of scored) {
      const bar = '█'.repeat(Math.round(r.scores[c] * 20)).padEnd(20, '·');
      lines.push(`  ${c.padEnd(14)} ${bar} ${r.scores[c].toFixed(3)}${r.labels.includes(c) ? '  ◀' : ''}`);
    }
  }
  if (r.evidence.length) {
    lines.push('evidence');
    for (const e of r.evidence) {
      // Context that lowered a category shows its negative weight; a combination hit names the signal it needed.
      const weight = e.weight === undefined ? '' : ` ${e.weight > 0 ? '+' : ''}${e.weight}`;
      const near = e.near ? ` near «${e.near.match}»` : '';
      lines.push(`  ${e.category.padEnd(14)} ${e.rule.padEnd(32)} «${e.match}» [${e.start}, ${e.end})${weight}${near}`);
    }
  }
  if (r.contacts.length) {
    lines.push('contacts');
    for (const c of r.contacts) lines.push(`  ${c.type.padEnd(9)} ${c.value}`);
  }
  return lines.join('\n');
}

export function registerScore(program: Command): void {
  const cmd = program
    .command('score')
    .description('score one text given as arguments or on stdin')
    .argument('[text...]', 'the text (default: read stdin)')
    .option('--json', 'print the result object as JSON');
  addAnalyzerOptions(cmd).action(async (words: string[], flags: AnalyzerFlags & { json?: boolean }) => {
    const text = words.length > 0 ? words.join(' ') : await readStdin();
    if (text.trim().length === 0) throw new UsageError('Expected a text to score: qorgau score "текст" or echo "текст" | qorgau score.');
    const analyzer = await createAnalyzer(analyzerOptions(flags));
    try {
      const result = await analyzer.analyze(text);
      process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${formatResult(result)}\n`);
    } finally {
      await analyzer.close();
    }
  });
}
