/**
 * The studio's export jobs: a queue that runs one job at a time (two exports would only
 * fight over the same cores), each job's state in `jobs/<id>/job.json`, change events for
 * the progress stream, cancel and delete. A job that fails or is cancelled leaves no
 * output behind. On start, jobs that were queued run again; one that was running when the
 * server stopped is marked failed.
 */
import { EventEmitter } from 'node:events';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import { OPTIONS } from '../../cli/options.js';
import { asNogginError } from '../../core/errors.js';
import { listHeads, type HeadEntry } from '../../core/head-catalog.js';
import { log } from '../../core/log.js';
import { isFinalState, type JobFile, type JobFileKind, type JobRequest, type JobState, type StageProgress, type StudioJob } from './api-types.js';
import { StudioHttpError } from './http-error.js';
import { JobRun, OUTPUT_FILES, removeOutputs, type RunSpec } from './job-runner.js';
import { idFolders, newId, readJson, writeJsonAtomic, type JobsDir } from './jobs-dir.js';
import type { VideoStore } from './video-store.js';

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is "#rrggbb"');

/** Schema of `POST /api/jobs`. */
export const JobRequestSchema = z.strictObject({
  video: z.string().regex(/^[0-9a-f]{16}$/, 'a video id from POST /api/uploads or /api/videos'),
  head: z.string().min(1).max(100),
  colors: z.record(z.string(), hexColor).optional(),
  crf: z.number().int().min(0).max(51).optional(),
  preset: z.enum(OPTIONS.preset.choices).optional(),
  antialias: z.boolean().optional(),
  outputs: z.strictObject({ layer: z.boolean().optional(), csv: z.boolean().optional() }).optional(),
});

/** A job as kept in memory and in `job.json`. */
interface JobRecord {
  id: string;
  state: JobState;
  video: string;
  sourceName: string;
  /** Absolute path of the source video. */
  sourceFile: string;
  head: string;
  colors: Record<string, string>;
  crf: number;
  preset: string;
  antialias: boolean;
  outputs: { layer: boolean; csv: boolean };
  /** The recoloured profile, or null when the head's own is used. */
  profilePath: string | null;
  stage: string | null;
  stages: Record<string, StageProgress>;
  error: StudioJob['error'];
  files: { kind: JobFileKind; bytes: number }[];
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** Stages a job goes through, in order (the layer only when asked). Pure. */
export function jobStages(outputs: { layer: boolean }): string[] {
  return ['capture', 'render', 'composite', ...(outputs.layer ? ['layer'] : [])];
}

/** Overall progress [0,1]: the mean of the stages' fractions. Pure. */
export function overallFraction(stages: Readonly<Record<string, StageProgress>>, expected: readonly string[]): number {
  let sum = 0;
  for (const s of expected) {
    const p = stages[s];
    if (p && p.total > 0) sum += Math.min(1, p.done / p.total);
  }
  return expected.length ? sum / expected.length : 0;
}

/** Download name of a job's file: `SOURCE.HEAD.mp4`, `SOURCE.HEAD.layer.mov`, `SOURCE.track.ndjson`, `SOURCE.csv`. Pure. */
export function downloadName(sourceName: string, head: string, kind: JobFileKind): string {
  const base = basename(sourceName, extname(sourceName)).replace(/[^\w.-]+/g, '_') || 'video';
  switch (kind) {
    case 'result':
      return `${base}.${head}.mp4`;
    case 'layer':
      return `${base}.${head}.layer.mov`;
    case 'track':
      return `${base}.track.ndjson`;
    case 'csv':
      return `${base}.csv`;
  }
}

/** The export queue of one jobs folder. */
export class JobQueue {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly waiting: string[] = [];
  /** The running job; `finished` resolves once its final state is recorded and its output cleaned. */
  private running: { id: string; run: JobRun; finished: Promise<void> } | null = null;
  private readonly events = new EventEmitter();
  private closed = false;

  constructor(
    private readonly dir: JobsDir,
    private readonly videos: VideoStore,
    private readonly heads: () => HeadEntry[] = () => listHeads(),
  ) {
    this.events.setMaxListeners(0);
  }

  /** Loads `jobs/*\/job.json`: queued jobs queue again, a job caught running is marked failed. */
  async load(): Promise<void> {
    const loaded: JobRecord[] = [];
    for (const id of await idFolders(join(this.dir.root, 'jobs'))) {
      const rec = (await readJson(join(this.dir.job(id), 'job.json'))) as JobRecord | undefined;
      if (!rec || rec.id !== id || typeof rec.state !== 'string') {
        await rm(this.dir.job(id), { recursive: true, force: true });
        continue;
      }
      loaded.push(rec);
    }
    for (const rec of loaded.sort((a, b) => a.createdAt - b.createdAt)) {
      this.jobs.set(rec.id, rec);
      if (rec.state === 'running') {
        await this.finish(rec, 'failed', { component: 'studio', message: 'the server stopped while this job ran', fix: 'export again' });
      } else if (rec.state === 'queued') {
        const out = join(this.dir.job(rec.id), 'out');
        await rm(out, { recursive: true, force: true });
        await mkdir(out, { recursive: true });
        this.waiting.push(rec.id);
      }
    }
    this.pump();
  }

