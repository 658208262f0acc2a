/**
 * The bridge's sessions by name: creates them for producers and consumers, records them
 * when asked, and removes the ones nobody uses any more.
 */
import { log } from '../core/log.js';
import { CLOSE } from './close-codes.js';
import { recordSession, type Recorder, type RecordingInfo } from './recorder.js';
import { Session, SessionError, type SessionInfo, type SessionLimits } from './session.js';

/** Options of the registry. */
export interface RegistryOptions extends SessionLimits {
  /** Most sessions at once. */
  readonly maxSessions: number;
  /** How long an ended or aborted session stays listed for late consumers (ms). */
  readonly endedSessionTtlMs: number;
  /** How long a session nobody publishes to or reads from is kept (ms). */
  readonly idleSessionTtlMs: number;
  /** Record every session. */
  readonly record: boolean;
  /** Folder for recordings. */
  readonly recordDir: string;
}

/** A session's figures plus its recordings. */
export interface SessionListing extends SessionInfo {
  readonly recordings: readonly RecordingInfo[];
}

/** The sessions of one bridge. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly recorders = new Map<Session, Recorder[]>();
  private readonly sweeper: NodeJS.Timeout;
  private closing = false;

  constructor(readonly options: RegistryOptions) {
    const every = Math.max(50, Math.min(5000, options.endedSessionTtlMs, options.idleSessionTtlMs));
    this.sweeper = setInterval(() => this.sweep(Date.now()), every);
    this.sweeper.unref();
  }

  /** The session called `name`, if any. */
  get(name: string): Session | undefined {
    return this.sessions.get(name);
  }

  /** All sessions. */
  list(): Session[] {
    return [...this.sessions.values()];
  }

  /** Figures of every session, for `GET /sessions`. */
  listing(): SessionListing[] {
    return this.list().map((s) => this.describe(s));
  }

  /** Figures of one session. */
  describe(s: Session): SessionListing {
    return { ...s.info(), recordings: (this.recorders.get(s) ?? []).map((r) => r.info()) };
  }

  private create(name: string): Session {
    if (this.closing) throw new SessionError(CLOSE.goingAway, 'the bridge is shutting down');
    if (this.sessions.size >= this.options.maxSessions) {
      this.sweep(Date.now());
      if (this.sessions.size >= this.options.maxSessions) {
        throw new SessionError(CLOSE.limit, `the bridge has ${this.sessions.size} sessions, the most allowed (--max-sessions)`);
      }
    }
    const s = new Session(name, this.options);
    this.sessions.set(name, s);
    log.debug({ session: name }, 'session created');
    if (this.options.record) this.record(s);
    return s;
  }

  /**
   * The session a producer publishes to: an existing one that has not ended (a producer
   * coming back resumes it), or a new one (replacing an ended one of the same name; its
   * remaining consumers still drain the old one).
   */
  forProducer(name: string): Session {
    const s = this.sessions.get(name);
    if (s && !s.finished) return s;
    if (s) this.remove(s, false);
    return this.create(name);
  }

  /** The session a consumer subscribes to; created (waiting for a producer) when missing. */
  forConsumer(name: string): Session {
    return this.sessions.get(name) ?? this.create(name);
  }

  /** Starts recording `s` from frame 0 (throws SessionError when frame 0 is gone). */
  record(s: Session): Recorder {
    const rec = recordSession(s, this.options.recordDir);
    const list = this.recorders.get(s) ?? [];
    list.push(rec);
    this.recorders.set(s, list);
    return rec;
  }

  /** Recordings of `s` so far. */
  recordingsOf(s: Session): readonly Recorder[] {
    return this.recorders.get(s) ?? [];
  }

  private remove(s: Session, dispose: boolean): void {
    if (this.sessions.get(s.name) === s) this.sessions.delete(s.name);
    if (dispose) {
      s.dispose('session removed');
      this.recorders.delete(s);
    } else {
      void s.settled().then(() => this.recorders.delete(s));
    }
    log.debug({ session: s.name }, 'session removed');
  }

  /** Removes finished sessions older than their TTL and idle waiting sessions. */
  sweep(now: number): void {
    for (const s of this.sessions.values()) {
      const sockets = s.consumersOf('socket').length;
      if (s.finished) {
        if (!s.busy && sockets === 0 && now - (s.endedAt ?? now) >= this.options.endedSessionTtlMs) this.remove(s, true);
      } else if (s.state === 'waiting' && !s.hasProducer && sockets === 0 && now - s.touchedAt >= this.options.idleSessionTtlMs) {
        this.remove(s, true);
      }
    }
  }

  /** Ends every session (see `Session.shutdown`) and waits for their recordings. */
  async shutdown(reason: string): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const all = new Set<Session>([...this.sessions.values(), ...this.recorders.keys()]);
    await Promise.all([...all].map((s) => s.shutdown(reason)));
    for (const s of all) s.dispose(reason);
  }
}
