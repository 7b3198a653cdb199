import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { Option, type Command } from 'commander';
import { QorgauError, describeError } from '../errors.js';
import { readResults } from '../report/read.js';
import type { Output } from '../types.js';
import { addAnalyzerOptions, analyzerOptions, type AnalyzerFlags } from './common.js';
import { UsageError, parsePositiveInt } from './main.js';

interface ServeFlags extends AnalyzerFlags {
  host: string;
  port: number;
  tokenFile?: string;
  db?: string;
  overlap: number;
  cards: number;
  leaseMinutes: number;
  maxBody: number;
  maxBatch: number;
  maxQueue: number;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`Expected --port to be 0 to 65535, got \`${value}\`.`);
  return n;
}

/** One token a line; blank lines and `#` comments are skipped. */
export function readTokenFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new QorgauError('unreadable_file', `Could not read --token-file ${path}: ${describeError(error)}.`, { cause: error });
  }
  const tokens = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (tokens.length === 0) throw new UsageError(`--token-file ${path} holds no tokens: put one token (16 characters or more) on each line.`);
  const short = tokens.findIndex((t) => t.length < 16);
  if (short >= 0) throw new UsageError(`--token-file ${path}: token ${short + 1} is shorter than 16 characters; use long random ones (openssl rand -hex 24).`);
  return tokens;
}

const dbOption = (): Option => new Option('--db <db>', 'review database: a SQLite file, or a postgres://user@host/db URL').makeOptionMandatory();

