/**
 * Worker thread body for `workers` above 1: builds one in-process analyzer from the options the main thread
 * resolved, then scores each batch of posts it is sent and answers with one output per post. What it is doing
 * (which post of which batch, since when) is written to a shared buffer, so that the main thread can tell which
 * post to blame when this thread hangs or dies.
 */
import { writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createInProcessAnalyzer } from './analyzer.js';
import { QorgauError, describeError } from './errors.js';
import type { Output } from './types.js';
import { PROGRESS, type FromWorker, type ToWorker, type WorkerData } from './worker-pool.js';

const port = parentPort;
if (!port) throw new Error('qorgau: dist/worker.js runs as a worker thread, started by createAnalyzer({ workers }).');

const send = (message: FromWorker): void => port.postMessage(message);
const { options, progress: progressBuffer } = workerData as WorkerData;
const progress = new Float64Array(progressBuffer);

async function collectOutputs(outputs: AsyncIterable<Output>): Promise<Output[]> {
  const all: Output[] = [];
  for await (const o of outputs) all.push(o);
  return all;
}

// Test hook: a worker that dies (text with «exit»), throws, or hangs (text with «hang») on a post with this text,
// to check that the pool survives it. Read from the environment only, which no input can set.
const crashOn = process.env.QORGAU_TEST_CRASH_ON;
// With QORGAU_TEST_CRASH_ONCE naming a file: only the first worker to meet the post crashes (a transient fault).
function firstCrash(): boolean {
  const once = process.env.QORGAU_TEST_CRASH_ONCE;
  if (once === undefined) return true;
  try {
    writeFileSync(once, '', { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

try {
  const analyzer = await createInProcessAnalyzer(
    { ...options, onNotice: (message) => send({ type: 'notice', message }) },
    {
      onPrepare(index, post) {
        progress[PROGRESS.index] = index;
        progress[PROGRESS.since] = performance.timeOrigin + performance.now();
        if (crashOn !== undefined && post.text === crashOn && crashOn.includes('hang')) for (;;);
      },
    },
  );
  // Every message, readable or not, counts: a message that cannot be deserialized (a post nested too deep
  // for this thread's stack) is answered by its place in the sequence, since its id cannot be read.
  let received = 0;
  port.on('messageerror', (error) => {
    send({ type: 'undelivered', seq: received, message: describeError(error) });
    received += 1;
  });
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (message: ToWorker) => {
    received = message.seq + 1;
    // One batch at a time, so that the shared record names the batch being scored.
    queue = queue.then(async () => {
      progress[PROGRESS.batch] = message.id;
      progress[PROGRESS.index] = -1;
      if (crashOn !== undefined && !crashOn.includes('hang') && message.posts.some((p) => p.text === crashOn) && firstCrash()) {
        if (crashOn.includes('exit')) process.exit(3);
        setImmediate(() => {
          throw new Error(`test crash on ${crashOn}`);
        });
        await new Promise(() => {});
      }
      try {
        const outputs = await collectOutputs(analyzer.analyzeStream(message.posts));
        // The id first, on its own: if the outputs cannot be deserialized on the other side (meta nested
        // deeper than its stack), the pool still knows whose they were.
        send({ type: 'reply', id: message.id });
        send({ type: 'done', id: message.id, outputs });
      } catch (error) {
        send({ type: 'failed', id: message.id, message: describeError(error) });
      } finally {
        progress[PROGRESS.batch] = -1;
        progress[PROGRESS.index] = -1;
      }
    });
  });
  send({ type: 'ready', info: analyzer.info });
} catch (error) {
  send({ type: 'init_failed', code: error instanceof QorgauError ? error.code : 'bad_options', message: describeError(error) });
}
