/**
 * The bridge's HTTP side: security headers, Host/token/Origin guards, `GET /health`,
 * `GET /sessions`, the JSON API under `/api` (sessions, recordings, record, replay; later
 * issues add their routes to the exported `api` router) and the static folders.
 */
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import express, { Router, type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { NogginError } from '../core/errors.js';
import { PROTOCOL_VERSION } from '../core/protocol.js';
import { log } from '../core/log.js';
import { CLOSE } from './close-codes.js';
import { isSessionName } from './messages.js';
import type { ResolvedBridgeOptions } from './options.js';
import type { ReplayHandle, ReplayOptions } from './replay.js';
import {
  DEFAULT_CSP,
  hostAllowed,
  originAllowed,
  presentedToken,
  realPathInside,
  securityHeaders,
  tokenCookieName,
  tokenMatches,
} from './security.js';
import { SessionError } from './session.js';
import type { SessionRegistry } from './session-registry.js';
import { staticRouter } from './static-files.js';

/** What the HTTP side needs from the server. */
export interface HttpContext {
  readonly registry: SessionRegistry;
  readonly options: ResolvedBridgeOptions;
  /** Token every request must present, or null. */
  readonly token: string | null;
  /** True when listening on loopback (Host names are then checked). */
  readonly loopback: boolean;
  /** Port the server listens on (known after listen). */
  port(): number;
  /** Open WebSocket connections. */
  connections(): number;
  /** Starts a replay (the server keeps track of it). */
  replay(opts: ReplayOptions): Promise<ReplayHandle>;
}

/** A recording in the record folder, as `GET /api/recordings` lists it. */
export interface RecordingFile {
  /** File name inside the record folder. */
  readonly name: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** Last modification, ms since the epoch. */
  readonly modifiedAt: number;
  /** True when the file ends with its trailer. */
  readonly complete: boolean;
}

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: { readonly component: string; readonly message: string; readonly fix: string };
}

/** Sends a JSON error. */
export function sendError(res: Response, status: number, message: string, fix: string, component = 'bridge'): void {
  if (res.headersSent) return;
  res.status(status).json({ error: { component, message, fix } } satisfies ErrorBody);
}

const RECORDING_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.track\.ndjson$/;

const ReplayBodySchema = z.object({
  recording: z.string().regex(RECORDING_NAME_RE, 'a file name in the record folder ending in .track.ndjson'),
  pace: z.enum(['original', 'fast']).default('original'),
  live: z.boolean().optional(),
});

/** True when a track file ends with its trailer (reads its last bytes). */
export async function trackFileComplete(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const n = Math.min(size, 256);
    const buf = Buffer.alloc(n);
    await fh.read(buf, 0, n, size - n);
    return /\{"end":true,"frames":\d+\}\s*$/.test(buf.toString('utf8'));
  } finally {
    await fh.close();
  }
}

/** Lists the track files of `dir` (none when it does not exist). */
export async function listRecordings(dir: string): Promise<RecordingFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: RecordingFile[] = [];
  for (const name of names.filter((n) => RECORDING_NAME_RE.test(n)).sort()) {
    const p = join(dir, name);
    try {
      const s = await stat(p);
      if (!s.isFile()) continue;
      out.push({ name, bytes: s.size, modifiedAt: s.mtimeMs, complete: await trackFileComplete(p) });
    } catch {
      /* vanished meanwhile */
    }
  }
  return out;
}

function sessionErrorStatus(e: SessionError): number {
  switch (e.code) {
    case CLOSE.conflict:
      return 409;
    case CLOSE.gone:
      return 410;
    case CLOSE.limit:
      return 429;
    case CLOSE.goingAway:
      return 503;
    default:
      return 400;
  }
}