async function* concatResults(paths: readonly string[]): AsyncGenerator<Output> {
  for (const path of paths) yield* readResults({ path });
}

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('HTTP scoring API (POST /v1/score, /v1/moderations) and, with --db, the shared review page')
    .enablePositionalOptions()
    .option('--host <address>', 'address to listen on; other than loopback needs --token-file or reviewers', '127.0.0.1')
    .option('--port <n>', 'port (0 = a free one)', parsePort, 8080)
    .option('--token-file <file>', 'bearer tokens for the scoring API, one a line (then every /v1 call needs one)')
    .option('--db <db>', 'review database: a SQLite file (created if missing), or a postgres://user@host/db URL')
    .option('--overlap <n>', 'reviewers each card goes to; 2 or more reports their agreement', parsePositiveInt, 1)
    .option('--cards <n>', 'open cards handed to a reviewer at a time', parsePositiveInt, 20)
    .option('--lease-minutes <n>', 'minutes a card stays with a reviewer who has not decided it', parsePositiveInt, 30)
    .option('--max-body <bytes>', 'largest JSON body (413 above); NDJSON streams have no total limit, each line this much', parsePositiveInt, 8 * 1024 * 1024)
    .option('--max-batch <n>', 'most posts or inputs in one JSON request (413 above)', parsePositiveInt, 1024)
    .option('--max-queue <n>', 'most posts waiting to be scored (429 with Retry-After above)', parsePositiveInt, 4096);
  // A server lives long enough to repay starting workers: one per core (at most 8) unless told otherwise.
  addAnalyzerOptions(serve, { workers: 'auto' }).action(async (flags: ServeFlags) => {
    const { startServer } = await import('../serve/public.js');
    const server = await startServer({
      ...analyzerOptions(flags),
      host: flags.host,
      port: flags.port,
      ...(flags.tokenFile !== undefined ? { tokens: readTokenFile(flags.tokenFile) } : {}),
      ...(flags.db !== undefined ? { db: flags.db } : {}),
      overlap: flags.overlap,
      cards: flags.cards,
      leaseMinutes: flags.leaseMinutes,
      maxBody: flags.maxBody,
      maxBatch: flags.maxBatch,
      maxQueue: flags.maxQueue,
    });
    const review = server.store ? `; review page at ${server.url}/ (${server.store.db.label}${(await server.store.hasReviewers()) ? ', sign in with a reviewer token' : ', no reviewers: decisions are recorded as "local"'})` : '';
    process.stderr.write(`qorgau: serving on ${server.url}: POST /v1/score, POST /v1/moderations, GET /healthz, GET /metrics${server.options.tokens.length ? ' (bearer token required)' : ''}${review}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stderr.write('qorgau: shutting down\n');
    await server.close();
  });

  serve
    .command('import')
    .description('load results (JSONL from qorgau scan or the worker) into the review database as a new run, keeping clusters')
    .argument('<results...>', 'results files, or - for stdin')
    .addOption(dbOption())
    .action(async (paths: string[], flags: { db: string }) => {
      for (const path of paths) {
        if (path === '-') continue;
        if (!existsSync(path)) throw new QorgauError('unreadable_file', `Results file ${path} does not exist. Write one with qorgau scan … -o ${path}.`);
        if (statSync(path).isDirectory()) throw new UsageError(`${path} is a folder; pass the results files in it.`);
      }
      const { importResults } = await import('../serve/public.js');
      const s = await importResults(flags.db, concatResults(paths), paths.join(', '));
      process.stderr.write(
        `qorgau: run ${s.run}: ${s.records} records, ${s.candidates} candidates in ${s.clusters} clusters (${s.clustersFrom === 'results' ? 'as the results grouped them' : 'clustered on import'}), ${s.errors} errors${s.duplicates ? `, ${s.duplicates} repeated posts skipped` : ''}${s.carriedOver ? `, ${s.carriedOver} cards already decided in earlier runs` : ''}\n`,
      );
    });

  serve
    .command('export')
    .description('write the reviewed corpus JSONL (as the review page exports it) for qorgau eval and train')
    .addOption(dbOption())
    .option('-o, --output <file>', 'write here (default stdout)')
    .action(async (flags: { db: string; output?: string }) => {
      const { openReviewStore } = await import('../serve/public.js');
      const { agreementReport } = await import('../serve/agreement.js');
      const store = await openReviewStore(flags.db);
      try {
        const { rows, disagreements } = await store.exportCorpus();
        const sink = flags.output === undefined || flags.output === '-' ? process.stdout : createWriteStream(flags.output);
        for (const row of rows) if (!sink.write(`${JSON.stringify(row)}\n`)) await once(sink, 'drain');
        if (sink !== process.stdout) {
          sink.end();
          await once(sink, 'finish');
        }
        const agreement = agreementReport(await store.currentDecisions());
        process.stderr.write(
          `qorgau: ${rows.length} decided posts${flags.output ? ` → ${flags.output}` : ''}${disagreements.length ? `; ${disagreements.length} left out where reviewers disagree (an admin's decision settles them)` : ''}\n` +
            (agreement.items > 0
              ? `qorgau: agreement on ${agreement.items} posts decided by 2+ reviewers: same labels ${(agreement.exact * 100).toFixed(1)}%, flagged-or-clean kappa ${agreement.flagged.kappa ?? 'n/a'} (qorgau serve agreement --db … for each category and pair)\n`
              : ''),
        );
      } finally {
        await store.close();
      }
    });

  serve
    .command('agreement')
    .description('how far reviewers agree on posts two or more of them decided (--overlap 2), as JSON')
    .addOption(dbOption())
    .action(async (flags: { db: string }) => {
      const { openReviewStore } = await import('../serve/public.js');
      const { agreementReport } = await import('../serve/agreement.js');
      const store = await openReviewStore(flags.db);
      try {
        process.stdout.write(`${JSON.stringify(agreementReport(await store.currentDecisions()), null, 2)}\n`);
      } finally {
        await store.close();
      }
    });

  const reviewer = serve.command('reviewer').description('manage the people who review: add, token, list');
  reviewer
    .command('add')
    .description('add a reviewer and print their sign-in token (shown once; only its hash is kept)')
    .argument('<name>', 'reviewer name (letters, digits, . _ @ -)')
    .addOption(new Option('--role <role>', 'triage: confirm or clear; reviewer: also relabel; admin: also export and see agreement').choices(['triage', 'reviewer', 'admin']).default('reviewer'))
    .addOption(dbOption())
    .action(async (name: string, flags: { role: 'triage' | 'reviewer' | 'admin'; db: string }) => {
      const { openReviewStore } = await import('../serve/public.js');
      const store = await openReviewStore(flags.db);
      try {
        const { token } = await store.addReviewer(name, flags.role);
        process.stdout.write(`${token}\n`);
        process.stderr.write(`qorgau: reviewer ${name} (${flags.role}) added; the token above signs them in and is not shown again\n`);
      } finally {
        await store.close();
      }
    });
  reviewer
    .command('token')
    .description('give a reviewer a new token (the old one and their sessions stop working)')
    .argument('<name>')
    .addOption(dbOption())
    .action(async (name: string, flags: { db: string }) => {
      const { openReviewStore } = await import('../serve/public.js');
      const store = await openReviewStore(flags.db);
      try {
        process.stdout.write(`${await store.resetToken(name)}\n`);
      } finally {
        await store.close();
      }
    });
  reviewer
    .command('list')
    .description('reviewers, roles and how many decisions each made')
    .addOption(dbOption())
    .action(async (flags: { db: string }) => {
      const { openReviewStore } = await import('../serve/public.js');
      const store = await openReviewStore(flags.db);
      try {
        for (const r of await store.listReviewers()) process.stdout.write(`${r.name}\t${r.role}\t${r.decisions}\n`);
      } finally {
        await store.close();
      }
    });
}
