/**
 * Every option of the bridge in one place: its command-line flag, default and meaning.
 * `noggin serve` builds its options from `serveCommandOptions` / `addServeOptions`, and
 * `startBridge` fills what a caller leaves out from the same defaults.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { NogginError } from '../core/errors.js';
import { MAX_CONTROL_BYTES, FACE_FRAME_BYTES } from '../core/protocol.js';
import type { ReplayPace } from './replay.js';
import type { StaticRoots } from './static-files.js';
import { TOKEN_ENV } from './security.js';

/** Options a caller may give `startBridge` (all optional; see BRIDGE_OPTIONS for defaults). */
export interface BridgeOptions {
  /** Address to listen on. */
  readonly host?: string;
  /** TCP port; 0 picks a free one. */
  readonly port?: number;
  /** Access token (else NOGGIN_BRIDGE_TOKEN, else generated when not on loopback). */
  readonly token?: string;
  /** Extra Origins allowed for WebSockets and API calls, e.g. `http://localhost:5173`. */
  readonly allowOrigin?: readonly string[];
  /** Extra Host names accepted while listening on loopback (e.g. behind a reverse proxy). */
  readonly allowHost?: readonly string[];
  /** Record every session to `recordDir`. */
  readonly record?: boolean;
  /** Folder for recordings; replays via the API may only read from it. */
  readonly recordDir?: string;
  /** Track files to replay at start, each as a session named after the file. */
  readonly replay?: readonly string[];
  /** Pace of `replay`: `original` (live) or `fast` (as fast as consumers take frames). */
  readonly replayPace?: ReplayPace;
  /** Most frames waiting for one consumer of a file session (the producer waits beyond). */
  readonly queueFrames?: number;
  /** Most frames waiting for one consumer of a live session (the oldest are dropped beyond). */
  readonly liveQueueFrames?: number;
  /** Frames a file session keeps for late joiners and resumes (>= queueFrames); live sessions keep liveQueueFrames. */
  readonly historyFrames?: number;
  /** Frames a consumer may receive before it sends credit. */
  readonly initialCreditFrames?: number;
  /** Most sessions at once. */
  readonly maxSessions?: number;
  /** Most consumers per session. */
  readonly maxConsumers?: number;
  /** Most WebSocket connections at once. */
  readonly maxConnections?: number;
  /** Largest WebSocket message accepted (bytes). */
  readonly maxMessageBytes?: number;
  /** Largest HTTP request body accepted (bytes). */
  readonly maxBodyBytes?: number;
  /** Bytes a consumer's socket may have unsent before the bridge waits for it. */
  readonly sendBufferBytes?: number;
  /** Interval between pings; a peer that misses one is dropped (ms). */
  readonly pingIntervalMs?: number;
  /** Time a new connection has to send `hello` (ms). */
  readonly helloTimeoutMs?: number;
  /** Time a session waits for a lost producer to come back before aborting (ms). */
  readonly producerGraceMs?: number;
  /** Time an ended session stays available to late consumers (ms). */
  readonly endedSessionTtlMs?: number;
  /** Time a session without producer and consumers is kept (ms). */
  readonly idleSessionTtlMs?: number;
  /** Static folders by URL prefix (pages, bundled code, WASM, heads, model). Not a CLI flag. */
  readonly staticRoots?: StaticRoots;
  /**
   * URL path prefixes whose routes stream and limit their own request bodies (uploads), so
   * `maxBodyBytes` does not apply to them. Not a CLI flag. Default none.
   */
  readonly streamedBodyPrefixes?: readonly string[];
  /** Content-Security-Policy header; false sends none. Not a CLI flag. Default DEFAULT_CSP. */
  readonly contentSecurityPolicy?: string | false;
  /** Register `close()` with system/cleanup so SIGINT/SIGTERM finish recordings. Default true. */
  readonly installCleanup?: boolean;
}

/** Keys of the options that have a command-line flag. */
export type CliOptionKey = Exclude<keyof BridgeOptions, 'staticRoots' | 'streamedBodyPrefixes' | 'contentSecurityPolicy' | 'installCleanup'>;

/** Description of one option. */
export interface OptionSpec<T> {
  /** Commander flag syntax, e.g. `--port <n>`. */
  readonly flag: string;
  /** Default value. */
  readonly default: T;
  /** One line for --help and the README. */
  readonly doc: string;
  /** Environment variable read when the flag is absent. */
  readonly env?: string;
  /** Parses one command-line value (repeatable options get the previous value). */
  readonly parse?: (value: string, previous: T) => T;
}

function int(min: number): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(v)}`);
    const n = Number(v);
    if (n < min || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number >= ${min}, got ${v}`);
    return n;
  };
}

