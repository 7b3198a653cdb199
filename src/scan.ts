import { createReadStream, existsSync, mkdtempSync, readdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createAnalyzer, type Analyzer } from './analyzer.js';
import { type ClusterOptions } from './cluster/index.js';
import { SignatureStore, clusterCount } from './cluster/spill.js';
import { QorgauError } from './errors.js';
import { formatFromPath, readInput, type InputSpec, type IngestRecord } from './ingest/readers.js';
import type { Options } from './options.js';
import { createWriter, formatRecord, type OutputFormat, type RecordWriter } from './output/index.js';
import { RunQueue } from './spill/runs.js';
import { Spool } from './spill/spool.js';
import { createReportBuilder } from './report/index.js';
import { CATEGORIES, isErrorRecord, type Category, type ErrorCode, type Output } from './types.js';
import { readCheckpoint, writeCheckpoint, type Checkpoint, type InputStamp } from './checkpoint.js';

export interface ScanOptions extends Options {
  readonly inputs: readonly InputSpec[];
  /** Where results go. */
  readonly out: Writable;
  /** Where error records go. Default: `out`, after the candidates (or in place with `all`). */
  readonly errors?: Writable;
  /** Output format. Default `jsonl`. */
  readonly format?: OutputFormat;
  /** Write every post in input order instead of only candidates sorted by priority. Default false. */
  readonly all?: boolean;
  /** Keep only the N highest-priority candidates. Default: all candidates. */
  readonly top?: number;
  /** Called about twice a second with running counts (for a progress line). */
  readonly onProgress?: (summary: ScanSummary) => void;
  /** Reuse an analyzer instead of creating one. */
  readonly analyzer?: Analyzer;
  /**
   * Near-duplicate clustering of the candidates: sets `cluster` (the representative's id) and `clusterSize`
   * on each. Not with `all`, which streams in input order. `false` turns it off. Default on.
   */
  readonly cluster?: boolean | ClusterOptions;
  /** Title of the page with `format: 'html'`. */
  readonly title?: string;
  /**
   * When the run started, as a `performance.now()` timestamp: the CLI passes 0 (the process start), so that
   * `seconds` is the wall time the user waited, loading included. Default: when `scan` is called.
   */
  readonly startedAt?: number;
  /**
   * Stops reading when aborted: the records already read are scored, the output is written (sorted, as
   * always) and the summary says `interrupted` and how much was not read.
   */
  readonly signal?: AbortSignal;
  /**
   * A folder qorgau owns for this output: sorted runs, clustering data and a checkpoint, so that memory stays
   * bounded and a run that stopped (killed, interrupted) can be resumed. Without it, spills go to a new folder
   * under the system's temp folder and no checkpoint is kept.
   */
  readonly workDir?: string;
  /** Continue from the checkpoint in `workDir` when there is one (needs `workDir`; not with `format: 'html'`). */
  readonly resume?: boolean;
  /** Text held in memory (candidates, errors) before it goes to `workDir`, in characters. Default 8,000,000. */
  readonly spillChars?: number;
  /** Candidates clustered in memory; more are clustered from sorted files in the work folder. Default 50,000. */
  readonly clusterInMemory?: number;
  /** Seconds between checkpoints in `workDir`. Default 30. */
  readonly checkpointSeconds?: number;
  /** What else decides the output (rules and model version, flags): a checkpoint made with another is refused. */
  readonly fingerprint?: string;
}

