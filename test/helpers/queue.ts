import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCorpus } from '../../src/bench/corpus.js';
import type { Output } from '../../src/types.js';
import { BIN, ROOT } from './cli.js';

/** Malformed JSONL lines of every kind the reader reports, as bytes (the last is not UTF-8: it is decoded and scored with a warning, not an error). */
const MALFORMED: readonly ((i: number) => Buffer)[] = [
  (i) => Buffer.from(`{"id":"bad-json-${i}","text":"обрыв`),
  () => Buffer.from('[1, 2, 3]'),
  (i) => Buffer.from(`{"id":"no-text-${i}","body":"текст не в том поле"}`),
  (i) => Buffer.from(`{"id":"blank-${i}","text":"   "}`),
  (i) => Buffer.from(`{"id":"number-text-${i}","text":42}`),
  (i) => Buffer.concat([Buffer.from(`{"id":"cp1251-${i}","text":"`), Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]), Buffer.from('"}')]),
];

export interface CrashInput {
  readonly path: string;
  /** Lines in the file (posts and malformed lines). */
  readonly lines: number;
  /** Malformed lines that become error records (the undecodable one is scored instead). */
  readonly malformed: number;
}

/**
 * A JSONL file of `lines` lines: the hand-written labelled posts (real-looking Russian and Kazakh, with the
 * categories the model knows), then generated posts, with metadata, and malformed lines spread through it.
 */
export function writeCrashInput(dir: string, lines: number): CrashInput {
  const labelled = join(ROOT, 'corpora', 'labelled');
  const texts: string[] = [];
  for (const f of readdirSync(labelled).filter((n) => n.endsWith('.jsonl')).sort()) {
    for (const l of readFileSync(join(labelled, f), 'utf8').split('\n')) if (l.trim()) texts.push((JSON.parse(l) as { text: string }).text);
  }
  const { posts } = generateCorpus(Math.max(1, Math.ceil((lines * 180) / 1e6)), 7);
  texts.push(...posts);
  const out: Buffer[] = [];
  let malformed = 0;
  let scoredMalformed = 0;
  for (let i = 0; i < lines; i++) {
    if (i % 499 === 250) {
      const kind = malformed % MALFORMED.length;
      out.push(MALFORMED[kind]!(i));
      malformed += 1;
      if (kind === MALFORMED.length - 1) scoredMalformed += 1;
      continue;
    }
    const text = texts[i % texts.length]!;
    // Some ids are numbers, as in exports that number their posts; all are unique.
    const record = i % 10 === 3 ? { id: 900_000 + i, text, channel: `ch${i % 5}` } : { id: `p${i}`, text, channel: `ch${i % 5}`, views: i };
    out.push(Buffer.from(JSON.stringify(record)));
  }
  const path = join(dir, 'crash.jsonl');
  writeFileSync(path, Buffer.concat(out.flatMap((b) => [b, Buffer.from('\n')])));
  return { path, lines, malformed: malformed - scoredMalformed };
}

/** The key that identifies an output for comparisons: the post id, or the place of a record that has none. */
export function outputKey(o: Output): string {
  return o.id ?? `${o.source}:${o.line}`;
}

export function readJsonl(path: string): Output[] {
  const text = readFileSync(path, 'utf8').trim();
  return text ? text.split('\n').map((l) => JSON.parse(l) as Output) : [];
}

export interface Proc {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

/** Runs the built CLI as a separate process, as an operator would start a worker. */
export function startQorgau(args: readonly string[]): Proc {
  const child = spawn('node', [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, stderr: () => err, exited };
}

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function exitedWithin(proc: Proc, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the process did not exit within ${ms} ms; stderr:\n${proc.stderr()}`)), ms);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
