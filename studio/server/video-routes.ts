/**
 * The studio's video routes on the bridge's `/api` router: shipped heads, chunked uploads,
 * local paths, source videos, export jobs with a progress stream (SSE) and downloads.
 * Every error answers `{error:{component,message,fix}}` with a fitting status.
 */
import { basename, dirname } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { sendError } from '../../bridge/http-api.js';
import { isLoopbackHost } from '../../bridge/security.js';
import { NogginError } from '../../core/errors.js';
import { listHeads, type HeadEntry } from '../../core/head-catalog.js';
import { log } from '../../core/log.js';
import { HEADS_DIR, VRM_DIR } from '../../system/paths.js';
import { isFinalState, type StudioHead, type UploadLimits } from './api-types.js';
import { StudioHttpError } from './http-error.js';
import type { JobQueue } from './job-queue.js';
import { isId } from './jobs-dir.js';
import { openEventStream } from './sse.js';
import { publicVideo, type VideoStore } from './video-store.js';

/** What the routes work on. */
export interface VideoRoutesContext {
  readonly videos: VideoStore;
  readonly jobs: JobQueue;
  /** The shipped heads (default: core/head-catalog's list). */
  readonly heads?: () => HeadEntry[];
}

function handle(fn: (req: Request, res: Response) => Promise<void> | void): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch((e: unknown) => {
        if (e instanceof StudioHttpError) return sendError(res, e.status, e.problem, e.fix, e.component);
        if (e instanceof NogginError) return sendError(res, 400, e.problem, e.fix, e.component);
        next(e);
      });
  };
}

function idParam(req: Request, what: string): string {
  const id = String(req.params.id);
  if (!isId(id)) throw new StudioHttpError(404, `no ${what} ${JSON.stringify(id.slice(0, 40))}`, `use a ${what} id the API returned`);
  return id;
}

/** True when the request came from this machine. */
function fromLocalMachine(req: Request): boolean {
  return isLoopbackHost(req.socket.remoteAddress ?? '');
}

/** The model URL of a shipped head on the bridge's static folders, or null. Pure. */
export function headUrl(h: Pick<HeadEntry, 'file'>): string | null {
  const dir = dirname(h.file);
  if (dir === HEADS_DIR) return `/heads/${encodeURIComponent(basename(h.file))}`;
  if (dir === VRM_DIR) return `/vrm/${encodeURIComponent(basename(h.file))}`;
  return null;
}

const UploadBodySchema = z.strictObject({ name: z.string().min(1).max(1000), bytes: z.number().int() });
const PathBodySchema = z.strictObject({ path: z.string().min(1).max(4096) });

function parse<T>(schema: z.ZodType<T>, body: unknown, usage: string): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const i = r.error.issues[0];
    throw new StudioHttpError(400, `${i?.path.join('.') || 'body'}: ${i?.message ?? 'invalid'}`, `send ${usage}`);
  }
  return r.data;
}

