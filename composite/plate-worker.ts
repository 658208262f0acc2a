/** Worker thread entry of plate-thread.ts: builds one plate and posts it back. */
import { parentPort } from 'node:worker_threads';
import { buildPlateImage, type PlateSamples } from './background-plate.js';

parentPort?.once('message', (samples: PlateSamples) => {
  const plate = buildPlateImage(samples);
  parentPort?.postMessage(plate, [plate.yuv.buffer as ArrayBuffer]);
});
