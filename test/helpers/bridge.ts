/** Shared helpers of the bridge tests: synthetic tracks and raw protocol peers. */
import WebSocket, { type RawData } from 'ws';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLENDSHAPE_COUNT } from '../../core/blendshapes.js';
import { LANDMARK_FLOATS } from '../../core/landmarks.js';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, type Message, type MessageMap } from '../../core/protocol.js';
import { makeTrackHeader, type TrackFrame, type TrackHeader } from '../../core/track.js';
import { startBridge, type BridgeHandle } from '../../bridge/server.js';
import type { BridgeOptions } from '../../bridge/options.js';
import { setLogLevel } from '../../core/log.js';

// tests provoke warnings on purpose; show logs only when asked
setLogLevel(process.env.NOGGIN_LOG_LEVEL ?? 'silent');

export { rng } from './synthetic.js';
import { rng } from './synthetic.js';

/** A synthetic header for `frames` frames at `fps`. */
export function testHeader(frames: number, fps = 30): TrackHeader {
  return makeTrackHeader(
    { path: 'synthetic.mp4', width: 640, height: 480, fps, frameCount: frames, durationMs: (frames / fps) * 1000 },
    { mode: 'none' },
  );
}

const frameCache = new Map<string, TrackFrame>();

/** Synthetic frame `i`: random landmarks/blendshapes (values exact in float32 after rounding), every 7th without a face. A fresh copy each call. */
export function testFrame(i: number, fps = 30, seed = 1): TrackFrame {
  const key = `${i}/${fps}/${seed}`;
  let f = frameCache.get(key);
  if (!f) frameCache.set(key, (f = makeTestFrame(i, fps, seed)));
  return f.face
    ? { ...f, face: { landmarks: f.face.landmarks.slice(), blendshapes: f.face.blendshapes.slice(), matrix: f.face.matrix.slice() } }
    : { ...f };
}

function makeTestFrame(i: number, fps: number, seed: number): TrackFrame {
  const r = rng(seed * 1_000_003 + i);
  const q = (x: number) => Math.round(x * 1e4) / 1e4;
  if (i % 7 === 3) return { frame: i, timeMs: (i * 1000) / fps, face: null };
  const landmarks = new Float32Array(LANDMARK_FLOATS);
  for (let k = 0; k < landmarks.length; k++) landmarks[k] = q(r());
  const blendshapes = new Float32Array(BLENDSHAPE_COUNT);
  for (let k = 0; k < blendshapes.length; k++) blendshapes[k] = q(r());
  const matrix = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, q(r()), q(r()), -50, 1]);
  return { frame: i, timeMs: (i * 1000) / fps, face: { landmarks, blendshapes, matrix }, ...(i % 11 === 5 ? { interpolated: true } : {}) };
}

/** Frames 0..n-1. */
export function* testFrames(n: number, fps = 30): Generator<TrackFrame> {
  for (let i = 0; i < n; i++) yield testFrame(i, fps);
}

/** Starts a bridge on 127.0.0.1:0 without signal cleanup, with a temp record folder. */
export async function testBridge(opts: BridgeOptions = {}): Promise<{ bridge: BridgeHandle; dir: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'noggin-bridge-test-'));
  let bridge: BridgeHandle;
  try {
    bridge = await startBridge({ host: '127.0.0.1', port: 0, installCleanup: false, recordDir: dir, ...opts });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    bridge,
    dir,
    stop: async () => {
      await bridge.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A raw protocol peer for tests: queued messages, explicit sends. */
export class RawPeer {
  readonly messages: Message[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    this.opened = new Promise((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
      ws.once('unexpected-response', (_q, r) => rej(Object.assign(new Error(`HTTP ${r.statusCode}`), { status: r.statusCode })));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((res) => ws.on('close', (code, reason) => {
      res({ code, reason: reason.toString() });
      this.flush();
    }));
    ws.on('error', () => {});
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const b = data as Buffer;
      this.messages.push(decodeMessage(isBinary ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b.toString()));
      this.flush();
    });
  }

  /** Connects to `url` (ws endpoint) with optional headers. */
  static async connect(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}): Promise<RawPeer> {
    const p = new RawPeer(new WebSocket(url, { headers, perMessageDeflate: false, ...options }));
    await p.opened;
    return p;
  }

  private flush(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send<K extends keyof MessageMap>(type: K, payload: MessageMap[K]): void {
    this.ws.send(encodeMessage(type, payload));
  }

  hello(role: MessageMap['hello']['role'], session: string, extra: Partial<MessageMap['hello']> = {}): void {
    this.send('hello', { protocol: PROTOCOL_VERSION, role, session, ...extra });
  }

  /** Waits until `pred` holds for the messages so far (or the socket closed). */
  async until(pred: (msgs: Message[]) => boolean): Promise<boolean> {
    for (;;) {
      if (pred(this.messages)) return true;
      if (this.ws.readyState === WebSocket.CLOSED) return pred(this.messages);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Waits for the first message of `type` at index >= from. */
  async next<K extends keyof MessageMap>(type: K, from = 0): Promise<MessageMap[K]> {
    let found: Message | undefined;
    await this.until((ms) => (found = ms.slice(from).find((m) => m.type === type)) !== undefined);
    if (!found) throw new Error(`no ${type} before close`);
    return found.payload as MessageMap[K];
  }

  frames(): TrackFrame[] {
    return this.messages.filter((m) => m.type === 'faceFrame').map((m) => m.payload as TrackFrame);
  }
}

/** Polls `cond` every 5 ms until true; fails after `timeoutMs` (generous: for progress, never for timing). */
export async function eventually(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Asserts two frames are equal (float32 arrays compared element-wise). */
export function sameFrame(a: TrackFrame, b: TrackFrame): boolean {
  if (a.frame !== b.frame || a.timeMs !== b.timeMs || Boolean(a.interpolated) !== Boolean(b.interpolated)) return false;
  if (!a.face || !b.face) return a.face === b.face;
  const eq = (x: Float32Array, y: Float32Array) => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.face.landmarks, b.face.landmarks) && eq(a.face.blendshapes, b.face.blendshapes) && eq(a.face.matrix, b.face.matrix);
}

/** A TCP proxy to 127.0.0.1:target whose connections can be cut like a network failure. */
export async function tcpProxy(target: number): Promise<{ port: number; cut: () => number; close: () => Promise<void> }> {
  const net = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = net.createServer((client) => {
    const up = net.connect(target, '127.0.0.1');
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        up.destroy();
      });
    }
    client.pipe(up);
    up.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    port,
    cut: () => {
      const n = sockets.size;
      for (const s of sockets) s.resetAndDestroy();
      return n;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