  /** Every job, newest first. */
  list(): StudioJob[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt).map((j) => this.view(j));
  }

  /** One job, or a 404 error. */
  get(id: string): StudioJob {
    return this.view(this.record(id));
  }

  private record(id: string): JobRecord {
    const j = this.jobs.get(id);
    if (!j) throw new StudioHttpError(404, `no job ${id}`, 'start the export again (GET /api/jobs lists the known jobs)');
    return j;
  }

  /** Calls `listener` with the job's new state after every change; returns the unsubscribe function. */
  subscribe(id: string, listener: (job: StudioJob) => void): () => void {
    this.record(id);
    const ev = `job:${id}`;
    this.events.on(ev, listener);
    return () => this.events.off(ev, listener);
  }

  /** Queues an export; it starts when the jobs before it are finished. */
  async submit(body: unknown): Promise<StudioJob> {
    if (this.closed) throw new StudioHttpError(503, 'the server is shutting down', 'start it again');
    const parsed = JobRequestSchema.safeParse(body ?? {});
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new StudioHttpError(400, `job: ${i?.path.join('.') || 'body'}: ${i?.message ?? 'invalid'}`, 'send {"video": ID, "head": NAME, "colors"?: {...}, "outputs"?: {"layer"?: bool, "csv"?: bool}}');
    }
    const req: JobRequest = parsed.data;
    const video = this.videos.get(req.video);
    const head = this.heads().find((h) => h.name === req.head);
    if (!head) throw new StudioHttpError(400, `no head named "${req.head}"`, `use one of: ${this.heads().map((h) => h.name).join(', ')}`);
    const colors = req.colors ?? {};
    for (const k of Object.keys(colors)) {
      if (!(k in head.profile.colors)) {
        throw new StudioHttpError(400, `head "${head.name}" has no colour "${k}"`, `recolour one of: ${Object.keys(head.profile.colors).join(', ') || '(none)'}`);
      }
    }
    const id = newId();
    const folder = this.dir.job(id);
    await mkdir(join(folder, 'out'), { recursive: true });
    let profilePath: string | null = null;
    const changed = Object.entries(colors).some(([k, v]) => head.profile.colors[k]?.toLowerCase() !== v.toLowerCase());
    if (changed) {
      if (!head.profilePath) throw new StudioHttpError(400, `head "${head.name}" has no profile to recolour`, 'export it without colours');
      const raw = JSON.parse(await readFile(head.profilePath, 'utf8')) as Record<string, unknown>;
      profilePath = join(folder, 'profile.json');
      await writeJsonAtomic(profilePath, { ...raw, file: head.file, colors: { ...head.profile.colors, ...colors } });
    }
    const rec: JobRecord = {
      id,
      state: 'queued',
      video: video.id,
      sourceName: video.name,
      sourceFile: video.file,
      head: head.name,
      colors: { ...head.profile.colors, ...colors },
      crf: req.crf ?? OPTIONS.crf.default,
      preset: req.preset ?? OPTIONS.preset.default,
      antialias: req.antialias ?? true,
      outputs: { layer: req.outputs?.layer ?? false, csv: req.outputs?.csv ?? true },
      profilePath,
      stage: null,
      stages: {},
      error: null,
      files: [],
      createdAt: Date.now(),
      startedAt: null,
      finishedAt: null,
    };
    this.jobs.set(id, rec);
    this.waiting.push(id);
    await this.save(rec);
    log.info({ id, video: video.name, head: head.name }, 'studio: job queued');
    this.emit(rec);
    this.pump();
    return this.view(rec);
  }

  /** Cancels a queued or running job (its partial output is removed). A finished job is left as it is. */
  async cancel(id: string): Promise<StudioJob> {
    const rec = this.record(id);
    if (isFinalState(rec.state)) return this.view(rec);
    const i = this.waiting.indexOf(id);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      await this.finish(rec, 'cancelled', null);
      this.emitQueued();
      return this.view(rec);
    }
    const r = this.running;
    if (r?.id === id) {
      // The run's completion handler records the cancelled state and cleans up.
      await r.run.cancel();
      await r.finished;
    }
    return this.view(rec);
  }

  /** Cancels (when active) and deletes a job with its files. */
  async remove(id: string): Promise<void> {
    await this.cancel(id);
    this.jobs.delete(id);
    await rm(this.dir.job(id), { recursive: true, force: true });
  }

  /** True when a queued or running job uses the video. */
  usesVideo(videoId: string): boolean {
    return [...this.jobs.values()].some((j) => j.video === videoId && !isFinalState(j.state));
  }

  /** Path and download name of a finished job's file, or a 404 error. */
  async file(id: string, kind: string): Promise<{ path: string; name: string; kind: JobFileKind }> {
    const rec = this.record(id);
    const f = rec.files.find((x) => x.kind === kind);
    if (rec.state !== 'done' || !f) {
      throw new StudioHttpError(404, `job ${id} has no ${kind} file${rec.state === 'done' ? '' : ` (it is ${rec.state})`}`, 'download the files the job lists once it is done');
    }
    const path = join(this.dir.job(id), 'out', OUTPUT_FILES[f.kind]);
    return { path, name: downloadName(rec.sourceName, rec.head, f.kind), kind: f.kind };
  }

  /** Stops taking jobs and cancels the running one (queued jobs stay queued on disk). */
  async close(): Promise<void> {
    this.closed = true;
    const r = this.running;
    if (r) {
      await r.run.cancel();
      await r.finished;
    }
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const id = this.waiting.shift();
    if (id === undefined) return;
    const rec = this.jobs.get(id);
    if (!rec) return this.pump();
    this.emitQueued();
    void this.start(rec);
  }

  private async start(rec: JobRecord): Promise<void> {
    const outDir = join(this.dir.job(rec.id), 'out');
    const spec: RunSpec = {
      source: rec.sourceFile,
      head: rec.head,
      profilePath: rec.profilePath,
      crf: rec.crf,
      preset: rec.preset,
      antialias: rec.antialias,
      layer: rec.outputs.layer,
      csv: rec.outputs.csv,
      outDir,
    };
    rec.state = 'running';
    rec.startedAt = Date.now();
    let lastEmit = 0;
    const run = new JobRun(spec, (stage, done, total) => {
      rec.stage = stage;
      rec.stages = { ...rec.stages, [stage]: { done, total } };
      const now = Date.now();
      if (now - lastEmit >= 100 || done === total) {
        lastEmit = now;
        this.emit(rec);
      }
    });
    let finished = () => {};
    this.running = { id: rec.id, run, finished: new Promise<void>((resolve) => (finished = resolve)) };
    log.info({ id: rec.id }, 'studio: job started');
    try {
      await this.save(rec);
      this.emit(rec);
      const kinds = await run.done;
      rec.files = [];
      for (const kind of kinds) rec.files.push({ kind, bytes: (await stat(join(outDir, OUTPUT_FILES[kind]))).size });
      await this.finish(rec, 'done', null);
    } catch (e) {
      if (run.isCancelled) {
        await this.finish(rec, 'cancelled', null);
      } else {
        const err = asNogginError(e, 'studio');
        log.warn({ id: rec.id, err: err.oneLine() }, 'studio: job failed');
        await this.finish(rec, 'failed', { component: err.component, message: err.problem, fix: err.fix });
      }
    } finally {
      this.running = null;
      finished();
      this.pump();
    }
  }

  private async finish(rec: JobRecord, state: 'done' | 'failed' | 'cancelled', error: StudioJob['error']): Promise<void> {
    rec.state = state;
    rec.error = error;
    rec.finishedAt = Date.now();
    if (state !== 'done') {
      rec.files = [];
      await removeOutputs(join(this.dir.job(rec.id), 'out'));
    }
    await this.save(rec).catch((e) => log.warn({ err: e }, 'studio: cannot save job state'));
    log.info({ id: rec.id, state }, 'studio: job finished');
    this.emit(rec);
  }

  private async save(rec: JobRecord): Promise<void> {
    await writeJsonAtomic(join(this.dir.job(rec.id), 'job.json'), rec);
  }

  private emit(rec: JobRecord): void {
    this.events.emit(`job:${rec.id}`, this.view(rec));
  }

  private emitQueued(): void {
    for (const id of this.waiting) {
      const r = this.jobs.get(id);
      if (r) this.emit(r);
    }
  }

  private view(j: JobRecord): StudioJob {
    const q = this.waiting.indexOf(j.id);
    const files: JobFile[] = j.files.map((f) => ({
      kind: f.kind,
      name: downloadName(j.sourceName, j.head, f.kind),
      bytes: f.bytes,
      url: `/api/jobs/${j.id}/files/${f.kind}`,
    }));
    return {
      id: j.id,
      state: j.state,
      video: j.video,
      sourceName: j.sourceName,
      head: j.head,
      colors: j.colors,
      crf: j.crf,
      preset: j.preset,
      antialias: j.antialias,
      outputs: j.outputs,
      queuePosition: j.state === 'queued' && q >= 0 ? q : null,
      progress: {
        stage: j.stage,
        fraction: j.state === 'done' ? 1 : overallFraction(j.stages, jobStages(j.outputs)),
        stages: j.stages,
      },
      error: j.error,
      files,
      createdAt: j.createdAt,
      startedAt: j.startedAt,
      finishedAt: j.finishedAt,
    };
  }
}
