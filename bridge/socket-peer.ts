/**
 * One WebSocket peer of the bridge: reads its `hello`, attaches it to its session as the
 * producer or a consumer, and translates between the protocol and the session. Anything
 * malformed or out of place closes that one connection with a reason; the server goes on.
 */
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, ProtocolError, type MessageMap, type MessageName } from '../core/protocol.js';
import { log } from '../core/log.js';
import { CLOSE, closeReason } from './close-codes.js';
import { inspectFaceFrame, type FaceFrameInfo } from './frame-check.js';
import { checkCredit, checkErrorPayload, checkHello, checkTrackEnd, checkTrackHeader, type Checked } from './messages.js';
import { SessionError, type Consumer, type ConsumerLink, type ProducerLink, type Session } from './session.js';
import type { SessionRegistry } from './session-registry.js';

/** What a peer needs from the server. */
export interface PeerContext {
  readonly registry: SessionRegistry;
  /** Unsent bytes a consumer socket may hold before the session waits for it. */
  readonly sendBufferBytes: number;
  /** Time the peer has to send `hello` (ms). */
  readonly helloTimeoutMs: number;
}

function must<T>(c: Checked<T>): T {
  if (!c.ok) throw new SessionError(CLOSE.badMessage, c.reason);
  return c.value;
}

/** The message bytes, as a view (no copy). */
function asBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function asText(data: RawData): string {
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(asBytes(data)).toString('utf8');
}

/** The protocol version a malformed control message claims, if it claims another one. */
function claimedVersion(text: string): number | null {
  try {
    const v = (JSON.parse(text) as { v?: unknown }).v;
    return typeof v === 'number' && v !== PROTOCOL_VERSION ? v : null;
  } catch {
    return null;
  }
}