export interface ScanSummary {
  /** Input records read: posts plus records that could not be read. */
  records: number;
  results: number;
  candidates: number;
  perCategory: Record<Category, number>;
  errors: number;
  errorsByCode: Partial<Record<ErrorCode, number>>;
  /** Wall time from `startedAt` to the last record written. */
  seconds: number;
  /** Of `seconds`, the time before the first record: start-up, loading rules and the model. */
  startupSeconds: number;
  /** Records per second of reading and scoring (start-up excluded). */
  postsPerSecond: number;
  model: string | null;
  /** The linear model's name, or null when it did not run. */
  linear: string | null;
  /** Threads that scored posts (`workers` option; 1 = the calling thread). */
  workers: number;
  /** Near-duplicate clusters among the candidates, when they were clustered. */
  clusters?: number;
  /** With `format: 'html'`: candidates the page lists (all, or the first `top`, default 20,000). */
  listed?: number;
  /** Bytes of the input files read so far, and their total (undefined for streams and stdin). */
  bytesRead: number;
  bytesTotal?: number;
  /** Records taken over from a checkpoint (`resume`), counted in `records`. */
  resumed?: number;
  /** The run was stopped by `signal`: what was read is in the output, the rest was not read. */
  interrupted?: boolean;
  /** With `interrupted`: input bytes not read, and for line formats about how many records they hold. */
  unreadBytes?: number;
  unreadRecords?: number;
}

const CHECKPOINT_FILE = 'checkpoint.json';

function stampOf(spec: InputSpec): InputStamp {
  if (spec.stream || spec.path === '-') {
    throw new QorgauError('bad_options', 'Expected files to resume, got stdin or a stream: a resumed run must read the same input again. Drop --resume or read from a file.');
  }
  const st = statSync(spec.path);
  return { path: spec.path, size: st.size, mtimeMs: st.mtimeMs };
}

/** Newlines from `from` to the end of `path`: about the records left in a line-based file. */
async function countLines(path: string, from: number): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path, { start: from, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) n += 1;
  }
  return n;
}

