/**
 * Worker thread body for `workers` above 1: builds one in-process analyzer from the options the main thread
 * resolved, then scores each batch of posts it is sent and answers with one output per post.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createInProcessAnalyzer } from './analyzer.js';
import { QorgauError, describeError } from './errors.js';
import type { Output } from './types.js';
import type { FromWorker, ToWorker, WorkerOptions } from './worker-pool.js';

const port = parentPort;
if (!port) throw new Error('qorgau: dist/worker.js runs as a worker thread, started by createAnalyzer({ workers }).');

const send = (message: FromWorker): void => port.postMessage(message);

async function collectOutputs(outputs: AsyncIterable<Output>): Promise<Output[]> {
  const all: Output[] = [];
  for await (const o of outputs) all.push(o);
  return all;
}

try {
  const options = workerData as WorkerOptions;
  const analyzer = await createInProcessAnalyzer({ ...options, onNotice: (message) => send({ type: 'notice', message }) });
  port.on('message', (message: ToWorker) => {
    collectOutputs(analyzer.analyzeStream(message.posts)).then(
      (outputs) => send({ type: 'done', id: message.id, outputs }),
      (error: unknown) => send({ type: 'failed', id: message.id, message: describeError(error) }),
    );
  });
  send({ type: 'ready', info: analyzer.info });
} catch (error) {
  send({ type: 'init_failed', code: error instanceof QorgauError ? error.code : 'bad_options', message: describeError(error) });
}
