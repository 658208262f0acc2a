/**
 * The studio's video HTTP API, as data: what the server sends and the page reads. Types
 * only (browser-safe); the routes are in studio/server/video-routes.ts, the README lists
 * them under "Studio: video jobs".
 */

/** The JSON body of every error response (as the bridge's `ErrorBody`). */
export interface ApiError {
  readonly error: { readonly component: string; readonly message: string; readonly fix: string };
}

/** A shipped head, as `GET /api/heads` lists it. */
export interface StudioHead {
  /** `--head NAME`. */
  readonly name: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly kind: 'glb' | 'vrm';
  /** URL of the model file on this server (`/heads/...` or `/vrm/...`). */
  readonly url: string;
  /** Recolourable base colours by material name, sRGB `#rrggbb`. */
  readonly colors: Readonly<Record<string, string>>;
}

/** Upload limits and what the server allows, from `GET /api/uploads/limits`. */
export interface UploadLimits {
  /** Largest video accepted, bytes. */
  readonly maxUploadBytes: number;
  /** Largest chunk one `PUT /api/uploads/:id` may carry, bytes. */
  readonly chunkBytes: number;
  /** True when this request came from the server's own machine (`POST /api/videos {path}` is allowed). */
  readonly localPaths: boolean;
}

/** An upload in progress (`POST /api/uploads`, `PUT /api/uploads/:id?offset=N`). */
export interface UploadState {
  readonly id: string;
  /** The file name the user gave. */
  readonly name: string;
  /** Size declared at creation, bytes. */
  readonly bytes: number;
  /** Bytes received so far (the next chunk's offset). */
  readonly received: number;
  /** Largest chunk accepted, bytes. */
  readonly chunkBytes: number;
}

/** A source video on the server: uploaded, or a path on the server's machine. */
export interface StudioVideo {
  readonly id: string;
  /** File name shown to the user. */
  readonly name: string;
  readonly origin: 'upload' | 'path';
  /** Size, bytes. */
  readonly bytes: number;
  /** Upright size, px. */
  readonly width: number;
  readonly height: number;
  /** Average frames per second. */
  readonly fps: number;
  readonly frameCount: number;
  /** Duration, ms. */
  readonly durationMs: number;
  readonly hasAudio: boolean;
  readonly codec: string;
  /** URL the page plays it from (supports Range requests). */
  readonly url: string;
  /** Creation time, ms since the epoch. */
  readonly createdAt: number;
}

/** What `POST /api/jobs` takes. */
export interface JobRequest {
  /** A `StudioVideo` id. */
  readonly video: string;
  /** A shipped head name. */
  readonly head: string;
  /** Colour overrides by material name (names from the head's `colors`), sRGB `#rrggbb`. */
  readonly colors?: Readonly<Record<string, string>>;
  /** H.264 quality, 0-51 (default 18, as `noggin run`). */
  readonly crf?: number;
  /** x264 preset (default veryfast, as `noggin run`). */
  readonly preset?: string;
  /** Anti-aliased head edges (default true, as `noggin run`). */
  readonly antialias?: boolean;
  /** Extra outputs: the alpha layer (a second render pass, ProRes 4444 .mov) and the Live Link CSV. */
  readonly outputs?: { readonly layer?: boolean; readonly csv?: boolean };
}

/** Lifecycle of a job. */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Kinds of file a finished job offers. */
export type JobFileKind = 'result' | 'layer' | 'track' | 'csv';

/** One downloadable output of a job. */
export interface JobFile {
  readonly kind: JobFileKind;
  /** Suggested download name. */
  readonly name: string;
  /** Size, bytes. */
  readonly bytes: number;
  /** Download URL (`?inline=1` serves it for a <video> element instead). */
  readonly url: string;
}

/** Progress of one stage, in frames. */
export interface StageProgress {
  readonly done: number;
  readonly total: number;
}

/** A job as the API reports it (also each SSE `job` event). */
export interface StudioJob {
  readonly id: string;
  readonly state: JobState;
  readonly video: string;
  /** The source's file name. */
  readonly sourceName: string;
  readonly head: string;
  readonly colors: Readonly<Record<string, string>>;
  readonly crf: number;
  readonly preset: string;
  readonly antialias: boolean;
  readonly outputs: { readonly layer: boolean; readonly csv: boolean };
  /** Jobs ahead of this one while queued (0: next to run); null otherwise. */
  readonly queuePosition: number | null;
  /** Stages seen so far (capture, render, composite, layer) and the whole, fraction [0,1]. */
  readonly progress: { readonly stage: string | null; readonly fraction: number; readonly stages: Readonly<Record<string, StageProgress>> };
  /** Why it failed, when it did. */
  readonly error: ApiError['error'] | null;
  /** Outputs, once done. */
  readonly files: readonly JobFile[];
  /** Times, ms since the epoch. */
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

/** True for the states a job never leaves. Pure. */
export function isFinalState(s: JobState): boolean {
  return s === 'done' || s === 'failed' || s === 'cancelled';
}