function repeatable(v: string, previous: readonly string[]): readonly string[] {
  return [...(previous ?? []), v];
}

type Defaults = { [K in CliOptionKey]-?: Exclude<BridgeOptions[K], undefined> | (K extends 'token' ? undefined : never) };

/** Every command-line option of `noggin serve`: flag, default and meaning. */
export const BRIDGE_OPTIONS: { readonly [K in CliOptionKey]: OptionSpec<Defaults[K]> } = {
  host: { flag: '--host <address>', default: '127.0.0.1', doc: 'Address to listen on. Any address other than loopback requires the token.' },
  port: { flag: '--port <n>', default: 8790, doc: 'TCP port (0 picks a free one).', parse: int(0) },
  token: {
    flag: '--token <token>',
    default: undefined,
    env: TOKEN_ENV,
    doc: `Access token for HTTP and WebSocket requests (Authorization: Bearer, ?token= or cookie). Default: $${TOKEN_ENV}, else none on loopback and a random one (printed) otherwise.`,
  },
  allowOrigin: { flag: '--allow-origin <origin>', default: [], doc: 'Extra Origin allowed to open WebSockets and call the API (repeatable); the server\'s own origin is always allowed.', parse: repeatable },
  allowHost: { flag: '--allow-host <name>', default: [], doc: 'Extra Host name accepted while listening on loopback (repeatable); other names are refused against DNS rebinding.', parse: repeatable },
  record: { flag: '--record', default: false, doc: 'Record every session to --record-dir as a track file.' },
  recordDir: { flag: '--record-dir <dir>', default: 'recordings', doc: 'Folder for recordings; replays requested over HTTP may only read from it.' },
  replay: { flag: '--replay <track>', default: [], doc: 'Replay a track file as a session named after the file (repeatable).', parse: repeatable },
  replayPace: {
    flag: '--replay-pace <pace>',
    default: 'original',
    doc: 'original: frames at their recorded times (live session); fast: as fast as consumers take them.',
    parse: (v) => {
      if (v !== 'original' && v !== 'fast') throw new InvalidArgumentError('expected original or fast');
      return v;
    },
  },
  queueFrames: { flag: '--queue-frames <n>', default: 256, doc: 'Most frames waiting for one consumer of a file session; beyond, the producer waits for the slowest consumer.', parse: int(1) },
  liveQueueFrames: { flag: '--live-queue-frames <n>', default: 32, doc: 'Most frames waiting for one consumer of a live session; beyond, its oldest frames are dropped (and counted).', parse: int(1) },
  historyFrames: { flag: '--history-frames <n>', default: 1024, doc: 'Frames a file session keeps for late joiners and resuming consumers (>= --queue-frames); live sessions keep --live-queue-frames.', parse: int(1) },
  initialCreditFrames: { flag: '--initial-credit-frames <n>', default: 32, doc: 'Frames a consumer gets before it sends its first credit.', parse: int(1) },
  maxSessions: { flag: '--max-sessions <n>', default: 32, doc: 'Most sessions at once.', parse: int(1) },
  maxConsumers: { flag: '--max-consumers <n>', default: 32, doc: 'Most consumers per session (recorders included).', parse: int(1) },
  maxConnections: { flag: '--max-connections <n>', default: 256, doc: 'Most WebSocket connections at once.', parse: int(1) },
  maxMessageBytes: { flag: '--max-message-bytes <n>', default: MAX_CONTROL_BYTES, doc: 'Largest WebSocket message accepted; larger ones close the connection (1009).', parse: int(FACE_FRAME_BYTES) },
  maxBodyBytes: { flag: '--max-body-bytes <n>', default: 64 * 1024, doc: 'Largest HTTP request body accepted (413 beyond).', parse: int(1) },
  sendBufferBytes: { flag: '--send-buffer-bytes <n>', default: 1024 * 1024, doc: 'Unsent bytes a consumer socket may hold before the bridge waits for it.', parse: int(FACE_FRAME_BYTES) },
  pingIntervalMs: { flag: '--ping-interval-ms <ms>', default: 10_000, doc: 'Ping interval; a peer that does not answer by the next ping is dropped.', parse: int(10) },
  helloTimeoutMs: { flag: '--hello-timeout-ms <ms>', default: 5_000, doc: 'Time a new connection has to say hello.', parse: int(1) },
  producerGraceMs: { flag: '--producer-grace-ms <ms>', default: 5_000, doc: 'Time a session waits for a lost producer to reconnect before it aborts (its recording is then incomplete).', parse: int(0) },
  endedSessionTtlMs: { flag: '--ended-session-ttl-ms <ms>', default: 60_000, doc: 'Time an ended session stays available to late consumers.', parse: int(0) },
  idleSessionTtlMs: { flag: '--idle-session-ttl-ms <ms>', default: 300_000, doc: 'Time a session with no producer and no consumer is kept.', parse: int(0) },
};

