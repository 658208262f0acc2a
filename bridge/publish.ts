/**
 * `publishTrack`: a producer for the bridge. It waits for credit in file sessions (so it
 * runs at the pace of the slowest consumer), and reconnects and resends after a dropped
 * connection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NogginError } from '../core/errors.js';
import { encodeMessage, PROTOCOL_VERSION, type MessageMap } from '../core/protocol.js';
import type { TrackFrame, TrackHeader } from '../core/track.js';
import { log } from '../core/log.js';
import { CLOSE, FATAL_CLOSE_CODES } from './close-codes.js';
import { abortError, bridgeAddress, BridgeError, openSocket, type ConnectOptions, type OpenSocket, type SocketHandlers } from './client-connection.js';

/** Options of `publishTrack`. */
export interface PublishOptions extends ConnectOptions {
  /** Live session: never wait for consumers (slow ones lose frames). Default false. */
  readonly live?: boolean;
  /** Reconnect and resend when the connection drops. Default true. */
  readonly reconnect?: boolean;
  /** How long to keep trying to reconnect (ms, default 4000: within the bridge's producer grace). */
  readonly reconnectTimeoutMs?: number;
  /** Frames kept for resending after a reconnect (default 1024). */
  readonly retainFrames?: number;
  /** Unsent bytes allowed on the socket before waiting (default 1 MiB). */
  readonly sendBufferBytes?: number;
  /** Called after each frame is sent with the count sent. */
  readonly onProgress?: (framesSent: number) => void;
}

/** What `publishTrack` did. */
export interface PublishResult {
  /** Frames published. */
  readonly frames: number;
  /** Times the connection was re-established. */
  readonly reconnects: number;
}

/**
 * Publishes a track to `session` on the bridge at `url`: hello, header, frames (indices
 * 0, 1, 2... in order), trackEnd. In a file session it sends only what the bridge gives
 * credit for, so the producer runs at the pace of the slowest consumer. Resolves once the
 * bridge confirmed the end (recordings are then on disk). If `frames` throws, the session
 * is ended incomplete and the error is rethrown.
 */
