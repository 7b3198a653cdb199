import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { QorgauError } from '../errors.js';
import { namedWriteError, openOutputFile } from '../output/file.js';
import { readResults, writeReport } from '../report/index.js';
import type { Output } from '../types.js';
import { UsageError, parsePositiveInt } from './main.js';

interface ReportFlags {
  output?: string;
  top?: number;
  title?: string;
  cluster: boolean;
}

async function* concatResults(paths: readonly string[]): AsyncGenerator<Output> {
  for (const path of paths) yield* readResults({ path });
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the HTML review page for results that qorgau scan wrote as JSONL (- for stdin)')
    .argument('<results...>', 'results files (JSONL from qorgau scan, with or without --all), or - for stdin')
    .option('-o, --output <file>', 'write the page here (default stdout)')
    .option('--top <n>', 'list only the N highest-priority candidates (default 20,000; the summary counts all)', parsePositiveInt)
    .option('--title <title>', 'page title', 'qorgau review queue')
    .option('--no-cluster', 'do not group near-duplicates (one card per post)')
    .action(async (paths: string[], flags: ReportFlags) => {
      for (const path of paths) {
        if (path === '-') continue;
        if (!existsSync(path)) throw new QorgauError('unreadable_file', `Results file ${path} does not exist. Write one with qorgau scan … -o ${path}.`);
        if (statSync(path).isDirectory()) throw new UsageError(`${path} is a folder; pass the results files in it.`);
      }
      const file = flags.output === undefined || flags.output === '-' ? undefined : openOutputFile(flags.output, paths);
      let summary;
      try {
        summary = await writeReport(concatResults(paths), file?.stream ?? process.stdout, {
          title: flags.title ?? 'qorgau review queue',
          ...(flags.top !== undefined ? { top: flags.top } : {}),
          ...(flags.cluster ? {} : { cluster: false as const }),
          inputs: paths,
        });
        await file?.commit();
      } catch (error) {
        const named = file ? namedWriteError([file], error) : error;
        file?.abort();
        throw named;
      }
      process.stderr.write(
        `qorgau: ${summary.records} records read, ${summary.candidates} candidates in ${summary.clusters} clusters, ${summary.errors} errors${flags.output ? ` → ${flags.output}` : ''}\n` +
          (summary.listed < summary.candidates ? `qorgau: the page lists the ${summary.listed} highest-priority candidates; --top N lists more\n` : ''),
      );
    });
}
