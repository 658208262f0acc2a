/**
 * The studio's server side for the Video tab: `mountStudioVideo` adds the upload, video
 * and export-job routes to a running bridge's `/api` router (see README "Studio: video
 * jobs"), keeping uploads and job files in a jobs folder.
 */
import { resolve } from 'node:path';
import type { Router } from 'express';
import type { ResolvedBridgeOptions } from '../../bridge/options.js';
import type { HeadEntry } from '../../core/head-catalog.js';
import { NogginError } from '../../core/errors.js';
import { log } from '../../core/log.js';
import { onCleanup } from '../../system/cleanup.js';
import { JobQueue } from './job-queue.js';
import { defaultJobsDir, JobsDir } from './jobs-dir.js';
import { addVideoRoutes } from './video-routes.js';
import { VideoStore } from './video-store.js';

export type * from './api-types.js';
export { isFinalState } from './api-types.js';
export { defaultJobsDir } from './jobs-dir.js';
export { runArgs, NOGGIN_CLI } from './job-runner.js';

/** Default largest upload: 2 GiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

/** URL prefix of the upload route (PUT /api/uploads/ID?offset=N), for the bridge's `streamedBodyPrefixes`. */
export const STUDIO_UPLOAD_PREFIX = '/api/uploads/';
/** Upload chunk size when the bridge streams upload bodies: few requests, still resumable. */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

/** Options of `mountStudioVideo`. */
export interface StudioVideoOptions {
  /** Folder for uploads and job files (default `defaultJobsDir()`). */
  readonly jobsDir?: string;
  /** Largest upload accepted, bytes (default 2 GiB). */
  readonly maxUploadBytes?: number;
  /** The shipped heads (default: core/head-catalog's list; tests may narrow it). */
  readonly heads?: () => HeadEntry[];
  /** Register `close()` with system/cleanup (default true). */
  readonly installCleanup?: boolean;
}

/** The mounted studio video API. */
export interface StudioVideoHandle {
  /** The jobs folder in use (absolute). */
  readonly jobsDir: string;
  readonly videos: VideoStore;
  readonly jobs: JobQueue;
  /** Cancels the running job (its partial output is removed); queued jobs run at the next start. */
  close(): Promise<void>;
}

/**
 * Loads the jobs folder (finishing what an earlier server left: unfinished uploads are
 * removed, queued jobs run again, a job caught running is marked failed) and adds the
 * routes to `bridge.api`. Upload chunks are UPLOAD_CHUNK_BYTES when the bridge lets the
 * upload route stream its bodies (`streamedBodyPrefixes` has STUDIO_UPLOAD_PREFIX), else at
 * most the bridge's `maxBodyBytes`.
 */
export async function mountStudioVideo(
  bridge: { readonly api: Router; readonly options: Pick<ResolvedBridgeOptions, 'maxBodyBytes'> & Partial<Pick<ResolvedBridgeOptions, 'streamedBodyPrefixes'>> },
  opts: StudioVideoOptions = {},
): Promise<StudioVideoHandle> {
  const maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes < 1) {
    throw new NogginError('studio', `the upload limit ${maxUploadBytes} is not a positive number of bytes`, 'pass --max-upload-mb N with N >= 1', 2);
  }
  const dir = new JobsDir(resolve(opts.jobsDir ?? defaultJobsDir()));
  try {
    await dir.init();
  } catch (e) {
    throw new NogginError('studio', `cannot create the jobs folder ${dir.root} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'choose a writable folder with --jobs-dir');
  }
  const streamed = (bridge.options.streamedBodyPrefixes ?? []).some((p) => STUDIO_UPLOAD_PREFIX.startsWith(p));
  const videos = new VideoStore(dir, maxUploadBytes, streamed ? UPLOAD_CHUNK_BYTES : bridge.options.maxBodyBytes);
  await videos.load();
  const jobs = new JobQueue(dir, videos, opts.heads);
  await jobs.load();
  addVideoRoutes(bridge.api, { videos, jobs, heads: opts.heads });
  log.info({ jobsDir: dir.root, maxUploadBytes }, 'studio: video jobs ready');
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= jobs.close());
  const unregister = opts.installCleanup === false ? () => true : onCleanup('studio-jobs', close);
  return {
    jobsDir: dir.root,
    videos,
    jobs,
    close: () => {
      unregister();
      return close();
    },
  };
}