/** Serves one accepted WebSocket until it closes. */
export function servePeer(ws: WebSocket, ctx: PeerContext, remote: string): void {
  let session: Session | null = null;
  let producer: ProducerLink | null = null;
  let consumer: Consumer | null = null;
  let ending = false;
  let closed = false;
  const plog = log.child({ peer: remote });

  const sendJson = <K extends MessageName>(type: K, payload: MessageMap[K]) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeMessage(type, payload) as string);
  };

  const fail = (code: number, reason: string, fix = 'check the peer against the noggin protocol (core/protocol.ts)') => {
    if (closed) return;
    plog.warn({ session: session?.name, code, reason }, 'closing peer');
    sendJson('error', { component: 'bridge', message: reason, fix });
    ws.close(code, closeReason(reason));
    closed = true;
  };

  const helloTimer = setTimeout(() => fail(CLOSE.helloTimeout, `no hello within ${ctx.helloTimeoutMs} ms`), ctx.helloTimeoutMs);
  helloTimer.unref();

  const producerLink: ProducerLink = {
    kind: 'socket',
    credit: (upTo) => sendJson('credit', { upTo }),
    close: (code, reason) => {
      closed = true;
      ws.close(code, closeReason(reason));
    },
  };

  let inflight = 0;
  let blocked = false;
  let wake: () => void = () => {};
  const consumerLink: ConsumerLink = {
    kind: 'socket',
    bind: (w) => (wake = w),
    header: (h) => sendJson('trackHeader', h),
    status: (s) => sendJson('sessionStatus', s),
    dropped: (d) => sendJson('framesDropped', d),
    frame: (bytes) => {
      const n = bytes.length;
      inflight += n;
      ws.send(bytes, { binary: true }, () => {
        inflight -= n;
        if (blocked && inflight <= ctx.sendBufferBytes / 2) {
          blocked = false;
          wake();
        }
      });
    },
    end: (t) => {
      sendJson('trackEnd', t);
      closed = true;
      ws.close(CLOSE.normal, 'stream ended');
    },
    writable: () => {
      if (ws.readyState !== ws.OPEN) return false;
      if (inflight < ctx.sendBufferBytes) return true;
      blocked = true;
      return false;
    },
    close: (code, reason) => {
      closed = true;
      ws.close(code, closeReason(reason));
    },
  };

  const onHello = (payload: unknown) => {
    const hello = must(checkHello(payload));
    if (hello.protocol !== PROTOCOL_VERSION) {
      throw new SessionError(CLOSE.protocolMismatch, `the bridge speaks protocol ${PROTOCOL_VERSION}, the peer ${hello.protocol}; run the same noggin version on both sides`);
    }
    clearTimeout(helloTimer);
    if (hello.role === 'producer') {
      const s = ctx.registry.forProducer(hello.session);
      const nextFrame = s.attachProducer(producerLink, hello.live ?? false);
      session = s;
      producer = producerLink;
      sendJson('welcome', { protocol: PROTOCOL_VERSION, session: s.name, nextFrame });
      s.startProducer();
      plog.info({ session: s.name, live: s.live, nextFrame }, 'producer attached');
    } else if (hello.role === 'consumer' || hello.role === 'renderer' || hello.role === 'recorder') {
      const s = ctx.registry.forConsumer(hello.session);
      const c = s.addConsumer(consumerLink, hello.resumeFrom);
      session = s;
      consumer = c;
      sendJson('welcome', { protocol: PROTOCOL_VERSION, session: s.name, nextFrame: c.queue.cursor });
      s.startConsumer(c);
      plog.info({ session: s.name, from: c.queue.cursor }, 'consumer attached');
    } else {
      throw new SessionError(CLOSE.badMessage, `role ${hello.role} does not talk to the bridge (use producer or consumer)`);
    }
  };

  const onProducerMessage = (s: Session, data: RawData, isBinary: boolean) => {
    if (isBinary) {
      // Copy: the received buffer may be a slice of a larger socket chunk (and the copy is aligned).
      const bytes = asBytes(data).slice();
      let info: FaceFrameInfo;
      try {
        info = inspectFaceFrame(bytes);
      } catch (e) {
        throw new SessionError(CLOSE.badMessage, (e as Error).message);
      }
      s.pushFrame(info.frame, bytes);
      return;
    }
    const m = decodeMessage(asText(data));
    switch (m.type) {
      case 'trackHeader':
        s.setHeader(must(checkTrackHeader(m.payload)));
        return;
      case 'trackEnd': {
        const t = must(checkTrackEnd(m.payload));
        if (t.frames !== s.head) throw new SessionError(CLOSE.badMessage, `trackEnd says ${t.frames} frames, the bridge received ${s.head}`);
        ending = true;
        s.endStream(t.complete);
        void s.settled().then(() => {
          closed = true;
          ws.close(CLOSE.normal, t.complete ? 'session complete' : 'session ended incomplete');
        });
        return;
      }
      case 'error': {
        const e = checkErrorPayload(m.payload);
        plog.warn({ session: s.name, error: e.ok ? e.value : m.payload }, 'producer reported an error');
        return;
      }
      default:
        throw new SessionError(CLOSE.badMessage, `a producer may not send ${m.type}`);
    }
  };

  const onConsumerMessage = (s: Session, c: Consumer, data: RawData, isBinary: boolean) => {
    if (isBinary) throw new SessionError(CLOSE.badMessage, 'a consumer may not send binary messages');
    const m = decodeMessage(asText(data));
    switch (m.type) {
      case 'credit':
        s.grant(c, must(checkCredit(m.payload)).upTo);
        return;
      case 'error': {
        const e = checkErrorPayload(m.payload);
        plog.warn({ session: s.name, error: e.ok ? e.value : m.payload }, 'consumer reported an error');
        return;
      }
      default:
        throw new SessionError(CLOSE.badMessage, `a consumer may not send ${m.type}`);
    }
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (closed) return;
    try {
      if (!session) {
        if (isBinary) throw new SessionError(CLOSE.badMessage, 'send hello first');
        const m = decodeMessage(asText(data));
        if (m.type !== 'hello') throw new SessionError(CLOSE.badMessage, `send hello first (got ${m.type})`);
        onHello(m.payload);
      } else if (producer) {
        onProducerMessage(session, data, isBinary);
      } else if (consumer) {
        onConsumerMessage(session, consumer, data, isBinary);
      }
    } catch (e) {
      if (e instanceof SessionError) fail(e.code, e.reason);
      else if (e instanceof ProtocolError) {
        const v = isBinary ? null : claimedVersion(asText(data));
        if (v !== null) fail(CLOSE.protocolMismatch, `the bridge speaks protocol ${PROTOCOL_VERSION}, the peer ${v}`, 'run the same noggin version on both sides');
        else fail(CLOSE.badMessage, `malformed message: ${e.message}`);
      } else {
        plog.error({ err: e }, 'bridge peer failed');
        fail(CLOSE.internal, 'internal error in the bridge', 'report the bridge log');
      }
    }
  });

  ws.on('error', (e) => plog.debug({ err: e }, 'socket error'));

  ws.on('close', (code: number) => {
    closed = true;
    clearTimeout(helloTimer);
    if (session && producer && !ending) {
      plog.info({ session: session.name, code, frames: session.head }, 'producer lost');
      session.producerLost(producer);
    }
    if (session && consumer) session.removeConsumer(consumer);
  });
}

/** Pings every client each `intervalMs`; one that has not answered the previous ping is terminated. */
export function startHeartbeat(wss: WebSocketServer, intervalMs: number): () => void {
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', () => alive.set(ws, true));
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        log.info('peer did not answer ping; dropping it');
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