/** Builds the express app; `api` is the router mounted at /api (add job routes to it). */
export async function createHttpApp(ctx: HttpContext): Promise<{ app: Express; api: Router }> {
  const { options, registry } = ctx;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders(options.contentSecurityPolicy === undefined ? DEFAULT_CSP : options.contentSecurityPolicy));

  if (ctx.loopback) {
    app.use((req, res, next) => {
      if (hostAllowed(req.headers.host, options.allowHost)) return next();
      sendError(res, 403, `Host ${JSON.stringify(req.headers.host ?? '')} is not this machine`, 'open the bridge as http://127.0.0.1:PORT or add --allow-host');
    });
  }

  const startedAt = Date.now();
  app.get('/health', (_req, res) => {
    res.json({ ok: true, protocol: PROTOCOL_VERSION, uptimeMs: Date.now() - startedAt });
  });

  if (ctx.token !== null) {
    const token = ctx.token;
    app.use((req, res, next) => {
      const p = presentedToken(req.headers, req.url, ctx.port());
      if (!tokenMatches(token, p.token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="noggin"');
        return sendError(res, 401, 'missing or wrong token', 'pass the token printed by `noggin serve` (Authorization: Bearer TOKEN or ?token=TOKEN)');
      }
      if (p.fromQuery) {
        res.cookie(tokenCookieName(ctx.port()), token, { httpOnly: true, sameSite: 'strict', path: '/' });
      }
      next();
    });
  }

  app.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    if (!originAllowed(req.headers.origin, req.headers.host, options.allowOrigin)) {
      return sendError(res, 403, `Origin ${req.headers.origin ?? ''} may not call this API`, 'call it from the bridge\'s own pages or add --allow-origin');
    }
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > options.maxBodyBytes && !options.streamedBodyPrefixes.some((p) => req.path.startsWith(p))) return sendError(res, 413, `request body of ${len} bytes exceeds ${options.maxBodyBytes}`, 'send a smaller body');
    next();
  });

  const serverInfo = () => {
    const m = process.memoryUsage();
    return { uptimeMs: Date.now() - startedAt, connections: ctx.connections(), memory: { rssBytes: m.rss, heapUsedBytes: m.heapUsed } };
  };
  app.get('/sessions', (_req, res) => {
    res.json({ server: serverInfo(), sessions: registry.listing() });
  });

  const api = Router();
  api.use(express.json({ limit: options.maxBodyBytes, strict: true }));
  api.get('/sessions', (_req, res) => {
    res.json({ server: serverInfo(), sessions: registry.listing() });
  });
  api.get('/sessions/:name', (req, res) => {
    const s = registry.get(String(req.params.name));
    if (!s) return sendError(res, 404, `no session ${req.params.name}`, 'list sessions with GET /sessions');
    res.json(registry.describe(s));
  });
  api.post('/sessions/:name/record', (req, res) => {
    const name = String(req.params.name);
    if (!isSessionName(name)) return sendError(res, 400, `${JSON.stringify(name)} is not a session name`, 'use 1-64 characters of A-Z a-z 0-9 . _ -');
    const s = registry.forConsumer(name);
    const rec = registry.record(s);
    res.status(202).json({ session: name, recording: rec.info() });
  });
  api.post('/sessions/:name/replay', async (req, res) => {
    const name = String(req.params.name);
    if (!isSessionName(name)) return sendError(res, 400, `${JSON.stringify(name)} is not a session name`, 'use 1-64 characters of A-Z a-z 0-9 . _ -');
    const body = ReplayBodySchema.safeParse(req.body ?? {});
    if (!body.success) {
      const i = body.error.issues[0];
      return sendError(res, 400, `replay: ${i?.path.join('.') ?? ''} ${i?.message ?? 'invalid body'}`, 'send {"recording": "NAME.track.ndjson", "pace": "original"|"fast"}');
    }
    let dir: string;
    try {
      dir = await realpath(options.recordDir);
    } catch {
      return sendError(res, 404, `the record folder ${options.recordDir} does not exist`, 'record a session first (--record)');
    }
    const path = await realPathInside(dir, join(dir, body.data.recording));
    if (path === null) return sendError(res, 403, 'the recording is outside the record folder', 'replay a file of GET /api/recordings');
    if (path === undefined) return sendError(res, 404, `no recording ${body.data.recording}`, 'list them with GET /api/recordings');
    const r = await ctx.replay({ path, session: name, pace: body.data.pace, ...(body.data.live !== undefined ? { live: body.data.live } : {}) });
    res.status(201).json({ session: name, recording: body.data.recording, pace: body.data.pace, live: r.session.live });
  });
  api.get('/recordings', async (_req, res) => {
    res.json({ dir: options.recordDir, recordings: await listRecordings(options.recordDir) });
  });
  app.use('/api', api);

  app.use(await staticRouter(options.staticRoots));

  app.use((req, res) => sendError(res, 404, `nothing at ${req.method} ${req.path}`, 'see GET /sessions and the static prefixes'));

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') return sendError(res, 413, `request body exceeds ${options.maxBodyBytes} bytes`, 'send a smaller body');
    if (e.type === 'entity.parse.failed') return sendError(res, 400, 'request body is not valid JSON', 'send a JSON object');
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendError(res, e.status, e.message ?? 'bad request', 'fix the request');
    if (err instanceof SessionError) return sendError(res, sessionErrorStatus(err), err.reason, 'see GET /sessions');
    if (err instanceof NogginError) return sendError(res, 400, err.problem, err.fix, err.component);
    log.error({ err }, 'bridge HTTP handler failed');
    sendError(res, 500, 'internal error', 'see the bridge log');
  });
  return { app, api };
}
