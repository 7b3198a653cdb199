import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { INPUT_FORMATS, type InputFormat } from '../ingest/readers.js';
import type { StreamItem, WorkerQueue, Enqueuer } from '../queue/types.js';
import { CATEGORIES } from '../types.js';
import { addAnalyzerOptions, analyzerOptions, type AnalyzerFlags } from './common.js';
import { UsageError, parsePositiveInt } from './main.js';

// The queue stages and their engine clients load only when one of these commands runs.

interface EngineFlags {
  redis?: string;
  nats?: string;
}

const notice = (message: string): void => {
  process.stderr.write(`qorgau: ${message}\n`);
};

function engine(flags: EngineFlags): { kind: 'redis' | 'nats'; url: string } {
  if (flags.redis !== undefined && flags.nats !== undefined) throw new UsageError('Expected one of --redis and --nats, got both.');
  if (flags.redis !== undefined) return { kind: 'redis', url: checkUrl(flags.redis, ['redis:', 'rediss:'], 'redis://127.0.0.1:6379/0') };
  if (flags.nats !== undefined) return { kind: 'nats', url: checkUrl(flags.nats, ['nats:', 'tls:'], 'nats://127.0.0.1:4222') };
  throw new UsageError('Expected --redis redis://127.0.0.1:6379/0 (Redis Streams) or --nats nats://127.0.0.1:4222 (NATS JetStream).');
}

function checkUrl(url: string, protocols: readonly string[], example: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`Expected a URL like ${example}, got \`${url}\`.`);
  }
  if (!protocols.includes(parsed.protocol)) throw new UsageError(`Expected a URL starting ${protocols.map((p) => `${p}//`).join(' or ')} like ${example}, got \`${url}\`.`);
  return url;
}

function addEngineOptions(cmd: Command): Command {
  return cmd
    .option('--redis <url>', 'Redis Streams, e.g. redis://127.0.0.1:6379/0 (redis://user:password@host:port/db)')
    .option('--nats <url>', 'NATS JetStream instead, e.g. nats://127.0.0.1:4222');
}

/** Stops on the first SIGTERM/SIGINT after the batch in flight; a second one quits at once. */
function stopOnSignals(what: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      notice(`${name} again: quitting now; entries in flight stay pending and another worker reclaims them.`);
      process.exit(130);
    }
    notice(`${name}: ${what} (${name} again to quit now).`);
    controller.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

function openSink(path: string | undefined): Writable {
  return path === undefined || path === '-' ? process.stdout : createWriteStream(path);
}

async function closeSink(sink: Writable): Promise<void> {
  if (sink === process.stdout) return;
  sink.end();
  await once(sink, 'finish');
}

interface EnqueueFlags extends EngineFlags {
  stream: string;
  maxLenWait?: number;
  inputFormat?: InputFormat;
  textField: string;
  idField: string;
  maxLength: number;
}

export function registerEnqueue(program: Command): void {
  addEngineOptions(
    program
      .command('enqueue')
      .description('read posts as scan does and append them to a stream for `qorgau worker`')
      .argument('<inputs...>', 'input files, or - for stdin'),
  )
    .option('--stream <name>', 'input stream', 'posts')
    .option('--max-len-wait <n>', 'wait while the stream holds more than N entries (back-pressure)', parsePositiveInt)
    .addOption(new Option('--input-format <format>', 'input format (default: from the extension)').choices([...INPUT_FORMATS]))
    .option('--text-field <field>', 'text field or column in JSONL/CSV', 'text')
    .option('--id-field <field>', 'id field or column in JSONL/CSV', 'id')
    .option('--max-length <n>', 'longest post in characters; longer ones become errors', parsePositiveInt, 1_000_000)
    .action(async (inputs: string[], flags: EnqueueFlags) => {
      const { kind, url } = engine(flags);
      const { enqueue } = await import('../queue/enqueue.js');
      const queue: Enqueuer =
        kind === 'redis'
          ? await (await import('../queue/redis.js')).openRedisEnqueuer({ url, stream: flags.stream, onNotice: notice })
          : await (await import('../queue/nats.js')).openNatsEnqueuer({ url, stream: flags.stream, onNotice: notice });
      const stop = stopOnSignals('stopping after the entries read so far');
      try {
        const s = await enqueue({
          queue,
          signal: stop.signal,
          onNotice: notice,
          ...(flags.maxLenWait !== undefined ? { maxLenWait: flags.maxLenWait } : {}),
          inputs: inputs.map((path) => ({
            path,
            ...(flags.inputFormat ? { format: flags.inputFormat } : {}),
            textField: flags.textField,
            idField: flags.idField,
            maxTextLength: flags.maxLength,
          })),
        });
        notice(`${s.records} records enqueued to ${flags.stream} on ${queue.describe} (${s.posts} posts, ${s.errors} unreadable records as error entries), ${s.seconds.toFixed(2)} s${s.waits ? `, waited ${s.waits} times for room` : ''}`);
      } finally {
        stop.dispose();
        await queue.close();
      }
    });
}

