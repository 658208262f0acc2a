/**
 * The client side of one bridge connection: where the bridge is, how a failure is
 * reported, and opening a socket up to the bridge's `welcome`. Used by `publishTrack` and
 * `subscribe` (bridge/publish.ts, bridge/subscribe.ts).
 */
import WebSocket, { type RawData } from 'ws';
import { NogginError } from '../core/errors.js';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, MAX_CONTROL_BYTES, type Message, type MessageMap } from '../core/protocol.js';
import { log } from '../core/log.js';
import { CLOSE, FATAL_CLOSE_CODES } from './close-codes.js';
import { TOKEN_ENV, TOKEN_QUERY } from './security.js';

/** A failure talking to the bridge; `fatal` when retrying cannot help. */
export class BridgeError extends NogginError {
  constructor(
    problem: string,
    fix: string,
    /** WebSocket close code or HTTP status that caused it, if any. */
    readonly code: number | null,
    /** True when reconnecting would fail the same way. */
    readonly fatal: boolean,
  ) {
    super('bridge', problem, fix);
    this.name = 'BridgeError';
  }
}

/** Where to reach a bridge: its WebSocket endpoint and the token to present. */
export interface BridgeAddress {
  /** WebSocket endpoint, e.g. ws://127.0.0.1:8790/ws */
  readonly wsUrl: string;
  /** Token from `?token=` in the URL, if any. */
  readonly token?: string;
}

/**
 * Normalizes a bridge URL (`http://host:port`, `ws://host:port/ws`, with or without
 * `?token=`) to its WebSocket endpoint. Pure.
 */
export function bridgeAddress(url: string): BridgeAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new NogginError('bridge', `${JSON.stringify(url)} is not a URL`, 'give the bridge as http://HOST:PORT (as printed by `noggin serve`)', 2);
  }
  if (!/^(https?|wss?):$/.test(u.protocol)) {
    throw new NogginError('bridge', `${url} is not an http or ws URL`, 'give the bridge as http://HOST:PORT', 2);
  }
  const token = u.searchParams.get(TOKEN_QUERY) ?? undefined;
  const scheme = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  return { wsUrl: `${scheme}//${u.host}/ws`, ...(token ? { token } : {}) };
}

/**
 * Splits `URL/SESSION` (as `noggin capture --publish` and `noggin render --session` take
 * it), e.g. `http://127.0.0.1:8790/talk1?token=T` or `ws://127.0.0.1:8790/ws/talk1`. Pure.
 */
export function parseSessionUrl(s: string): BridgeAddress & { readonly session: string } {
  const addr = bridgeAddress(s);
  const segs = new URL(s).pathname.split('/').filter(Boolean);
  const session = segs.length ? decodeURIComponent(segs[segs.length - 1]) : '';
  if (!session || (segs.length === 1 && session === 'ws')) {
    throw new NogginError('bridge', `${s} names no session`, 'append the session name, e.g. http://127.0.0.1:8790/my-session', 2);
  }
  return { ...addr, session };
}

/** Options shared by producers and consumers. */
export interface ConnectOptions {
  /** Token (default: the URL's ?token=, else $NOGGIN_BRIDGE_TOKEN). */
  readonly token?: string;
  /** Time allowed to connect and be welcomed (ms, default 10000). */
  readonly connectTimeoutMs?: number;
  /** Stops the client. */
  readonly signal?: AbortSignal;
}

/** The bridge's answer to hello. */
export type Welcome = MessageMap['welcome'];

