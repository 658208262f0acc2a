/**
 * `subscribe`: a consumer for the bridge. Frames are iterated in order; credit is granted
 * as they are taken, and after a dropped connection it reconnects and resumes from the
 * next frame it needs, so each frame arrives once.
 */
import WebSocket from 'ws';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMessage, PROTOCOL_VERSION, type Message, type MessageMap, type PeerRole } from '../core/protocol.js';
import type { TrackFrame, TrackHeader } from '../core/track.js';
import { log } from '../core/log.js';
import { CLOSE, FATAL_CLOSE_CODES } from './close-codes.js';
import { abortError, bridgeAddress, BridgeError, openSocket, type BridgeAddress, type ConnectOptions, type Welcome } from './client-connection.js';

/** Options of `subscribe`. */
export interface SubscribeOptions extends ConnectOptions {
  /** First frame wanted (default: 0 for file sessions, the newest frame for live ones). */
  readonly resumeFrom?: number;
  /** Frames the client buffers ahead of the reader (credit window, default 64). */
  readonly window?: number;
  /** Reconnect and resume when the connection drops. Default true. */
  readonly reconnect?: boolean;
  /** How long to keep trying to reconnect (ms, default 30000). */
  readonly reconnectTimeoutMs?: number;
  /** End normally even when the producer stopped early (default false: the iterator throws). */
  readonly allowIncomplete?: boolean;
  /** Drop and reconnect when nothing (not even a ping) came for this long (ms, default 35000). */
  readonly deadAfterMs?: number;
  /** Role announced in hello (default consumer). */
  readonly role?: Extract<PeerRole, 'consumer' | 'renderer'>;
}

/** How a subscribed stream ended. */
export interface StreamEnd {
  /** Frames the producer published. */
  readonly frames: number;
  /** False when the producer stopped before its end. */
  readonly complete: boolean;
}

/** Figures of a subscription. */
export interface SubscriptionStats {
  /** Frames received (each once). */
  readonly received: number;
  /** Frames skipped by the bridge because this consumer was too slow (live sessions). */
  readonly skipped: number;
  /** Times the connection was re-established. */
  readonly reconnects: number;
  /** Index of the next frame wanted. */
  readonly nextFrame: number | null;
}

/** A stream of frames from one session; iterate it with `for await`. */
export interface Subscription extends AsyncIterable<TrackFrame> {
  /** The stream's header (resolves when the producer has sent it). */
  header(): Promise<TrackHeader>;
  /** Resolves when the stream ended (after the last frame was received). */
  ended(): Promise<StreamEnd>;
  /** Latest session state the bridge reported. */
  status(): MessageMap['sessionStatus'] | null;
  /** Current figures. */
  stats(): SubscriptionStats;
  /** Stops receiving and closes the connection. */
  close(): void;
}

/**
 * Subscribes to `session` on the bridge at `url`. The returned iterable yields frames in
 * order, each once, across reconnects; it ends after the last frame, and throws when the
 * stream was incomplete (unless `allowIncomplete`) or the bridge cannot be reached.
 */
export function subscribe(url: string, session: string, opts: SubscribeOptions = {}): Subscription {
  return new SubscriptionImpl(bridgeAddress(url), session, opts);
}

class SubscriptionImpl implements Subscription {
  private readonly queue: TrackFrame[] = [];
  private qHead = 0;
  private nextWanted: number | null;
  private sentCredit = 0;
  private received = 0;
  private skipped = 0;
  private reconnects = 0;
  private trailer: StreamEnd | null = null;
  private failure: Error | null = null;
  private stopped = false;
  private ws: WebSocket | null = null;
  private lastStatus: MessageMap['sessionStatus'] | null = null;
  private waiter: (() => void) | null = null;
  private deadTimer: NodeJS.Timeout | null = null;
  private lastSeen = 0;
  private readonly window: number;
  private readonly headerPromise: Promise<TrackHeader>;
  private resolveHeader!: (h: TrackHeader) => void;
  private rejectHeader!: (e: Error) => void;
  private readonly endPromise: Promise<StreamEnd>;
  private resolveEnd!: (e: StreamEnd) => void;
  private rejectEnd!: (e: Error) => void;

