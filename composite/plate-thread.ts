/**
 * Builds a background plate on a worker thread. The build is a few hundred milliseconds of
 * CPU at the end of capture; on the main thread it would stall everything else there (the
 * render's last frames, the spool), leaving a core idle. The samples move to the worker
 * without a copy.
 */
import { Worker } from 'node:worker_threads';
import { NogginError } from '../core/errors.js';
import type { PlateImage, PlateSamples } from './background-plate.js';

/** Builds the plate of `samples` on a worker thread (the samples' buffers are handed over). */
export function buildPlateOffThread(samples: PlateSamples): Promise<PlateImage> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./plate-worker.js', import.meta.url));
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(new NogginError('composite', `the background plate could not be built (${why})`, 're-run with --log-level debug'));
    };
    worker.once('message', (m: PlateImage) => {
      settled = true;
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (e) => fail(e.message));
    worker.once('exit', (code) => fail(`worker exited with code ${code}`));
    const buffers = [...samples.frames, ...samples.masks].map((a) => a.buffer as ArrayBuffer);
    worker.postMessage(samples, buffers);
  });
}
