/**
 * Source videos for the studio: uploads (streamed to disk in chunks, each at most the
 * bridge's body limit, up to a size limit, then checked with ffprobe) and paths on the
 * server's own machine. Each lives in `videos/<id>/` with a `video.json`; an upload is a
 * hidden `.part` file until ffprobe accepts it and it is renamed into place.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { basename, extname, isAbsolute, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { NogginError } from '../../core/errors.js';
import { log } from '../../core/log.js';
import { probeVideo, type VideoInfo } from '../../system/ffmpeg.js';
import type { StudioVideo, UploadState } from './api-types.js';
import { StudioHttpError } from './http-error.js';
import { idFolders, newId, readJson, writeJsonAtomic, type JobsDir } from './jobs-dir.js';

/** A video record as stored in `video.json`: the API's view plus where the file is. */
export interface StoredVideo extends StudioVideo {
  /** Absolute path of the file (inside the video's folder for uploads). */
  readonly file: string;
}

const StoredVideoSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  origin: z.enum(['upload', 'path']),
  bytes: z.number(),
  width: z.number(),
  height: z.number(),
  fps: z.number(),
  frameCount: z.number(),
  durationMs: z.number(),
  hasAudio: z.boolean(),
  codec: z.string(),
  url: z.string(),
  createdAt: z.number(),
  file: z.string(),
});

interface Upload {
  readonly id: string;
  readonly name: string;
  readonly bytes: number;
  received: number;
  busy: boolean;
  readonly part: string;
}

/** Upload file names: printable, no path, at most 200 characters. Pure. */
export function cleanFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return base || 'video';
}