interface WorkerFlags extends EngineFlags, AnalyzerFlags {
  stream: string;
  group: string;
  consumer?: string;
  outStream: string;
  errorStream: string;
  candidatesOnly?: boolean;
  batch: number;
  blockMs: number;
  claimIdleMs: number;
  maxDeliveries: number;
  dedupTtl: number;
  exitWhenIdle?: boolean;
  metricsPort?: number;
  textField: string;
  idField: string;
}

export function registerWorker(program: Command): void {
  const cmd = addEngineOptions(program.command('worker').description('score posts from a stream with a consumer group; results and errors go to streams'))
    .option('--stream <name>', 'input stream', 'posts')
    .option('--group <name>', 'consumer group (NATS: durable consumer) shared by the workers', 'qorgau')
    .option('--consumer <name>', 'this worker\'s name in the group (default host-pid)')
    .option('--out-stream <name>', 'results stream', 'qorgau:results')
    .option('--error-stream <name>', 'error record stream', 'qorgau:errors')
    .option('--candidates-only', 'write only results with labels (every entry is still acknowledged)')
    .option('--batch <n>', 'entries per read (a worker holds one batch plus one prefetched)', parsePositiveInt, 256)
    .option('--block-ms <n>', 'how long a read waits for new entries', parsePositiveInt, 2000)
    .option('--claim-idle-ms <n>', 'take over entries another worker has held this long (NATS: ack wait)', parsePositiveInt, 60_000)
    .option('--max-deliveries <n>', 'an entry delivered more times becomes an error record', parsePositiveInt, 5)
    .option('--dedup-ttl <seconds>', 'how long result keys are remembered to drop repeats (NATS: duplicate window)', parsePositiveInt, 3600)
    .option('--exit-when-idle', 'exit once nothing is unread or pending in the group')
    .option('--metrics-port <port>', 'serve Prometheus metrics on http://127.0.0.1:<port>/metrics', parsePositiveInt)
    .option('--text-field <field>', 'text field of `record` and flat entries', 'text')
    .option('--id-field <field>', 'id field of `record` and flat entries', 'id');
  addAnalyzerOptions(cmd).action(async (flags: WorkerFlags) => {
    const { kind, url } = engine(flags);
    const consumer = flags.consumer ?? `${hostname()}-${process.pid}`;
    const common = {
      url,
      stream: flags.stream,
      group: flags.group,
      consumer,
      outStream: flags.outStream,
      errorStream: flags.errorStream,
      claimIdleMs: flags.claimIdleMs,
      blockMs: flags.blockMs,
      dedupTtlS: flags.dedupTtl,
      onNotice: notice,
    };
    const queue: WorkerQueue =
      kind === 'redis'
        ? await (await import('../queue/redis.js')).openRedisWorkerQueue(common)
        : await (await import('../queue/nats.js')).openNatsWorkerQueue(common);
    const { runWorker } = await import('../queue/worker.js');
    const metrics =
      flags.metricsPort !== undefined
        ? await (await import('../queue/metrics.js')).startMetrics({
            port: flags.metricsPort,
            backlog: () => queue.backlog(),
            labels: { stream: flags.stream, group: flags.group, consumer },
          })
        : undefined;
    if (metrics) notice(`metrics on http://127.0.0.1:${metrics.port}/metrics`);
    const stop = stopOnSignals('stopping: finishing and acknowledging the batch in flight');
    try {
      notice(`worker ${consumer} reading ${flags.stream} (group ${flags.group}) on ${queue.describe}`);
      const s = await runWorker({
        ...analyzerOptions(flags),
        queue,
        batch: flags.batch,
        maxDeliveries: flags.maxDeliveries,
        signal: stop.signal,
        reader: { textField: flags.textField, idField: flags.idField },
        ...(flags.candidatesOnly ? { candidatesOnly: true } : {}),
        ...(flags.exitWhenIdle ? { exitWhenIdle: true } : {}),
        ...(metrics ? { onBatch: (b) => metrics.observe(b) } : {}),
      });
      const errs = Object.entries(s.errorsByCode).map(([k, v]) => `${k} ${v}`);
      notice(
        `worker ${consumer}: ${s.entries} entries, ${s.results} posts scored, ${s.candidates} candidates, ${s.errors} errors${errs.length ? ` (${errs.join(', ')})` : ''}, ${s.duplicates} duplicates dropped, ${s.seconds.toFixed(2)} s, ${Math.round(s.entries / Math.max(s.seconds, 1e-9))} entries/s, ${s.model ? `model ${s.model}` : 'rules-only'}, version ${s.version}`,
      );
    } finally {
      stop.dispose();
      await metrics?.close();
      await queue.close();
    }
  });
}