/** A socket the bridge has welcomed. */
export interface OpenSocket {
  readonly ws: WebSocket;
  readonly welcome: Welcome;
  /** Resolves when the socket closes: its code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

function describeStatus(status: number): { problem: string; fix: string } {
  if (status === 401) return { problem: 'the bridge refused the token', fix: `pass the token printed by \`noggin serve\` (--token, ?token= or $${TOKEN_ENV})` };
  if (status === 403) return { problem: 'the bridge refused this Origin or Host', fix: 'connect as 127.0.0.1 or start the bridge with --allow-origin/--allow-host' };
  if (status === 404) return { problem: 'no bridge WebSocket endpoint at this URL', fix: 'give the URL printed by `noggin serve`' };
  if (status === 503) return { problem: 'the bridge is busy or shutting down', fix: 'retry later' };
  return { problem: `the bridge answered HTTP ${status}`, fix: 'check the URL' };
}

/** Callbacks of an open socket; all run synchronously, in message order. */
export interface SocketHandlers {
  /** The bridge's welcome (before any later message is handled). */
  welcome(w: Welcome, ws: WebSocket): void;
  /** Every message after welcome. */
  message(m: Message, ws: WebSocket): void;
  /** Anything arrived (message or ping). */
  alive(ws: WebSocket): void;
}

/** Opens a socket, says hello and waits for welcome. Rejects with BridgeError. */
export function openSocket(addr: BridgeAddress, hello: MessageMap['hello'], opts: ConnectOptions, handlers: SocketHandlers): Promise<OpenSocket> {
  const token = opts.token ?? addr.token ?? process.env[TOKEN_ENV];
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  return new Promise<OpenSocket>((resolve, reject) => {
    const ws = new WebSocket(addr.wsUrl, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
      maxPayload: MAX_CONTROL_BYTES * 4,
    });
    ws.binaryType = 'nodebuffer';
    let welcomed = false;
    let lastError: string | null = null;
    let failure: BridgeError | null = null;
    const timer = setTimeout(() => {
      failure = new BridgeError(`no welcome from the bridge at ${addr.wsUrl} within ${timeoutMs} ms`, 'check that `noggin serve` is running', null, false);
      ws.terminate();
    }, timeoutMs);
    const closed = new Promise<{ code: number; reason: string }>((res) => {
      ws.on('close', (code: number, reason: Buffer) => {
        clearTimeout(timer);
        const r = reason.toString() || lastError || '';
        res({ code, reason: r });
        if (!welcomed) {
          reject(failure ?? new BridgeError(`the bridge closed the connection (${code}${r ? `: ${r}` : ''})`, 'see the bridge log', code, FATAL_CLOSE_CODES.has(code)));
        }
      });
    });
    ws.on('unexpected-response', (_req, res) => {
      const d = describeStatus(res.statusCode ?? 0);
      failure = new BridgeError(d.problem, d.fix, res.statusCode ?? null, res.statusCode !== 503);
      res.resume();
      ws.terminate();
    });
    ws.on('error', (e: NodeJS.ErrnoException) => {
      failure ??= new BridgeError(
        e.code === 'ECONNREFUSED' ? `nothing listens at ${addr.wsUrl}` : `cannot reach the bridge at ${addr.wsUrl} (${e.code ?? e.message})`,
        'start it with `noggin serve` or check the URL',
        null,
        false,
      );
    });
    ws.on('open', () => ws.send(encodeMessage('hello', hello)));
    ws.on('ping', () => handlers.alive(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      handlers.alive(ws);
      let m: Message;
      try {
        const buf = data as Buffer;
        m = decodeMessage(isBinary ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : buf.toString('utf8'));
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'malformed message from the bridge');
        ws.close(CLOSE.badMessage, 'malformed message');
        return;
      }
      if (m.type === 'error') lastError = (m.payload as MessageMap['error']).message;
      if (!welcomed) {
        if (m.type === 'welcome') {
          const w = m.payload as Welcome;
          if (w.protocol !== PROTOCOL_VERSION) {
            failure = new BridgeError(`the bridge speaks protocol ${w.protocol}, this client ${PROTOCOL_VERSION}`, 'run the same noggin version on both sides', CLOSE.protocolMismatch, true);
            ws.close(CLOSE.protocolMismatch, 'protocol mismatch');
            return;
          }
          try {
            handlers.welcome(w, ws);
          } catch (e) {
            failure = e instanceof BridgeError ? e : new BridgeError((e as Error).message, 'see the log', null, true);
            ws.terminate();
            return;
          }
          welcomed = true;
          clearTimeout(timer);
          resolve({ ws, welcome: w, closed });
        }
        return;
      }
      handlers.message(m, ws);
    });
  });
}

/** The error a client throws when its AbortSignal fires. */
export function abortError(what: string): BridgeError {
  return new BridgeError(`${what} was interrupted`, 're-run the command', null, true);
}