/** The extension kept for an uploaded file (`.mp4` ...), `.video` when it has no plain one. Pure. */
export function uploadExtension(name: string): string {
  const ext = extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '.video';
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

/** The source videos of one jobs folder. */
export class VideoStore {
  private readonly videos = new Map<string, StoredVideo>();
  private readonly uploads = new Map<string, Upload>();

  /**
   * @param dir the jobs folder
   * @param maxUploadBytes largest upload accepted, bytes
   * @param chunkBytes largest chunk per request, bytes
   */
  constructor(
    private readonly dir: JobsDir,
    readonly maxUploadBytes: number,
    readonly chunkBytes: number,
  ) {}

  /** Loads the recorded videos; removes uploads that never finished (and paths that vanished). */
  async load(): Promise<void> {
    for (const id of await idFolders(join(this.dir.root, 'videos'))) {
      const folder = this.dir.video(id);
      const parsed = StoredVideoSchema.safeParse(await readJson(join(folder, 'video.json')));
      let ok = parsed.success && parsed.data.id === id;
      if (ok) ok = await stat((parsed.data as StoredVideo).file).then((s) => s.isFile(), () => false);
      if (ok) this.videos.set(id, parsed.data as StoredVideo);
      else await rm(folder, { recursive: true, force: true });
    }
  }

  /** Every video, newest first. */
  list(): StoredVideo[] {
    return [...this.videos.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** One video, or a 404 error. */
  get(id: string): StoredVideo {
    const v = this.videos.get(id);
    if (!v) throw new StudioHttpError(404, `no video ${id}`, 'upload the video again (GET /api/videos lists the known ones)');
    return v;
  }

  /** Starts an upload of `bytes` bytes; refuses one over the limit before any byte is sent. */
  async createUpload(name: string, bytes: number): Promise<UploadState> {
    const clean = cleanFileName(name);
    if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new StudioHttpError(400, `"${clean}" is empty`, 'choose a video file');
    if (bytes > this.maxUploadBytes) {
      throw new StudioHttpError(
        413,
        `"${clean}" is ${mib(bytes)}, larger than the ${mib(this.maxUploadBytes)} this server accepts`,
        'upload a shorter or smaller video, or start the server with a larger --max-upload-mb',
      );
    }
    const id = newId();
    const folder = this.dir.video(id);
    await mkdir(folder, { recursive: true });
    const part = join(folder, '.upload.part');
    await writeFile(part, '');
    const up: Upload = { id, name: clean, bytes, received: 0, busy: false, part };
    this.uploads.set(id, up);
    log.debug({ id, name: clean, bytes }, 'studio: upload started');
    return this.uploadState(up);
  }

  private uploadState(u: Upload): UploadState {
    return { id: u.id, name: u.name, bytes: u.bytes, received: u.received, chunkBytes: this.chunkBytes };
  }

  private upload(id: string): Upload {
    const u = this.uploads.get(id);
    if (!u) throw new StudioHttpError(404, `no upload ${id} in progress`, 'start the upload again');
    return u;
  }

  /** The state of an upload (to resume it at `received`). */
  uploadInfo(id: string): UploadState {
    return this.uploadState(this.upload(id));
  }

  /**
   * Appends one chunk streamed from `body` at `offset` (must equal the bytes received so
   * far). A chunk that breaks off is cut back, so the upload can resume at `received`.
   */
  async appendChunk(id: string, offset: number, body: Readable, declaredLength: number | null): Promise<UploadState> {
    const u = this.upload(id);
    if (u.busy) throw new StudioHttpError(409, `upload ${id} is already receiving a chunk`, 'send chunks one after another');
    if (offset !== u.received) throw new StudioHttpError(409, `chunk at offset ${offset}, but ${u.received} bytes were received so far`, `resume at offset ${u.received}`);
    if (declaredLength !== null && declaredLength > this.chunkBytes) {
      throw new StudioHttpError(413, `chunk of ${declaredLength} bytes is larger than ${this.chunkBytes}`, `send chunks of at most ${this.chunkBytes} bytes`);
    }
    u.busy = true;
    let n = 0;
    const limit = Math.min(this.chunkBytes, u.bytes - u.received);
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        n += chunk.length;
        if (n > limit) cb(new StudioHttpError(413, `the upload is larger than the ${u.bytes} bytes declared (or the chunk over ${limit} bytes)`, 'declare the file\'s real size when starting the upload'));
        else cb(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(u.part, { flags: 'a' }));
      u.received += n;
      return this.uploadState(u);
    } catch (e) {
      await truncate(u.part, u.received).catch(() => undefined);
      if (e instanceof StudioHttpError) throw e;
      throw new StudioHttpError(400, `the chunk at offset ${offset} broke off (${(e as Error).message})`, `resume at offset ${u.received}`);
    } finally {
      u.busy = false;
    }
  }

  /** Ends an upload: checks it is complete and is a video (ffprobe), then records it. */
  async finishUpload(id: string): Promise<StoredVideo> {
    const u = this.upload(id);
    if (u.busy) throw new StudioHttpError(409, `upload ${id} is still receiving a chunk`, 'wait for the last chunk');
    if (u.received !== u.bytes) throw new StudioHttpError(400, `"${u.name}" is incomplete: ${u.received} of ${u.bytes} bytes arrived`, `resume at offset ${u.received}`);
    this.uploads.delete(id);
    const folder = this.dir.video(id);
    try {
      const info = await this.probe(u.part, u.name);
      const file = join(folder, `source${uploadExtension(u.name)}`);
      await rename(u.part, file);
      return await this.record(id, u.name, 'upload', file, u.bytes, info);
    } catch (e) {
      await rm(folder, { recursive: true, force: true });
      throw e;
    }
  }

  /** Drops an upload in progress and its partial file. */
  async abortUpload(id: string): Promise<void> {
    const u = this.uploads.get(id);
    if (!u) return;
    this.uploads.delete(id);
    await rm(this.dir.video(id), { recursive: true, force: true });
  }

  /** Records a video by its path on this machine (not copied). */
  async addPath(path: string): Promise<StoredVideo> {
    if (!isAbsolute(path)) throw new StudioHttpError(400, `${JSON.stringify(path)} is not an absolute path`, 'give the full path of a video on the server\'s machine');
    let bytes: number;
    try {
      const s = await stat(path);
      if (!s.isFile()) throw new Error('not a file');
      bytes = s.size;
    } catch {
      throw new StudioHttpError(404, `${path} does not exist or is not a file`, 'check the path of the video');
    }
    const name = cleanFileName(path);
    const info = await this.probe(path, name);
    const id = newId();
    await mkdir(this.dir.video(id), { recursive: true });
    try {
      return await this.record(id, name, 'path', path, bytes, info);
    } catch (e) {
      await rm(this.dir.video(id), { recursive: true, force: true });
      throw e;
    }
  }

  /** Forgets a video and deletes its folder (an uploaded file goes with it; a path's file stays). */
  async remove(id: string): Promise<void> {
    this.get(id);
    this.videos.delete(id);
    await rm(this.dir.video(id), { recursive: true, force: true });
  }

  private async probe(path: string, name: string): Promise<VideoInfo> {
    try {
      return await probeVideo(path);
    } catch (e) {
      if (!(e instanceof NogginError)) throw e;
      const why = e.problem.split(path).join(`"${name}"`);
      const unreadable = /is not a readable video \((.*)\)$/.exec(why);
      if (unreadable) {
        const reason = unreadable[1].replace(/^"[^"]*":\s*/, '');
        throw new StudioHttpError(415, `"${name}" is not a video (ffprobe: ${reason})`, 'choose a video file (MP4, MOV, MKV, WebM...) that plays in a video player');
      }
      const notVideo = /no video stream|is empty/.test(why);
      throw new StudioHttpError(notVideo ? 415 : 400, why, notVideo ? 'choose a video file with a picture' : e.fix);
    }
  }

  private async record(id: string, name: string, origin: StoredVideo['origin'], file: string, bytes: number, info: VideoInfo): Promise<StoredVideo> {
    const v: StoredVideo = {
      id,
      name,
      origin,
      bytes,
      width: info.width,
      height: info.height,
      fps: info.fps,
      frameCount: info.frameCount,
      durationMs: info.durationMs,
      hasAudio: info.hasAudio,
      codec: info.codec,
      url: `/api/videos/${id}/file`,
      createdAt: Date.now(),
      file,
    };
    await writeJsonAtomic(join(this.dir.video(id), 'video.json'), v);
    this.videos.set(id, v);
    log.info({ id, name, origin, frames: info.frameCount }, 'studio: video added');
    return v;
  }
}

/** The API's view of a stored video (without its file path). Pure. */
export function publicVideo(v: StoredVideo): StudioVideo {
  const { file: _file, ...rest } = v;
  return rest;
}
