#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { QorgauError } from '../errors.js';
import { registerReport } from './report.js';
import { registerInspect } from './inspect.js';
import { registerScan } from './scan.js';
import { registerScore } from './score.js';
import { registerServe } from './serve.js';
import { registerCalibrate, registerEval } from './eval.js';
import { registerTrain } from './train.js';
import { registerQueueCommands } from './queue.js';

/** Thrown for bad flags: exit code 2. */
export class UsageError extends Error {}

export function parseFraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`Expected a number from 0 to 1, got \`${value}\`.`);
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`Expected a positive integer, got \`${value}\`.`);
  return n;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('qorgau')
    .description('Find illegal content in Russian and Kazakh posts and rank it for human review.')
    .version('0.1.0')
    .showHelpAfterError()
    // `serve` and its subcommands (`serve import --db …`) share flag names: each level parses only its own.
    .enablePositionalOptions()
    .exitOverride();
  registerScan(program);
  registerScore(program);
  registerEval(program);
  registerCalibrate(program);
  registerTrain(program);
  registerReport(program);
  registerInspect(program);
  registerServe(program);
  registerQueueCommands(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    // A command that finished but must not report success (an interrupted scan: 130) sets the exit code.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError || (error instanceof QorgauError && error.code === 'bad_options')) {
      process.stderr.write(`qorgau: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`qorgau: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.QORGAU_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

// Run only when executed as the bin, not when imported by tests.
const invoked = process.argv[1] ?? '';
if (/(?:^|[\\/])(?:qorgau|main\.js)$/.test(invoked)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`qorgau: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
