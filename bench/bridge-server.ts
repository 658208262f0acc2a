/**
 * The bridge as a separate process for bench/bridge.ts (so its memory and CPU are its
 * own). Talks to its parent over IPC: sends {url} when listening; answers {cmd:'mem'}
 * with memory after a GC (run with --expose-gc), {cmd:'sessions'} with the session
 * figures and {cmd:'stop'} by closing. With BENCH_MODE=relay it is instead a plain ws
 * relay (ws://.../p/S publishes to ws://.../c/S), the reference the bridge is compared to.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { startBridge } from '../bridge/server.js';

const send = (m: unknown) => process.send?.(m);

if (process.env.BENCH_MODE === 'relay') {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const consumers = new Map<string, WebSocket>();
  wss.on('connection', (ws, req) => {
    const [role, s] = (req.url ?? '/').slice(1).split('/');
    if (role === 'c') consumers.set(s, ws);
    else ws.on('message', (d, isBinary) => consumers.get(s)?.send(d, { binary: isBinary }));
  });
  wss.on('listening', () => send({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}` }));
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'stop') process.exit(0);
  });
} else {
  const opts = JSON.parse(process.env.BENCH_BRIDGE_OPTIONS ?? '{}') as Record<string, unknown>;
  const bridge = await startBridge({ host: '127.0.0.1', port: 0, installCleanup: false, ...opts });
  send({ url: bridge.url });
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'mem') {
      (globalThis as { gc?: () => void }).gc?.();
      const u = process.memoryUsage();
      send({ mem: { rssBytes: u.rss, heapUsedBytes: u.heapUsed, externalBytes: u.arrayBuffers } });
    } else if (m.cmd === 'sessions') {
      send({ sessions: bridge.sessions.listing() });
    } else if (m.cmd === 'stop') {
      void bridge.close().then(() => process.exit(0));
    }
  });
}
process.on('disconnect', () => process.exit(0));