  constructor(
    private readonly addr: BridgeAddress,
    private readonly session: string,
    private readonly opts: SubscribeOptions,
  ) {
    this.nextWanted = opts.resumeFrom ?? null;
    this.window = Math.max(2, opts.window ?? 64);
    this.headerPromise = new Promise((res, rej) => {
      this.resolveHeader = res;
      this.rejectHeader = rej;
    });
    this.endPromise = new Promise((res, rej) => {
      this.resolveEnd = res;
      this.rejectEnd = rej;
    });
    this.headerPromise.catch(() => {});
    this.endPromise.catch(() => {});
    opts.signal?.addEventListener('abort', () => this.fail(abortError('subscribing')), { once: true });
    void this.run();
  }

  header(): Promise<TrackHeader> {
    return this.headerPromise;
  }

  ended(): Promise<StreamEnd> {
    return this.endPromise;
  }

  status(): MessageMap['sessionStatus'] | null {
    return this.lastStatus;
  }

  stats(): SubscriptionStats {
    return { received: this.received, skipped: this.skipped, reconnects: this.reconnects, nextFrame: this.nextWanted };
  }

  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ws?.close(CLOSE.normal, 'consumer closed');
    this.clearDead();
    if (!this.trailer) {
      const e = new BridgeError('the subscription was closed', 'nothing to do', null, true);
      this.rejectHeader(e);
      this.rejectEnd(e);
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private fail(e: Error): void {
    if (this.failure || this.trailer) return;
    this.failure = e;
    this.rejectHeader(e);
    this.rejectEnd(e);
    this.ws?.terminate();
    this.clearDead();
    this.wake();
  }

  private clearDead(): void {
    if (this.deadTimer) clearTimeout(this.deadTimer);
    this.deadTimer = null;
  }

  /** Notes that the bridge is alive; one timer per connection checks it keeps being so. */
  private alive(ws: WebSocket): void {
    this.lastSeen = performance.now();
    if (this.deadTimer || this.stopped || this.trailer) return;
    const limit = this.opts.deadAfterMs ?? 35_000;
    const check = () => {
      const quiet = performance.now() - this.lastSeen;
      if (quiet >= limit) {
        this.deadTimer = null;
        log.info({ session: this.session }, 'bridge silent; reconnecting');
        ws.terminate();
        return;
      }
      this.deadTimer = setTimeout(check, limit - quiet);
      this.deadTimer.unref();
    };
    this.deadTimer = setTimeout(check, limit);
    this.deadTimer.unref();
  }

  private buffered(): number {
    return this.queue.length - this.qHead;
  }

  /** Sends credit so the bridge may send `window` frames beyond what the reader has taken. */
  private maybeCredit(ws: WebSocket, force: boolean): void {
    if (this.nextWanted === null || ws.readyState !== WebSocket.OPEN) return;
    const upTo = this.nextWanted + this.window - this.buffered();
    if (upTo > this.sentCredit && (force || upTo - this.sentCredit >= this.window / 4)) {
      this.sentCredit = upTo;
      ws.send(encodeMessage('credit', { upTo }));
    }
  }

  private onWelcome(w: Welcome, ws: WebSocket): void {
    this.ws = ws;
    const next = w.nextFrame ?? 0;
    if (this.nextWanted !== null && next > this.nextWanted) this.skipped += next - this.nextWanted;
    if (this.nextWanted === null || next > this.nextWanted) this.nextWanted = next;
    this.sentCredit = 0;
    this.maybeCredit(ws, true);
  }

  private onMessage(m: Message, ws: WebSocket): void {
    switch (m.type) {
      case 'faceFrame': {
        const f = m.payload as TrackFrame;
        if (this.nextWanted !== null && f.frame < this.nextWanted) return; // already had it
        if (this.nextWanted !== null && f.frame > this.nextWanted) this.skipped += f.frame - this.nextWanted;
        this.nextWanted = f.frame + 1;
        this.queue.push(f);
        this.received++;
        this.wake();
        return;
      }
      case 'trackHeader':
        this.resolveHeader(m.payload as TrackHeader);
        return;
      case 'sessionStatus':
        this.lastStatus = m.payload as MessageMap['sessionStatus'];
        return;
      case 'framesDropped': {
        // live session: we fell behind; the stream resumes at `to`, credit counts from there
        const d = m.payload as MessageMap['framesDropped'];
        if (this.nextWanted === null || d.to > this.nextWanted) {
          if (this.nextWanted !== null) this.skipped += d.to - this.nextWanted;
          this.nextWanted = d.to;
        }
        this.maybeCredit(ws, true);
        return;
      }
      case 'trackEnd': {
        const t = m.payload as MessageMap['trackEnd'];
        this.trailer = { frames: t.frames, complete: t.complete };
        this.clearDead();
        this.resolveEnd(this.trailer);
        this.rejectHeader(new BridgeError(`session ${this.session} ended without a header`, 'check the producer', null, true));
        this.wake();
        return;
      }
      case 'credit':
      case 'error':
        return;
      default:
        log.debug({ type: m.type }, 'unexpected message for a consumer');
    }
  }

  private async run(): Promise<void> {
    let lostAt: number | null = null;
    for (let attempt = 0; !this.stopped && !this.failure && !this.trailer; ) {
      let why: { code: number; reason: string } | null = null;
      try {
        const hello: MessageMap['hello'] = {
          protocol: PROTOCOL_VERSION,
          role: this.opts.role ?? 'consumer',
          session: this.session,
          ...(this.nextWanted !== null ? { resumeFrom: this.nextWanted } : {}),
        };
        const s = await openSocket(this.addr, hello, this.opts, {
          welcome: (w, ws) => this.onWelcome(w, ws),
          message: (m, ws) => this.onMessage(m, ws),
          alive: (ws) => this.alive(ws),
        });
        if (this.stopped) {
          s.ws.close(CLOSE.normal, 'consumer closed');
          return;
        }
        lostAt = null;
        attempt = 0;
        why = await s.closed;
        this.clearDead();
      } catch (e) {
        if (e instanceof BridgeError && (e.fatal || this.opts.reconnect === false)) return this.fail(e);
        if (!(e instanceof BridgeError)) return this.fail(e as Error);
        why = { code: e.code ?? 0, reason: e.problem };
      }
      if (this.stopped || this.trailer || this.failure) return;
      if (FATAL_CLOSE_CODES.has(why.code)) {
        return this.fail(new BridgeError(`the bridge refused session ${this.session}: ${why.reason} (${why.code})`, 'see the bridge log', why.code, true));
      }
      if (this.opts.reconnect === false) {
        return this.fail(new BridgeError(`lost the connection to the bridge (${why.code}${why.reason ? `: ${why.reason}` : ''})`, 'check the bridge and subscribe again', why.code, false));
      }
      lostAt ??= Date.now();
      if (Date.now() - lostAt > (this.opts.reconnectTimeoutMs ?? 30_000)) {
        return this.fail(new BridgeError(`lost the connection to the bridge and could not reconnect (${why.reason || why.code})`, 'check that `noggin serve` is running', why.code, false));
      }
      this.reconnects++;
      log.info({ session: this.session, code: why.code, nextFrame: this.nextWanted }, 'consumer reconnecting');
      await sleep(Math.min(1000, 25 * 2 ** attempt++));
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TrackFrame> {
    try {
      for (;;) {
        if (this.qHead < this.queue.length) {
          const f = this.queue[this.qHead++];
          if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
            this.queue.splice(0, this.qHead);
            this.qHead = 0;
          }
          if (this.ws) this.maybeCredit(this.ws, false);
          yield f;
          continue;
        }
        if (this.trailer) {
          if (!this.trailer.complete && !this.opts.allowIncomplete) {
            throw new BridgeError(
              `session ${this.session} ended incomplete after ${this.trailer.frames} frames (its producer stopped early)`,
              'capture the video again, or accept partial results',
              null,
              true,
            );
          }
          return;
        }
        if (this.failure) throw this.failure;
        if (this.stopped) return;
        await new Promise<void>((r) => (this.waiter = r));
      }
    } finally {
      if (!this.trailer) this.close();
    }
  }
}
