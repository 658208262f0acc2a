/**
 * `startBridge`: the bridge server (express for HTTP, ws for the socket at `/ws`) that
 * streams track frames from producers to consumers, records and replays sessions and
 * serves the pages. Started by `noggin serve` and in-process by `noggin run`.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { basename } from 'node:path';
import type { Express, Router } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import { NogginError } from '../core/errors.js';
import { log } from '../core/log.js';
import { onCleanup } from '../system/cleanup.js';
import { CLOSE } from './close-codes.js';
import { createHttpApp } from './http-api.js';
import { isSessionName } from './messages.js';
import { resolveBridgeOptions, type BridgeOptions, type ResolvedBridgeOptions } from './options.js';
import type { Recorder } from './recorder.js';
import { startReplay, type ReplayHandle, type ReplayOptions } from './replay.js';
import { hostAllowed, isLoopbackHost, originAllowed, presentedToken, resolveToken, TOKEN_ENV, tokenMatches } from './security.js';
import { SessionRegistry } from './session-registry.js';
import { servePeer, startHeartbeat } from './socket-peer.js';

/** Path of the bridge's WebSocket endpoint. */
export const BRIDGE_WS_PATH = '/ws';

/** A running bridge. */
export interface BridgeHandle {
  /** Base URL for this machine, e.g. `http://127.0.0.1:8790`. */
  readonly url: string;
  /** WebSocket endpoint, e.g. `ws://127.0.0.1:8790/ws`. */
  readonly wsUrl: string;
  /** Address it listens on. */
  readonly host: string;
  /** Port it listens on (the real one when 0 was asked). */
  readonly port: number;
  /** Token requests must present, or null when none is required (loopback without --token). */
  readonly token: string | null;
  /** True when the token was generated here (print it for the user). */
  readonly tokenGenerated: boolean;
  /** The options in force. */
  readonly options: ResolvedBridgeOptions;
  /** The express app (for tests and extensions). */
  readonly app: Express;
  /** The router mounted at /api: later features add their routes here. */
  readonly api: Router;
  /** The sessions. */
  readonly sessions: SessionRegistry;
  /** Replays a track file as a session. */
  replay(opts: ReplayOptions): Promise<ReplayHandle>;
  /** Starts recording a session from frame 0 (creating it, waiting, when it does not exist yet). */
  record(session: string): Recorder;
  /**
   * Stops the bridge: refuses new peers, ends every session (live recordings get their
   * trailer, unfinished file sessions are left incomplete), closes sockets with 1001 and a
   * reason, and waits for recordings to be on disk. Idempotent.
   */
  close(reason?: string): Promise<void>;
}

/** Session name for a replayed file: its base name without `.track.ndjson`, cleaned. Pure. */
export function sessionNameForFile(path: string): string {
  const base = basename(path).replace(/\.track\.ndjson$|\.ndjson$/, '');
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return isSessionName(clean) ? clean : 'replay';
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the bridge and resolves once it listens. Throws NogginError when it cannot. */
export async function startBridge(options: BridgeOptions = {}): Promise<BridgeHandle> {
  const opts = resolveBridgeOptions(options);
  const loopback = isLoopbackHost(opts.host);
  const { token, generated } = resolveToken(opts.host, opts.token, process.env[TOKEN_ENV]);
  const registry = new SessionRegistry({
    queueFrames: opts.queueFrames,
    liveQueueFrames: opts.liveQueueFrames,
    historyFrames: opts.historyFrames,
    initialCreditFrames: opts.initialCreditFrames,
    producerGraceMs: opts.producerGraceMs,
    maxConsumers: opts.maxConsumers,
    maxSessions: opts.maxSessions,
    endedSessionTtlMs: opts.endedSessionTtlMs,
    idleSessionTtlMs: opts.idleSessionTtlMs,
    record: opts.record,
    recordDir: opts.recordDir,
  });
  const replays = new Set<ReplayHandle>();
  const replay = async (r: ReplayOptions): Promise<ReplayHandle> => {
    const h = await startReplay(registry, r);
    replays.add(h);
    void h.done.then(() => replays.delete(h));
    return h;
  };

  let port = opts.port;
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes, perMessageDeflate: false, clientTracking: true });
  const { app, api } = await createHttpApp({
    registry,
    options: opts,
    token,
    loopback,
    port: () => port,
    connections: () => wss.clients.size,
    replay,
  });
  const server: Server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000 }, app);
  let closing: Promise<void> | null = null;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    if (closing) return refuseUpgrade(socket, 503, 'the bridge is shutting down');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== BRIDGE_WS_PATH) return refuseUpgrade(socket, 404, `no WebSocket endpoint at ${path}; use ${BRIDGE_WS_PATH}`);
    if (loopback && !hostAllowed(req.headers.host, opts.allowHost)) return refuseUpgrade(socket, 403, 'Host is not this machine');
    if (token !== null && !tokenMatches(token, presentedToken(req.headers, req.url ?? '/', port).token)) {
      return refuseUpgrade(socket, 401, 'missing or wrong token');
    }
    if (!originAllowed(req.headers.origin, req.headers.host, opts.allowOrigin)) {
      return refuseUpgrade(socket, 403, `Origin ${req.headers.origin ?? ''} is not allowed`);
    }
    if (wss.clients.size >= opts.maxConnections) return refuseUpgrade(socket, 503, 'too many connections');
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => wss.emit('connection', ws, req));
  });
  const stopHeartbeat = startHeartbeat(wss, opts.pingIntervalMs);
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const s = req.socket as Socket;
    servePeer(ws, { registry, sendBufferBytes: opts.sendBufferBytes, helloTimeoutMs: opts.helloTimeoutMs }, `${s.remoteAddress}:${s.remotePort}`);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? `port ${opts.port} on ${opts.host} is in use` : e.code === 'EACCES' ? `no permission to listen on ${opts.host}:${opts.port}` : `cannot listen on ${opts.host}:${opts.port} (${e.code ?? e.message})`;
      reject(new NogginError('bridge', why, 'choose another --port (or --port 0) or stop the other server'));
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  server.on('error', (e) => log.error({ err: e }, 'bridge server error'));

  const url = `http://${urlHost(opts.host)}:${port}`;
  const close = (reason = 'bridge shutting down'): Promise<void> => {
    closing ??= (async () => {
      unregister();
      stopHeartbeat();
      server.close();
      for (const r of replays) r.stop();
      await registry.shutdown(reason);
      for (const ws of wss.clients) ws.close(CLOSE.goingAway, reason);
      await waitForSockets(wss, 1000);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      log.info({ url }, 'bridge stopped');
    })();
    return closing;
  };
  const unregister = opts.installCleanup ? onCleanup('bridge', () => close()) : () => true;

  for (const path of opts.replay) {
    try {
      await replay({ path, session: sessionNameForFile(path), pace: opts.replayPace });
    } catch (e) {
      await close();
      throw e;
    }
  }
  log.info({ url, host: opts.host, token: token !== null }, 'bridge listening');
  return {
    url,
    wsUrl: `ws://${urlHost(opts.host)}:${port}${BRIDGE_WS_PATH}`,
    host: opts.host,
    port,
    token,
    tokenGenerated: generated,
    options: opts,
    app,
    api,
    sessions: registry,
    replay,
    record: (name) => {
      if (!isSessionName(name)) throw new NogginError('bridge', `${JSON.stringify(name)} is not a session name`, 'use 1-64 characters of A-Z a-z 0-9 . _ -', 2);
      return registry.record(registry.forConsumer(name));
    },
    close,
  };
}

async function waitForSockets(wss: WebSocketServer, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (wss.clients.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}
