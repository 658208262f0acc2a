/**
 * Records a session to a track file, in the format `noggin capture` writes (through
 * `TrackWriter`, so the file appears under its final name only when closed). A recorder is
 * a lossless consumer of its session: it gets every frame from 0, and in a file session
 * it holds the producer back like any slow consumer. A stream that ends completely gets
 * the trailer; one whose producer died is renamed into place without it (incomplete).
 */
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, type MessageMap } from '../core/protocol.js';
import type { TrackFrame, TrackHeader } from '../core/track.js';
import { TrackWriter } from '../core/track-file.js';
import { log } from '../core/log.js';
import type { ConsumerLink, Session, TrackEnd } from './session.js';

/** How a recording ended. */
export interface RecordingResult {
  /** Final path of the track file, or null when nothing was written (no header ever came). */
  readonly path: string | null;
  /** Frames written. */
  readonly frames: number;
  /** True when the file has its trailer (the stream ended completely). */
  readonly complete: boolean;
  /** Why the recording stopped early, if it did. */
  readonly error?: string;
}

/** A recording's figures for `GET /sessions`. */
export interface RecordingInfo {
  readonly session: string;
  /** Final path of the track file (written under a temporary name until it is closed). */
  readonly path: string;
  readonly framesWritten: number;
  readonly state: 'waiting' | 'recording' | 'finished' | 'failed';
}

/** Most frames queued for writing before the recorder asks the session to wait. */
const MAX_PENDING_WRITES = 64;

/** Timestamp for file names: 20240131T235959Z. Pure. */
export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** A free path `<dir>/<session>-<stamp>[-n].track.ndjson`. */
export function recordingPath(dir: string, session: string, now = Date.now()): string {
  const base = `${session}-${fileStamp(now)}`;
  for (let n = 1; ; n++) {
    const p = join(dir, `${base}${n > 1 ? `-${n}` : ''}.track.ndjson`);
    if (!existsSync(p)) return p;
  }
}

/** A session consumer that writes every frame to a track file. */
export class Recorder implements ConsumerLink {
  readonly kind = 'recorder' as const;
  /** Final path of the recording. */
  readonly path: string;
  /** Resolves when the file is closed (or was never opened). Never rejects. */
  readonly done: Promise<RecordingResult>;

  private writer: TrackWriter | null = null;
  private chain: Promise<void> = Promise.resolve();
  private pendingWrites = 0;
  private written = 0;
  private enqueuedFrames = 0;
  private readonly dir: string;
  private state: RecordingInfo['state'] = 'waiting';
  private failure: string | null = null;
  private finished = false;
  private wake: () => void = () => {};
  private resolveDone!: (r: RecordingResult) => void;

  /**
   * @param dir folder for the recording (created when missing)
   * @param session session name (names the file)
   */
  constructor(
    dir: string,
    readonly session: string,
  ) {
    this.path = recordingPath(dir, session);
    this.done = new Promise((r) => (this.resolveDone = r));
    this.dir = dir;
  }

  /** Figures for `GET /sessions`. */
  info(): RecordingInfo {
    return { session: this.session, path: this.path, framesWritten: this.written, state: this.state };
  }

  bind(wake: () => void): void {
    this.wake = wake;
  }

  private enqueue(work: () => Promise<void>): void {
    this.pendingWrites++;
    this.chain = this.chain
      .then(async () => {
        if (this.failure === null) await work();
      })
      .catch((e: unknown) => {
        this.fail((e as Error).message);
      })
      .finally(() => {
        this.pendingWrites--;
        if (this.pendingWrites === MAX_PENDING_WRITES - 1 || this.pendingWrites === 0) this.wake();
      });
  }

  private fail(why: string): void {
    if (this.failure !== null) return;
    this.failure = why;
    this.state = 'failed';
    log.error({ session: this.session, path: this.path, err: why }, 'recording failed');
  }

  header(h: TrackHeader): void {
    this.enqueue(async () => {
      await mkdir(this.dir, { recursive: true });
      this.writer = await TrackWriter.open(this.path, h, 'bridge');
      this.state = 'recording';
    });
  }

  frame(bytes: Uint8Array): void {
    this.enqueuedFrames++;
    this.enqueue(async () => {
      if (!this.writer) throw new Error('frame before header');
      const m = decodeMessage(bytes);
      if (m.type !== 'faceFrame') throw new Error(`unexpected ${m.type} in the session history`);
      await this.writer.writeFrame(m.payload as TrackFrame);
      this.written++;
    });
  }

  status(_s: MessageMap['sessionStatus']): void {}

  dropped(_d: MessageMap['framesDropped']): void {}

  end(t: TrackEnd): void {
    this.finish(t.complete && t.frames === this.enqueuedFrames);
  }

  writable(): boolean {
    return this.pendingWrites < MAX_PENDING_WRITES && this.failure === null;
  }

  /** The session dropped this recorder (it fell behind, or the session was removed): close it incomplete. */
  close(_code: number, reason: string): void {
    if (!this.finished && this.writer) this.fail(reason);
    this.finish(false);
  }

  private finish(complete: boolean): void {
    if (this.finished) return;
    this.finished = true;
    void this.chain.then(async () => {
      const w = this.writer;
      let ok = complete && this.failure === null;
      if (w) {
        try {
          if (ok) await w.finish();
          else await w.finishIncomplete();
        } catch (e) {
          ok = false;
          this.fail((e as Error).message);
          await w.abort().catch(() => {});
        }
      }
      if (this.state !== 'failed') this.state = 'finished';
      log.info({ session: this.session, path: w ? this.path : null, frames: this.written, complete: ok }, 'recording closed');
      this.resolveDone({
        path: w ? this.path : null,
        frames: this.written,
        complete: ok && w !== null,
        ...(this.failure !== null ? { error: this.failure } : {}),
      });
    });
  }
}

/**
 * Starts recording `session` from frame 0. Throws SessionError when frame 0 is no longer
 * held (start recording before the producer, e.g. `noggin serve --record`).
 */
export function recordSession(session: Session, dir: string): Recorder {
  const rec = new Recorder(dir, session.name);
  const c = session.addConsumer(rec, 0, { lossless: true });
  session.track(rec.done);
  session.startConsumer(c);
  void rec.done.then(() => session.removeConsumer(c));
  return rec;
}
