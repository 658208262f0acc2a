/**
 * Publishing the live tracking to a bridge session from the page, so other renderers or
 * recorders follow it: the same protocol as `publishTrack` (bridge/publish.ts, Node) over
 * the browser's WebSocket: hello as a live producer, the track header, one faceFrame per
 * camera frame (indices 0, 1, 2... in order), trackEnd. A live session never waits for
 * consumers, so no credit is needed. Browser-only.
 */
import { encodeMessage, decodeMessage, PROTOCOL_VERSION } from '../../core/protocol.js';
import { makeTrackHeader, type FaceData } from '../../core/track.js';

/** Session names the bridge accepts. */
export const SESSION_NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** One live session being published. */
export class BridgePublisher {
  private ws: WebSocket | null = null;
  private next = 0;
  private t0 = -1;
  /** Set when the bridge refused or dropped the connection. */
  problem: string | null = null;

  private constructor(readonly session: string) {}

  /** Connects to this page's bridge and announces the track. Rejects with a plain message. */
  static async start(session: string, width: number, height: number, fps: number): Promise<BridgePublisher> {
    if (!SESSION_NAME_RE.test(session)) throw new Error('A session name is 1-64 letters, digits, dots, dashes or underscores.');
    const p = new BridgePublisher(session);
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws.binaryType = 'arraybuffer';
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`Could not publish to the bridge: ${why}.`));
      ws.onerror = () => fail('the connection failed');
      ws.onclose = (e) => fail(e.reason || `closed (${e.code})`);
      ws.onopen = () => ws.send(encodeMessage('hello', { protocol: PROTOCOL_VERSION, role: 'producer', session, live: true }));
      ws.onmessage = (e) => {
        try {
          const m = decodeMessage(e.data as ArrayBuffer | string);
          if (m.type === 'welcome') resolve();
          else if (m.type === 'error') fail(m.payload.message);
        } catch (err) {
          fail((err as Error).message);
        }
      };
    });
    ws.onclose = (e) => {
      if (p.ws) p.problem = `the bridge closed the session (${e.reason || e.code})`;
      p.ws = null;
    };
    ws.onerror = null;
    ws.onmessage = (e) => {
      try {
        const m = decodeMessage(e.data as ArrayBuffer | string);
        if (m.type === 'error') p.problem = m.payload.message;
      } catch {
        /* credit and status messages are of no use to a live producer */
      }
    };
    const source = { path: `camera:${session}`, width, height, fps, frameCount: 0, durationMs: 0 };
    ws.send(encodeMessage('trackHeader', makeTrackHeader(source, { mode: 'live', method: 'one-euro' }, { producer: 'noggin studio live' })));
    p.ws = ws;
    return p;
  }

  /** Frames published so far. */
  get frames(): number {
    return this.next;
  }

  /** Publishes one camera frame's face (null: no face) at `nowMs` (performance clock). */
  push(face: FaceData | null, nowMs: number): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (this.t0 < 0) this.t0 = nowMs;
    // A slow network must not queue frames without bound: drop while 1 MB is unsent.
    if (ws.bufferedAmount > 1 << 20) return;
    ws.send(encodeMessage('faceFrame', { frame: this.next++, timeMs: nowMs - this.t0, face }));
  }

  /** Ends the session (complete) and closes the socket. */
  stop(): void {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeMessage('trackEnd', { end: true, frames: this.next, complete: true }));
    setTimeout(() => ws.close(1000, 'done'), 500);
  }
}