interface CollectFlags extends EngineFlags {
  stream: string;
  errorStream: string | false;
  output?: string;
  errors?: string;
  format: 'jsonl' | 'csv';
  all?: boolean;
  top?: number;
  cluster: boolean;
  follow?: boolean;
}

export function registerCollect(program: Command): void {
  addEngineOptions(program.command('collect').description('write the results (and error) streams to the files scan writes'))
    .option('--stream <name>', 'results stream', 'qorgau:results')
    .option('--error-stream <name>', 'error record stream, read after the results', 'qorgau:errors')
    .option('--no-error-stream', 'results only')
    .option('-o, --output <file>', 'write records here (default stdout)')
    .option('--errors <file>', 'write error records here instead of into the output')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--all', 'every record in stream order, not only candidates sorted by priority')
    .option('--top <n>', 'keep only the N highest-priority candidates', parsePositiveInt)
    .option('--no-cluster', 'do not group near-duplicate candidates')
    .option('--follow', 'keep writing new records until SIGTERM/SIGINT (implies --all)')
    .action(async (flags: CollectFlags) => {
      const { kind, url } = engine(flags);
      if (flags.follow && flags.top !== undefined) throw new UsageError('Expected --top without --follow: a followed stream never ends, so it has no top N.');
      const stop = flags.follow ? stopOnSignals('stopping after the records read so far') : undefined;
      const read = async (stream: string): Promise<AsyncGenerator<StreamItem>> => {
        const common = { url, stream, onNotice: notice, ...(flags.follow ? { follow: true } : {}), ...(stop ? { signal: stop.signal } : {}) };
        return kind === 'redis' ? (await import('../queue/redis.js')).readRedisStream(common) : (await import('../queue/nats.js')).readNatsStream(common);
      };
      const streams = [flags.stream, ...(flags.errorStream ? [flags.errorStream] : [])];
      if (flags.follow && streams.length > 1) throw new UsageError('Expected --no-error-stream with --follow: run one collect per stream.');
      async function* items(): AsyncGenerator<StreamItem> {
        for (const s of streams) yield* await read(s);
      }
      const { collect } = await import('../queue/collect.js');
      const out = openSink(flags.output);
      const errors = flags.errors ? openSink(flags.errors) : undefined;
      try {
        const s = await collect({
          items: items(),
          out,
          ...(errors ? { errors } : {}),
          format: flags.format,
          ...(flags.all || flags.follow ? { all: true } : {}),
          ...(flags.top !== undefined ? { top: flags.top } : {}),
          cluster: flags.cluster,
        });
        const cats = CATEGORIES.filter((c) => s.perCategory[c] > 0).map((c) => `${c} ${s.perCategory[c]}`);
        const errs = Object.entries(s.errorsByCode).map(([k, v]) => `${k} ${v}`);
        notice(`${s.entries} entries read from ${streams.join(' and ')}, ${s.results} results, ${s.candidates} candidates${cats.length ? ` (${cats.join(', ')})` : ''}`);
        notice(`${s.errors} errors${errs.length ? ` (${errs.join(', ')})` : ''}${s.duplicates ? `, ${s.duplicates} repeated keys skipped` : ''}`);
      } finally {
        stop?.dispose();
        await closeSink(out);
        if (errors) await closeSink(errors);
      }
    });
}

/** `enqueue`, `worker` and `collect`: the commands for running on many machines. */
export function registerQueueCommands(program: Command): void {
  registerEnqueue(program);
  registerWorker(program);
  registerCollect(program);
}