/** Options with every default filled in. */
export type ResolvedBridgeOptions = Defaults & {
  readonly staticRoots: StaticRoots;
  readonly streamedBodyPrefixes: readonly string[];
  readonly contentSecurityPolicy: string | false | undefined;
  readonly installCleanup: boolean;
};

/** One option of `noggin serve` in the shape commander's `.option(flags, description, parse, default)` takes. */
export interface ServeCommandOption {
  /** Key in BridgeOptions (and commander's attribute name). */
  readonly key: CliOptionKey;
  readonly flags: string;
  readonly description: string;
  readonly defaultValue: unknown;
  readonly parse?: (value: string, previous: unknown) => unknown;
  readonly env?: string;
}

/** The options of `noggin serve`, in order. */
export const serveCommandOptions: readonly ServeCommandOption[] = (Object.keys(BRIDGE_OPTIONS) as CliOptionKey[]).map((key) => {
  const o = BRIDGE_OPTIONS[key] as OptionSpec<unknown>;
  return {
    key,
    flags: o.flag,
    description: o.doc,
    defaultValue: o.default,
    ...(o.parse ? { parse: o.parse as (value: string, previous: unknown) => unknown } : {}),
    ...(o.env ? { env: o.env } : {}),
  };
});

/** Adds every option of `noggin serve` to a commander command. */
export function addServeOptions(cmd: Command): Command {
  for (const o of serveCommandOptions) {
    const opt = new Option(o.flags, o.description);
    if (o.parse) opt.argParser(o.parse);
    if (o.defaultValue !== undefined && !(Array.isArray(o.defaultValue) && o.defaultValue.length === 0)) opt.default(o.defaultValue);
    cmd.addOption(opt);
  }
  return cmd;
}

/** Picks the bridge options out of commander's parsed options (unknown keys are ignored). */
export function bridgeOptionsFromCli(parsed: Readonly<Record<string, unknown>>): BridgeOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(BRIDGE_OPTIONS)) if (parsed[key] !== undefined) out[key] = parsed[key];
  return out as BridgeOptions;
}

/** Fills defaults and checks the values; throws NogginError (exit code 2) for bad ones. */
export function resolveBridgeOptions(opts: BridgeOptions = {}): ResolvedBridgeOptions {
  const d: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(BRIDGE_OPTIONS)) d[k] = (opts as Record<string, unknown>)[k] ?? spec.default;
  if (opts.liveQueueFrames === undefined) {
    // the default must not exceed what a session can hold
    d.liveQueueFrames = Math.min(Number(d.liveQueueFrames), Number(d.historyFrames) + Number(d.queueFrames));
  }
  const r = {
    ...(d as Defaults),
    staticRoots: opts.staticRoots ?? {},
    streamedBodyPrefixes: opts.streamedBodyPrefixes ?? [],
    contentSecurityPolicy: opts.contentSecurityPolicy,
    installCleanup: opts.installCleanup ?? true,
  } satisfies ResolvedBridgeOptions;
  const bad = (what: string, fix: string) => new NogginError('bridge', what, fix, 2);
  for (const k of Object.keys(BRIDGE_OPTIONS) as CliOptionKey[]) {
    const v = r[k];
    if (typeof BRIDGE_OPTIONS[k].default === 'number' && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
      throw bad(`${BRIDGE_OPTIONS[k].flag.split(' ')[0]} must be a whole number >= 0, got ${String(v)}`, 'fix the value');
    }
  }
  if (r.port > 65535) throw bad(`--port ${r.port} is not a TCP port`, 'use a port between 0 and 65535');
  if (r.queueFrames < 1) throw bad('--queue-frames must be at least 1', 'raise it');
  if (r.historyFrames < r.queueFrames) throw bad(`--history-frames (${r.historyFrames}) is smaller than --queue-frames (${r.queueFrames})`, 'raise --history-frames');
  if (r.liveQueueFrames < 1 || r.liveQueueFrames > r.historyFrames + r.queueFrames) {
    throw bad(`--live-queue-frames must be between 1 and --history-frames + --queue-frames (${r.historyFrames + r.queueFrames})`, 'lower it');
  }
  if (r.maxMessageBytes < FACE_FRAME_BYTES) throw bad(`--max-message-bytes must be at least ${FACE_FRAME_BYTES} (one face frame)`, 'raise it');
  if (r.replayPace !== 'original' && r.replayPace !== 'fast') throw bad(`--replay-pace ${String(r.replayPace)} is not original or fast`, 'use original or fast');
  return r;
}