export async function publishTrack(
  url: string,
  session: string,
  header: TrackHeader,
  frames: AsyncIterable<TrackFrame> | Iterable<TrackFrame>,
  opts: PublishOptions = {},
): Promise<PublishResult> {
  const addr = bridgeAddress(url);
  const live = opts.live ?? false;
  const retain = Math.max(1, opts.retainFrames ?? 1024);
  const sendLimit = opts.sendBufferBytes ?? 1024 * 1024;
  const ring: Uint8Array[] = []; // encoded frames ringStart..produced-1, kept for resending
  let ringStart = 0;
  let produced = 0; // frames taken from the source
  let nextToSend = 0;
  let credit = 0;
  let inflight = 0;
  let reconnects = 0;
  let conn: OpenSocket | null = null;
  let connClosed = true;
  let notify: (() => void) | null = null;
  const wake = () => {
    const n = notify;
    notify = null;
    n?.();
  };
  const waitWake = () => new Promise<void>((r) => (notify = r));
  const onAbort = () => {
    conn?.ws.terminate();
    wake();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const handlers: SocketHandlers = {
    welcome(w) {
      const next = w.nextFrame ?? 0;
      if (produced === 0) {
        // a fresh producer joining a stalled session: the frames it already has are skipped
        nextToSend = next;
      } else {
        if (next > produced || next < ringStart) {
          throw new BridgeError(`the bridge asks for frame ${next}; this producer holds ${ringStart}..${produced - 1}`, 'publish again to a new session', null, true);
        }
        nextToSend = next;
      }
    },
    message(m) {
      if (m.type === 'credit') {
        credit = Math.max(credit, (m.payload as MessageMap['credit']).upTo);
        wake();
      }
    },
    alive() {},
  };

  const connect = async (first: boolean): Promise<void> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (opts.signal?.aborted) throw abortError('publishing');
      try {
        credit = 0;
        const c = await openSocket(addr, { protocol: PROTOCOL_VERSION, role: 'producer', session, live }, opts, handlers);
        conn = c;
        connClosed = false;
        inflight = 0;
        void c.closed.then(() => {
          if (conn === c) connClosed = true;
          wake();
        });
        c.ws.send(encodeMessage('trackHeader', header));
        return;
      } catch (e) {
        const fatal = e instanceof BridgeError && e.fatal;
        if (first || fatal || opts.reconnect === false || Date.now() - started > (opts.reconnectTimeoutMs ?? 4000)) throw e;
        await sleep(Math.min(1000, 50 * 2 ** attempt));
      }
    }
  };

  const reconnect = async (why: { code: number; reason: string }) => {
    if (opts.signal?.aborted) throw abortError('publishing');
    if (FATAL_CLOSE_CODES.has(why.code)) {
      throw new BridgeError(`the bridge closed session ${session} (${why.code}: ${why.reason})`, 'see the bridge log', why.code, true);
    }
    if (opts.reconnect === false) {
      throw new BridgeError(`lost the connection to the bridge (${why.code}${why.reason ? `: ${why.reason}` : ''})`, 'check the bridge and publish again', why.code, false);
    }
    reconnects++;
    log.info({ session, code: why.code, frames: produced }, 'producer reconnecting');
    await connect(false);
  };

  const iterator: AsyncIterator<TrackFrame> | Iterator<TrackFrame> =
    Symbol.asyncIterator in frames ? (frames as AsyncIterable<TrackFrame>)[Symbol.asyncIterator]() : (frames as Iterable<TrackFrame>)[Symbol.iterator]();
  let sourceDone = false;

  try {
    await connect(true);
    for (;;) {
      if (opts.signal?.aborted) throw abortError('publishing');
      const c = conn as unknown as OpenSocket;
      if (connClosed) {
        await reconnect(await c.closed);
        continue;
      }
      if (nextToSend >= produced) {
        if (sourceDone) break;
        let r: IteratorResult<TrackFrame>;
        try {
          r = await iterator.next();
        } catch (e) {
          // the source failed: end the session incomplete, then rethrow
          sourceDone = true;
          if (!connClosed) {
            c.ws.send(encodeMessage('error', { component: 'producer', message: (e as Error).message, fix: "see the producer's error" }));
            c.ws.send(encodeMessage('trackEnd', { end: true, frames: nextToSend, complete: false }));
            await Promise.race([c.closed, sleep(5000)]);
          }
          throw e;
        }
        if (r.done) {
          sourceDone = true;
          continue;
        }
        const f = r.value;
        if (f.frame !== produced) {
          throw new NogginError('bridge', `frame ${f.frame} published out of order (expected ${produced})`, 'publish frames 0, 1, 2... in order');
        }
        produced++;
        if (f.frame < nextToSend) {
          ringStart = produced; // the bridge has it already
          continue;
        }
        ring.push(encodeMessage('faceFrame', f));
        if (ring.length > retain) {
          ring.shift();
          ringStart++;
        }
        continue;
      }
      if ((!live && nextToSend >= credit) || inflight >= sendLimit) {
        await waitWake();
        continue;
      }
      const bytes = ring[nextToSend - ringStart];
      const n = bytes.length;
      inflight += n;
      c.ws.send(bytes, { binary: true }, () => {
        if (conn === c) inflight -= n;
        wake();
      });
      nextToSend++;
      opts.onProgress?.(nextToSend);
    }
    const c = conn as unknown as OpenSocket;
    c.ws.send(encodeMessage('trackEnd', { end: true, frames: produced, complete: true }));
    const closed = await c.closed;
    if (closed.code === CLOSE.normal) return { frames: produced, reconnects };
    throw new BridgeError(`the bridge closed session ${session} before confirming its end (${closed.code}${closed.reason ? `: ${closed.reason}` : ''})`, 'publish again', closed.code, true);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (conn && !connClosed) (conn as OpenSocket).ws.terminate();
    if (!sourceDone) await Promise.resolve(iterator.return?.()).catch(() => {});
  }
}

