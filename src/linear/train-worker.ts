/**
 * Worker thread body for `trainLinearParallel`: receives the shared training matrix once, then fits each
 * category it is sent and answers with the fitted parameters.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fitCategory, type CategoryTask, type TrainMatrix } from './train.js';

const port = parentPort;
if (!port) throw new Error('qorgau: dist/linear/train-worker.js runs as a worker thread, started by qorgau train.');
const { matrix } = workerData as { matrix: TrainMatrix };
port.on('message', ({ task }: { task: CategoryTask }) => {
  let last = 0;
  const fit = fitCategory(matrix, task, (iteration) => {
    // A message per few iterations is enough for a progress bar.
    if (iteration - last >= 5) {
      last = iteration;
      port.postMessage({ type: 'iteration', iteration });
    }
  });
  port.postMessage({ type: 'done', fit });
});
