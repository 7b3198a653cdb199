import type { Command } from 'commander';
import { normalizeSteps } from '../normalize/index.js';
import { prepareText, type PreparedText } from '../tokenize/prepare.js';
import { UsageError } from './main.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What a rule writer needs to see why a rule did or did not fire: the text as rules see it, token by token. */
export function formatInspection(p: PreparedText, steps?: ReadonlyArray<{ name: string; text: string }>): string {
  const { normalized, language, tokens } = p;
  const lines: string[] = [];
  lines.push(`original    ${JSON.stringify(normalized.original)}`);
  if (steps) for (const s of steps) lines.push(`  ${s.name.padEnd(15)} ${JSON.stringify(s.text)}`);
  lines.push(`normalized  ${JSON.stringify(normalized.text)}`);
  lines.push(`language    ${language.lang} (confidence ${language.confidence.toFixed(2)})`);
  for (const s of language.sentences ?? []) {
    lines.push(`  ${s.lang.padEnd(5)} ${s.confidence.toFixed(2)}  ${JSON.stringify(normalized.text.slice(s.start, s.end).trim())}`);
  }
  lines.push('tokens      type      normalized           stem                 original span');
  for (const t of tokens) {
    const original = normalized.original.slice(t.originalStart, t.originalEnd);
    lines.push(`  ${t.type.padEnd(9)} ${t.text.padEnd(20)} ${(t.stem ?? '').padEnd(20)} [${t.originalStart}, ${t.originalEnd}) ${JSON.stringify(original)}`);
  }
  return lines.join('\n');
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show how a text is normalized, its language, and its tokens with stems and original offsets')
    .argument('[text...]', 'the text (default: read stdin)')
    .option('--json', 'print {normalized, language, tokens} as JSON')
    .option('--steps', 'also show the text after each normalization step')
    .action(async (words: string[], flags: { json?: boolean; steps?: boolean }) => {
      const text = words.length > 0 ? words.join(' ') : await readStdin();
      if (text.trim().length === 0) throw new UsageError('Expected a text to inspect: qorgau inspect "текст" or echo "текст" | qorgau inspect.');
      const prepared = prepareText(text);
      const steps = flags.steps ? normalizeSteps(text) : undefined;
      if (flags.json) {
        const { normalized, language, tokens } = prepared;
        const out = {
          original: normalized.original,
          normalized: normalized.text,
          language,
          tokens,
          ...(steps ? { steps } : {}),
        };
        process.stdout.write(`${JSON.stringify(out)}\n`);
      } else process.stdout.write(`${formatInspection(prepared, steps)}\n`);
    });
}