/** Adds the routes to `api` (the router the bridge mounts at /api). */
export function addVideoRoutes(api: Router, ctx: VideoRoutesContext): void {
  const { videos, jobs } = ctx;
  const heads = ctx.heads ?? (() => listHeads());

  api.get(
    '/heads',
    handle((_req, res) => {
      const out: StudioHead[] = heads().map((h) => ({
        name: h.name,
        displayName: h.displayName,
        description: h.description ?? null,
        kind: h.kind,
        url: headUrl(h) ?? '',
        colors: h.profile.colors,
      }));
      res.json({ heads: out });
    }),
  );

  api.get(
    '/uploads/limits',
    handle((req, res) => {
      res.json({ maxUploadBytes: videos.maxUploadBytes, chunkBytes: videos.chunkBytes, localPaths: fromLocalMachine(req) } satisfies UploadLimits);
    }),
  );
  api.post(
    '/uploads',
    handle(async (req, res) => {
      const b = parse(UploadBodySchema, req.body, '{"name": FILE_NAME, "bytes": SIZE}');
      res.status(201).json({ upload: await videos.createUpload(b.name, b.bytes) });
    }),
  );
  api.get(
    '/uploads/:id',
    handle((req, res) => {
      res.json({ upload: videos.uploadInfo(idParam(req, 'upload')) });
    }),
  );
  api.put(
    '/uploads/:id',
    handle(async (req, res) => {
      const id = idParam(req, 'upload');
      const offset = Number(req.query.offset);
      if (!Number.isSafeInteger(offset) || offset < 0) throw new StudioHttpError(400, 'the chunk has no ?offset=BYTES', 'send PUT /api/uploads/ID?offset=N with the bytes from N on');
      const len = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
      res.json({ upload: await videos.appendChunk(id, offset, req, len) });
    }),
  );
  api.post(
    '/uploads/:id/finish',
    handle(async (req, res) => {
      const v = await videos.finishUpload(idParam(req, 'upload'));
      res.status(201).json({ video: publicVideo(v) });
    }),
  );
  api.delete(
    '/uploads/:id',
    handle(async (req, res) => {
      await videos.abortUpload(idParam(req, 'upload'));
      res.status(204).end();
    }),
  );

  api.post(
    '/videos',
    handle(async (req, res) => {
      if (!fromLocalMachine(req)) {
        throw new StudioHttpError(403, 'opening a path on the server is only allowed from the server\'s own machine', 'upload the video instead');
      }
      const b = parse(PathBodySchema, req.body, '{"path": "/absolute/path/video.mp4"}');
      res.status(201).json({ video: publicVideo(await videos.addPath(b.path)) });
    }),
  );
  api.get(
    '/videos',
    handle((_req, res) => {
      res.json({ videos: videos.list().map(publicVideo) });
    }),
  );
  api.get(
    '/videos/:id',
    handle((req, res) => {
      res.json({ video: publicVideo(videos.get(idParam(req, 'video'))) });
    }),
  );
  api.get(
    '/videos/:id/file',
    handle(async (req, res) => {
      const v = videos.get(idParam(req, 'video'));
      await sendFile(res, v.file, null);
    }),
  );
  api.delete(
    '/videos/:id',
    handle(async (req, res) => {
      const id = idParam(req, 'video');
      if (jobs.usesVideo(id)) throw new StudioHttpError(409, `video ${id} is used by a queued or running job`, 'cancel the job first');
      await videos.remove(id);
      res.status(204).end();
    }),
  );

  api.post(
    '/jobs',
    handle(async (req, res) => {
      const job = await jobs.submit(req.body);
      res.status(202).json({ job });
    }),
  );
  api.get(
    '/jobs',
    handle((_req, res) => {
      res.json({ jobs: jobs.list() });
    }),
  );
  api.get(
    '/jobs/:id',
    handle((req, res) => {
      res.json({ job: jobs.get(idParam(req, 'job')) });
    }),
  );
  api.get(
    '/jobs/:id/events',
    handle((req, res) => {
      const id = idParam(req, 'job');
      const first = jobs.get(id);
      const stream = openEventStream(res);
      stream.send('job', first);
      if (isFinalState(first.state)) return stream.end();
      const off = jobs.subscribe(id, (job) => {
        stream.send('job', job);
        if (isFinalState(job.state)) stream.end();
      });
      void stream.closed.then(off);
    }),
  );
  api.post(
    '/jobs/:id/cancel',
    handle(async (req, res) => {
      res.json({ job: await jobs.cancel(idParam(req, 'job')) });
    }),
  );
  api.delete(
    '/jobs/:id',
    handle(async (req, res) => {
      await jobs.remove(idParam(req, 'job'));
      res.status(204).end();
    }),
  );
  api.get(
    '/jobs/:id/files/:kind',
    handle(async (req, res) => {
      const f = await jobs.file(idParam(req, 'job'), String(req.params.kind));
      await sendFile(res, f.path, req.query.inline === '1' ? null : f.name);
    }),
  );
}

/** Sends a file (Range requests work, so <video> can seek); `downloadName` makes it an attachment. */
async function sendFile(res: Response, path: string, downloadName: string | null): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const cb = (err?: Error) => {
      if (err && !res.headersSent) reject(new StudioHttpError(404, `the file is gone (${(err as NodeJS.ErrnoException).code ?? err.message})`, 'export again'));
      else {
        if (err) log.debug({ err }, 'studio: file transfer ended early');
        resolve();
      }
    };
    // dotfiles: the default jobs folder is under ~/.cache.
    if (downloadName) res.download(path, downloadName, { dotfiles: 'allow', headers: { 'Cache-Control': 'no-store' } }, cb);
    else res.sendFile(path, { dotfiles: 'allow', headers: { 'Cache-Control': 'no-store' } }, cb);
  });
}
