/**
 * Replays a track file as a session: an in-process producer that sends the file's frames
 * at their original pace (frame `timeMs` after the start) or as fast as the consumers take
 * them. A file without its trailer is replayed up to where it stops, and the session ends
 * incomplete.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMessage } from '../core/protocol.js';
import { openTrack } from '../core/track-file.js';
import { log } from '../core/log.js';
import type { ProducerLink, Session } from './session.js';
import type { SessionRegistry } from './session-registry.js';

/** How fast a replay sends frames. */
export type ReplayPace = 'original' | 'fast';

/** What to replay and how. */
export interface ReplayOptions {
  /** Track file to replay. */
  readonly path: string;
  /** Session to publish to. */
  readonly session: string;
  /** `original`: each frame at its timeMs after the start; `fast`: as fast as consumers take them. */
  readonly pace: ReplayPace;
  /** Live session (slow consumers lose frames) or file session (the replay waits). Default: pace === 'original'. */
  readonly live?: boolean;
}

/** A running replay. */
export interface ReplayHandle {
  /** The session it publishes to. */
  readonly session: Session;
  /** Resolves when the replay ends: frames sent and whether the whole file was sent. Never rejects. */
  readonly done: Promise<{ frames: number; complete: boolean; error?: string }>;
  /** Stops the replay; the session aborts (incomplete). */
  stop(): void;
}

/** Milliseconds to wait before sending a frame at `timeMs` of a replay started at `startMs`. Pure. */
export function paceDelay(timeMs: number, startMs: number, nowMs: number): number {
  return Math.max(0, startMs + timeMs - nowMs);
}

/**
 * Opens `opts.path` and starts publishing it to `opts.session`. Throws NogginError when the
 * file cannot be opened, SessionError when the session already has a producer.
 */
export async function startReplay(registry: SessionRegistry, opts: ReplayOptions): Promise<ReplayHandle> {
  const track = await openTrack(opts.path);
  const live = opts.live ?? opts.pace === 'original';
  const abort = new AbortController();
  let credit = 0;
  let creditWaiter: (() => void) | null = null;
  const link: ProducerLink = {
    kind: 'replay',
    credit(upTo) {
      credit = upTo;
      creditWaiter?.();
    },
    close() {
      abort.abort();
      creditWaiter?.();
    },
  };
  let session: Session;
  let next: number;
  try {
    session = registry.forProducer(opts.session);
    next = session.attachProducer(link, live);
  } catch (e) {
    await track.frames[Symbol.asyncIterator]().return?.(undefined);
    throw e;
  }
  session.setHeader(track.header);
  session.startProducer();
  log.info({ session: opts.session, path: opts.path, pace: opts.pace, live }, 'replay started');

  const waitCredit = (frame: number) =>
    new Promise<void>((resolve) => {
      if (frame < credit || abort.signal.aborted) return resolve();
      creditWaiter = () => {
        if (frame < credit || abort.signal.aborted) {
          creditWaiter = null;
          resolve();
        }
      };
    });

  const run = async (): Promise<{ frames: number; complete: boolean; error?: string }> => {
    const start = performance.now();
    let error: string | undefined;
    try {
      for await (const f of track.frames) {
        if (abort.signal.aborted) break;
        if (f.frame < next) continue;
        if (opts.pace === 'original') {
          const d = paceDelay(f.timeMs, start, performance.now());
          if (d > 0) await sleep(d, undefined, { signal: abort.signal }).catch(() => {});
        }
        if (!live) await waitCredit(f.frame);
        if (abort.signal.aborted) break;
        session.pushFrame(f.frame, encodeMessage('faceFrame', f));
        next = f.frame + 1;
      }
    } catch (e) {
      error = (e as Error).message;
      log.warn({ session: opts.session, path: opts.path, err: error }, 'replay stopped early');
    }
    const complete = !abort.signal.aborted && error === undefined;
    session.endStream(complete);
    return { frames: next, complete, ...(error !== undefined ? { error } : {}) };
  };
  const done = run();
  session.track(done);
  return {
    session,
    done,
    stop() {
      link.close(1000, 'replay stopped');
    },
  };
}