/** Reads every input, scores every post and writes results and error records. Returns the counts. */
export async function scan(options: ScanOptions): Promise<ScanSummary> {
  const t0 = options.startedAt ?? performance.now();
  if (options.top !== undefined && (!Number.isInteger(options.top) || options.top < 1)) {
    throw new QorgauError('bad_options', `Expected \`top\` to be a positive integer, got \`${String(options.top)}\`.`);
  }
  const format = options.format ?? 'jsonl';
  if (format === 'html' && options.all) {
    throw new QorgauError('bad_options', 'Expected `all` to be off with the html format: the report lists the candidates and counts every post. Drop --all.');
  }
  if (options.resume && !options.workDir) throw new QorgauError('bad_options', 'Expected `workDir` with `resume`: the checkpoint lives there. With the CLI, --resume needs -o.');
  if (options.resume && format === 'html') {
    throw new QorgauError('bad_options', 'Expected `resume` without the html format: the page is built in memory. Scan to JSONL with --resume, then run qorgau report.');
  }
  const clusterOptions = options.cluster === false || options.all ? undefined : options.cluster === true ? {} : (options.cluster ?? {});
  const report =
    format === 'html'
      ? createReportBuilder({
          ...(options.title !== undefined ? { title: options.title } : {}),
          ...(options.top !== undefined ? { top: options.top } : {}),
          cluster: clusterOptions ?? false,
          inputs: options.inputs.map((i) => i.path),
          // The page's spills share the scan's work folder (called on the first spill, after it is set up).
          dir: () => work(),
          ...(options.spillChars !== undefined ? { spillChars: options.spillChars } : {}),
        })
      : undefined;

  // Checkpoints only where the caller gave a folder for this output; spills alone may go to the temp folder.
  const checkpointing = options.workDir !== undefined && !report;
  const stamps = checkpointing ? options.inputs.map(stampOf) : [];
  const fingerprint = JSON.stringify({
    fingerprint: options.fingerprint ?? '',
    format,
    all: options.all === true,
    top: options.top ?? null,
    cluster: clusterOptions ?? false,
    separateErrors: options.errors !== undefined,
  });
  let workDir = options.workDir;
  const work = (): string => (workDir ??= mkdtempSync(join(tmpdir(), 'qorgau-')));
  const previous: Checkpoint | undefined = options.resume ? readCheckpoint(join(options.workDir!, CHECKPOINT_FILE), stamps, fingerprint) : undefined;

  const analyzer = options.analyzer ?? (await createAnalyzer(options));
  // The page is written by the report builder; error records sent elsewhere (--errors) stay JSONL.
  const recordFormat = format === 'html' ? 'jsonl' : format;
  const out = createWriter(options.out, recordFormat);
  const errOut: RecordWriter = options.errors ? createWriter(options.errors, recordFormat) : out;
  const started = performance.now();
  const summary: ScanSummary = {
    records: 0,
    results: 0,
    candidates: 0,
    perCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>,
    errors: 0,
    errorsByCode: {},
    seconds: 0,
    startupSeconds: (started - t0) / 1000,
    postsPerSecond: 0,
    model: analyzer.info.model,
    linear: analyzer.info.linear ?? null,
    workers: options.workers ?? 1,
    bytesRead: 0,
    ...(options.inputs.every((i) => !i.stream && i.path !== '-') ? { bytesTotal: options.inputs.reduce((s, i) => s + (existsSync(i.path) ? statSync(i.path).size : 0), 0) } : {}),
  };
  if (previous) {
    Object.assign(summary, previous.summary, { perCategory: { ...summary.perCategory, ...previous.summary.perCategory } });
    summary.resumed = previous.records;
  }

  const spillChars = options.spillChars ?? 8_000_000;
  const dirFor = (): string => (checkpointing ? options.workDir! : work());
  // Default mode: candidates as JSON lines ranked by priority (run files past `spillChars`), their clustering
  // data, and the error records, which come after the candidates.
  // Folders are made only when something spills.
  const queue =
    !options.all && !report
      ? new RunQueue({ dir: dirFor, maxChars: spillChars, ...(options.top !== undefined ? { top: options.top } : {}), ...(previous ? { runs: previous.runs } : {}) })
      : undefined;
  const store = queue && clusterOptions ? new SignatureStore({ ...clusterOptions, dir: dirFor, ...(options.clusterInMemory !== undefined ? { inMemoryPosts: options.clusterInMemory } : {}), ...(previous ? { resumeCount: previous.candidates } : {}) }) : undefined;
  // Error records held for the end (default mode, or a separate errors file while checkpointing), and with
  // `all` while checkpointing the whole output in order: a resumed run continues these files.
  const errorsHeld = !report && (!options.all || (checkpointing && options.errors !== undefined));
  let errSpool: Spool | undefined;
  const errorSpool = (): Spool => (errSpool ??= new Spool(() => join(dirFor(), 'errors.part'), spillChars, previous?.errorBytes));
  if (errorsHeld && checkpointing) errorSpool();
  const allSpool = options.all && checkpointing ? new Spool(join(options.workDir!, 'all.part'), spillChars, previous?.allBytes) : undefined;

  // Where each input starts in the record count, and the stream being read, for progress and checkpoints.
  const starts: number[] = previous ? [...previous.starts] : [];
  let readCount = 0;
  let doneBytes = 0;
  let current: { path: string; stream: Readable & { bytesRead?: number } } | undefined;
  const interruptedAt: { index: number; path: string; from: number } = { index: -1, path: '', from: 0 };
  async function* concat(): AsyncGenerator<IngestRecord> {
    const skipTotal = previous?.records ?? 0;
    for (let k = 0; k < options.inputs.length; k += 1) {
      const spec = options.inputs[k]!;
      if (options.signal?.aborted) {
        interruptedAt.index = k;
        interruptedAt.path = spec.path;
        return;
      }
      if (starts[k] === undefined) starts[k] = readCount;
      else readCount = starts[k]!;
      const size = spec.stream || spec.path === '-' || !existsSync(spec.path) ? 0 : statSync(spec.path).size;
      // Wholly done before the checkpoint: not opened again.
      if (starts[k + 1] !== undefined && starts[k + 1]! <= skipTotal) {
        readCount = starts[k + 1]!;
        doneBytes += size;
        continue;
      }
      const stream: Readable & { bytesRead?: number } = spec.stream ?? (spec.path === '-' ? process.stdin : createReadStream(spec.path));
      current = { path: spec.path, stream };
      let skip = Math.max(0, skipTotal - readCount);
      for await (const record of readInput({ ...spec, stream })) {
        readCount += 1;
        if (skip > 0) {
          skip -= 1;
          continue;
        }
        yield record;
        if (options.signal?.aborted) {
          interruptedAt.index = k;
          interruptedAt.path = spec.path;
          interruptedAt.from = stream.bytesRead ?? 0;
          return;
        }
      }
      doneBytes += size;
      current = undefined;
    }
    starts[options.inputs.length] = readCount;
  }
  const bytesNow = (): number => doneBytes + (current?.stream.bytesRead ?? 0);

  let candidates = previous?.candidates ?? 0;
  const checkpoint = (): void => {
    if (!checkpointing) return;
    queue?.spill();
    store?.flush();
    const cp: Checkpoint = {
      version: 1,
      fingerprint,
      inputs: stamps,
      records: summary.records,
      starts: starts.filter((s) => s <= summary.records),
      candidates,
      runs: queue ? [...queue.runs] : [],
      errorBytes: errSpool?.flush() ?? 0,
      allBytes: allSpool?.flush() ?? 0,
      summary: {
        records: summary.records,
        results: summary.results,
        candidates: summary.candidates,
        perCategory: summary.perCategory,
        errors: summary.errors,
        errorsByCode: summary.errorsByCode,
      },
    };
    writeCheckpoint(join(options.workDir!, CHECKPOINT_FILE), cp);
  };

  const top = options.top;
  let lastProgress = started;
  let lastCheckpoint = started;
  const checkpointMs = (options.checkpointSeconds ?? 30) * 1000;
  let completed = false;
  let closed = false;
  try {
    for await (const record of analyzer.analyzeStream(concat())) {
      summary.records += 1;
      if (isErrorRecord(record)) {
        summary.errors += 1;
        summary.errorsByCode[record.error.code] = (summary.errorsByCode[record.error.code] ?? 0) + 1;
        report?.add(record);
        if (report) {
          // Counted in the page.
        } else if (options.all && !options.errors) {
          if (allSpool) allSpool.append(formatRecord(record, recordFormat));
          else await out.write(record);
        } else if (options.errors && !checkpointing) await errOut.write(record);
        else errorSpool().append(formatRecord(record, recordFormat));
      } else {
        summary.results += 1;
        if (record.labels.length > 0) {
          summary.candidates += 1;
          for (const c of record.labels) summary.perCategory[c] += 1;
        }
        if (report) report.add(record);
        else if (options.all) {
          if (allSpool) allSpool.append(formatRecord(record, recordFormat));
          else await out.write(record);
        } else if (record.labels.length > 0 && queue) {
          const seq = candidates++;
          store?.add(record.text, record.priority);
          queue.add({ priority: record.priority, seq, line: `${JSON.stringify(record.id)}\t${JSON.stringify(record)}` });
        }
      }
      const now = performance.now();
      if (checkpointing && now - lastCheckpoint > checkpointMs) {
        lastCheckpoint = now;
        checkpoint();
      }
      if (options.onProgress && now - lastProgress > 500) {
        lastProgress = now;
        summary.seconds = (now - t0) / 1000;
        summary.postsPerSecond = (summary.records - (summary.resumed ?? 0)) / Math.max((now - started) / 1000, 1e-9);
        summary.bytesRead = bytesNow();
        options.onProgress(summary);
      }
    }
    summary.bytesRead = bytesNow();
    // Scoring is over: the worker threads (a rules set and a model each) go before the merge needs memory.
    if (!options.analyzer) {
      closed = true;
      await analyzer.close();
    }
    if (options.signal?.aborted && interruptedAt.index >= 0) {
      summary.interrupted = true;
      let unread = 0;
      let lines: number | undefined = 0;
      for (let k = interruptedAt.index; k < options.inputs.length; k += 1) {
        const spec = options.inputs[k]!;
        if (spec.stream || spec.path === '-' || !existsSync(spec.path)) {
          lines = undefined;
          continue;
        }
        const from = k === interruptedAt.index ? interruptedAt.from : 0;
        unread += Math.max(0, statSync(spec.path).size - from);
        const f = spec.format ?? formatFromPath(spec.path) ?? 'txt';
        if (lines !== undefined && (f === 'jsonl' || f === 'txt' || f === 'csv' || f === 'tsv')) lines += await countLines(spec.path, from);
        else lines = undefined;
      }
      summary.unreadBytes = unread;
      if (lines !== undefined) summary.unreadRecords = lines;
      // The checkpoint goes first: the output below only reads the runs, so --resume can take it from here.
      checkpoint();
    }

    if (report) {
      const page = await report.write(options.out);
      summary.clusters = page.clusters;
      summary.listed = page.listed;
    } else if (options.all) {
      if (allSpool) await allSpool.copyTo((chunk) => out.writeFormatted(chunk));
    } else if (queue) {
      const table = store ? await store.cluster() : undefined;
      if (table) summary.clusters = clusterCount(table);
      // A representative is its cluster's highest-priority member (earliest on ties), so it comes out first:
      // its id is kept until the last member of its cluster is written.
      const repIds = new Map<number, { id: string; left: number }>();
      for await (const item of queue.sorted()) {
        const tab = item.line.indexOf('\t');
        const idJson = item.line.slice(0, tab);
        let json = item.line.slice(tab + 1);
        if (table) {
          const rep = table.rep[item.seq]!;
          const size = table.size[item.seq]!;
          let repId = idJson;
          if (size > 1) {
            if (rep === item.seq) repIds.set(rep, { id: idJson, left: size - 1 });
            else {
              const entry = repIds.get(rep);
              if (entry) {
                repId = entry.id;
                if (--entry.left === 0) repIds.delete(rep);
              }
            }
          }
          json = `${json.slice(0, -1)},"cluster":${repId},"clusterSize":${size}}`;
        }
        await out.writeFormatted(recordFormat === 'csv' ? formatRecord(JSON.parse(json) as Output, 'csv') : `${json}\n`);
      }
    }
    if (errSpool) await errSpool.copyTo((chunk) => errOut.writeFormatted(chunk));
    completed = !summary.interrupted;
  } finally {
    if (!options.analyzer && !closed) await analyzer.close();
    store?.close();
    report?.close();
    errSpool?.close();
    allSpool?.close();
    // A finished run leaves nothing; a stopped or failed one keeps what a checkpoint names, for --resume.
    const resumable = checkpointing && existsSync(join(options.workDir!, CHECKPOINT_FILE));
    if (workDir !== undefined && (completed || !resumable)) removeWork(workDir, queue?.runs ?? [], options.workDir === undefined);
  }
  const end = performance.now();
  summary.seconds = (end - t0) / 1000;
  summary.postsPerSecond = (summary.records - (summary.resumed ?? 0)) / Math.max((end - started) / 1000, 1e-9);
  return summary;
}

/** Removes the files this scan wrote in its work folder, then the folder if that left it empty. */
function removeWork(dir: string, runs: readonly string[], ownFolder: boolean): void {
  if (!existsSync(dir)) return;
  const ours = new Set([CHECKPOINT_FILE, `${CHECKPOINT_FILE}.tmp`, 'signatures.bin', 'errors.part', 'all.part', ...runs.map((r) => r.slice(dir.length + 1))]);
  for (const name of readdirSync(dir)) {
    if (ownFolder || ours.has(name) || /^(run-\d+\.tsv|bands-\d+\.bin)$/.test(name)) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // Gone already.
      }
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // Not empty: something else lives there.
  }
}
