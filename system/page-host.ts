/**
 * A private HTTP + WebSocket host on 127.0.0.1 for noggin's own headless pages: serves the
 * bundled pages, the MediaPipe WASM, the model and heads, and hands each page a binary
 * channel (`/channel/<id>`) to Node. Not the public bridge server: it binds to loopback on
 * a random port and lives as long as one job.
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import { NogginError } from '../core/errors.js';
import { MAX_VIDEO_FRAME_BYTES } from '../core/protocol.js';
import { onCleanup } from './cleanup.js';
import { MEDIAPIPE_WASM_DIR, PAGES_DIR, PROJECT_ROOT } from './paths.js';

/** A running page host. */
export interface PageHost {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** Waits for the page that was given channel `id` to connect its WebSocket. */
  channel(id: string, timeoutMs?: number): Promise<WebSocket>;
  /** Stops the server and closes every channel. */
  close(): Promise<void>;
}

/** Options for `startPageHost`. */
export interface PageHostOptions {
  /** Model file served at /model/face_landmarker.task. */
  readonly modelPath?: string;
  /** Extra static roots: URL prefix -> folder. */
  readonly staticRoots?: Readonly<Record<string, string>>;
  /** Single files: URL path -> file. */
  readonly files?: Readonly<Record<string, string>>;
}

/** Starts a page host on 127.0.0.1 with a random port. */
export async function startPageHost(opts: PageHostOptions = {}): Promise<PageHost> {
  if (!existsSync(PAGES_DIR)) {
    throw new NogginError('setup', `the browser pages are not built (${PAGES_DIR} is missing)`, 'run `npm run build`');
  }
  const app = express();
  app.disable('x-powered-by');
  const noStore = { fallthrough: false, index: false, dotfiles: 'deny' as const };
  app.use('/pages', express.static(PAGES_DIR, noStore));
  app.use('/wasm', express.static(MEDIAPIPE_WASM_DIR, noStore));
  for (const [prefix, dir] of Object.entries(opts.staticRoots ?? {})) app.use(prefix, express.static(dir, noStore));
  const files: Record<string, string> = { ...(opts.files ?? {}) };
  if (opts.modelPath) files['/model/face_landmarker.task'] = opts.modelPath;
  for (const [route, file] of Object.entries(files)) app.get(route, (_req, res) => res.sendFile(file, { root: '/' }));
  app.use('/node_modules', express.static(`${PROJECT_ROOT}/node_modules`, noStore));

  const server: Server = createServer(app);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_VIDEO_FRAME_BYTES, perMessageDeflate: false });
  const waiting = new Map<string, { resolve: (ws: WebSocket) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const early = new Map<string, WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const m = /^\/channel\/([\w-]+)$/.exec(req.url ?? '');
    if (!m) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.binaryType = 'nodebuffer';
      const w = waiting.get(m[1]);
      if (w) {
        waiting.delete(m[1]);
        clearTimeout(w.timer);
        w.resolve(ws);
      } else early.set(m[1], ws);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    unregister();
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new NogginError('chromium', 'the page host closed before the page connected', 're-run with --log-level debug'));
    }
    waiting.clear();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  const unregister = onCleanup('page-host', close);
  return {
    url: `http://127.0.0.1:${port}`,
    close,
    channel(id, timeoutMs = 60000) {
      const ws = early.get(id);
      if (ws) {
        early.delete(id);
        return Promise.resolve(ws);
      }
      const p = new Promise<WebSocket>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new NogginError('chromium', `the page did not connect within ${timeoutMs} ms`, 're-run with --log-level debug to see the page errors'));
        }, timeoutMs);
        waiting.set(id, { resolve, reject, timer });
      });
      // Callers often start waiting before the page loads and may give up on the page first:
      // a rejection nobody awaits any more must not crash the process.
      p.catch(() => undefined);
      return p;
    },
  };
}
