/**
 * The Video tab's calls to the studio API (studio/server/video-routes.ts): JSON requests
 * whose failures carry the server's `{component, message, fix}`, and the chunked upload.
 */
import type { ApiError, JobRequest, StudioHead, StudioJob, StudioVideo, UploadLimits, UploadState } from '../server/api-types.js';

/** A failed API call, with the server's explanation. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly component: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${problem}. Fix: ${fix}.`);
    this.name = 'ApiFailure';
  }
}

/** Calls the API; JSON in and out. Throws ApiFailure for an error answer or a lost connection. */
export async function api<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiFailure(0, 'studio', 'the noggin server cannot be reached', 'check that `noggin serve` is running, then reload the page');
  }
  return answer<T>(res);
}

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ApiFailure(res.status, 'studio', `the server answered ${res.status} without JSON`, 'reload the page');
  }
  if (!res.ok) {
    const e = (json as Partial<ApiError>).error;
    throw new ApiFailure(res.status, e?.component ?? 'studio', e?.message ?? `request failed (${res.status})`, e?.fix ?? 'try again');
  }
  return json as T;
}

/** The shipped heads. */
export async function fetchHeads(): Promise<StudioHead[]> {
  return (await api<{ heads: StudioHead[] }>('GET', '/api/heads')).heads;
}

/** Upload limits, and whether local paths may be opened. */
export function fetchLimits(): Promise<UploadLimits> {
  return api<UploadLimits>('GET', '/api/uploads/limits');
}

/** One video by id. */
export async function fetchVideo(id: string): Promise<StudioVideo> {
  return (await api<{ video: StudioVideo }>('GET', `/api/videos/${encodeURIComponent(id)}`)).video;
}

/** Opens a video by its path on the server's machine. */
export async function openPath(path: string): Promise<StudioVideo> {
  return (await api<{ video: StudioVideo }>('POST', '/api/videos', { path })).video;
}

/** One job by id. */
export async function fetchJob(id: string): Promise<StudioJob> {
  return (await api<{ job: StudioJob }>('GET', `/api/jobs/${encodeURIComponent(id)}`)).job;
}

/** Every job, newest first. */
export async function fetchJobs(): Promise<StudioJob[]> {
  return (await api<{ jobs: StudioJob[] }>('GET', '/api/jobs')).jobs;
}

/** Queues an export. */
export async function submitJob(req: JobRequest): Promise<StudioJob> {
  return (await api<{ job: StudioJob }>('POST', '/api/jobs', req)).job;
}

/** Cancels a job. */
export async function cancelJob(id: string): Promise<StudioJob> {
  return (await api<{ job: StudioJob }>('POST', `/api/jobs/${encodeURIComponent(id)}/cancel`)).job;
}

/**
 * Uploads a file in chunks of the server's chunk size (each PUT streams to disk on the
 * server); the server checks the size limit up front and the type (ffprobe) at the end.
 */
export async function uploadVideo(file: File, onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<StudioVideo> {
  const { upload } = await api<{ upload: UploadState }>('POST', '/api/uploads', { name: file.name, bytes: file.size }, signal);
  const url = `/api/uploads/${upload.id}`;
  try {
    let offset = 0;
    onProgress(0, file.size);
    while (offset < file.size) {
      const end = Math.min(file.size, offset + upload.chunkBytes);
      let res: Response;
      try {
        res = await fetch(`${url}?offset=${offset}`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/octet-stream' },
          body: file.slice(offset, end),
          credentials: 'same-origin',
          signal,
        });
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        throw new ApiFailure(0, 'studio', `the upload of "${file.name}" broke off at ${offset} bytes`, 'check the server is running and upload again');
      }
      offset = (await answer<{ upload: UploadState }>(res)).upload.received;
      onProgress(offset, file.size);
    }
    return (await api<{ video: StudioVideo }>('POST', `${url}/finish`, undefined, signal)).video;
  } catch (e) {
    void fetch(url, { method: 'DELETE', credentials: 'same-origin' }).catch(() => undefined);
    throw e;
  }
}
