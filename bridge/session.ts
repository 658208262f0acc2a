/**
 * A session: one producer publishing track frames, any number of consumers receiving them
 * in order from the frame they asked for. Transport-free: sockets, recorders and replays
 * plug in through `ProducerLink` and `ConsumerLink`.
 */
import type { MessageMap } from '../core/protocol.js';
import type { TrackHeader } from '../core/track.js';
import { log } from '../core/log.js';
import { CLOSE } from './close-codes.js';
import { ConsumerQueue, fileProducerCredit, shouldSendCredit } from './consumer-queue.js';
import { FrameHistory } from './history.js';

/** Where a session is in its life. */
export type SessionState = MessageMap['sessionStatus']['state'];

/** The end-of-stream message a session sends to its consumers. */
export type TrackEnd = MessageMap['trackEnd'];

/** A refusal the transport turns into a close code and reason. */
export class SessionError extends Error {
  /**
   * @param code WebSocket close code (see `CLOSE`)
   * @param reason one-line reason for the peer
   */
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'SessionError';
  }
}

/** The bridge's side of a producer (a socket or an in-process replay). */
export interface ProducerLink {
  /** What kind of producer this is (for stats). */
  readonly kind: 'socket' | 'replay';
  /** A file producer may now send frames with index < upTo. */
  credit(upTo: number): void;
  /** Ends the producer's connection. */
  close(code: number, reason: string): void;
}

/** The bridge's side of a consumer (a socket or a recorder). */
export interface ConsumerLink {
  /** What kind of consumer this is (for stats). */
  readonly kind: 'socket' | 'recorder';
  /** Called once by the session: `wake()` asks the session to send more when the link can take it. */
  bind(wake: () => void): void;
  /** The stream's header (sent once, before any frame). */
  header(h: TrackHeader): void;
  /** One encoded `faceFrame` message (index `index`). */
  frame(bytes: Uint8Array, index: number): void;
  /** A session state change. */
  status(s: MessageMap['sessionStatus']): void;
  /** Frames were dropped for this consumer (live sessions). */
  dropped(d: MessageMap['framesDropped']): void;
  /** The end of the stream: every frame up to `t.frames` was sent. */
  end(t: TrackEnd): void;
  /** True when the link can take another frame now (its own buffer is below its limit). */
  writable(): boolean;
  /** Ends the consumer's connection. */
  close(code: number, reason: string): void;
}

/** Limits and timings of a session. */
export interface SessionLimits {
  /** Most frames waiting for one consumer (file: producer is held; live: oldest dropped). */
  readonly queueFrames: number;
  /** Most frames waiting for one consumer of a live session before the oldest are dropped (<= historyFrames + queueFrames). */
  readonly liveQueueFrames: number;
  /**
   * Frames a file session keeps for late joiners and resumes (>= queueFrames); it holds at
   * most historyFrames + queueFrames frames. A live session holds liveQueueFrames (plus
   * what a recorder has not written yet).
   */
  readonly historyFrames: number;
  /** Frames a consumer may be sent before it grants credit. */
  readonly initialCreditFrames: number;
  /** How long a session waits for a lost producer to come back before aborting (ms; 0: abort at once). */
  readonly producerGraceMs: number;
  /** Most consumers per session (recorders included). */
  readonly maxConsumers: number;
}

/** One consumer as the session sees it. */
export interface Consumer {
  readonly queue: ConsumerQueue;
  readonly link: ConsumerLink;
  /** Set once the transport has welcomed it; before that nothing is sent. */
  started: boolean;
}

/** A consumer's figures, as `GET /sessions` shows them. */
export interface ConsumerInfo {
  readonly id: number;
  readonly kind: ConsumerLink['kind'];
  /** Next frame index to send. */
  readonly cursor: number;
  /** Frames sent. */
  readonly sent: number;
  /** Frames waiting (produced, not yet sent). */
  readonly queued: number;
  /** Largest queue seen (frames). */
  readonly maxQueued: number;
  /** Frames dropped because the consumer was too slow (live sessions). */
  readonly drops: number;
  /** Frames with index < credit may be sent. */
  readonly credit: number;
}

/** A session's figures, as `GET /sessions` shows them. */
export interface SessionInfo {
  readonly name: string;
  readonly state: SessionState;
  readonly live: boolean;
  /** Producer attached now, and its kind. */
  readonly producer: ProducerLink['kind'] | null;
  /** Source of the header (path, size in px, fps, frame count), once known. */
  readonly source: TrackHeader['source'] | null;
  /** Frames produced so far (index of the next frame). */
  readonly frames: number;
  /** Oldest frame still held. */
  readonly historyStart: number;
  /** Frames held now. */
  readonly held: number;
  /** Largest number of frames held at once. */
  readonly maxHeld: number;
  /** Frames dropped for slow consumers, all consumers together (including ones gone). */
  readonly drops: number;
  /** Credit given to the producer (file sessions). */
  readonly producerCredit: number | null;
  readonly consumers: readonly ConsumerInfo[];
  /** Creation time, ms since the epoch. */
  readonly createdAt: number;
  /** Time it ended or aborted, ms since the epoch. */
  readonly endedAt: number | null;
}

let nextConsumerId = 1;

/** One named stream of track frames. */
export class Session {
  /** Where the session is in its life. */
  state: SessionState = 'waiting';
  /** True for live sessions (set by the producer). */
  live = false;
  /** The stream's header, once the producer sent it. */
  header: TrackHeader | null = null;
  /** Creation time, ms since the epoch. */
  readonly createdAt = Date.now();
  /** Last time a producer or consumer came or went (ms since the epoch). */
  touchedAt = Date.now();
  /** Time the session ended or aborted (ms since the epoch). */
  endedAt: number | null = null;

  private readonly history: FrameHistory;
  private readonly consumers = new Set<Consumer>();
  private producer: ProducerLink | null = null;
  private lastCredit = 0;
  private graceTimer: NodeJS.Timeout | null = null;
  private trailer: TrackEnd | null = null;
  private droppedByGone = 0;
  private maxHeld = 0;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly creditBatch: number;

  /**
   * @param name session name (validated by the caller)
   * @param limits queue, history and timing limits
   * @param onChange called after every state change (registry bookkeeping)
   */
  constructor(
    readonly name: string,
    readonly limits: SessionLimits,
    private readonly onChange: (s: Session) => void = () => {},
  ) {
    if (limits.historyFrames < limits.queueFrames) throw new RangeError('historyFrames must be >= queueFrames');
    if (limits.liveQueueFrames < 1 || limits.liveQueueFrames > limits.historyFrames + limits.queueFrames) {
      throw new RangeError('liveQueueFrames must be between 1 and historyFrames + queueFrames');
    }
    this.history = new FrameHistory(limits.historyFrames + limits.queueFrames);
    this.creditBatch = Math.max(1, Math.floor(limits.queueFrames / 4));
  }

  /** Index of the next frame the producer will send (frames produced so far). */
  get head(): number {
    return this.history.head;
  }

  /** Oldest frame still held. */
  get historyStart(): number {
    return this.history.start;
  }

  /** True once the stream ended or aborted. */
  get finished(): boolean {
    return this.state === 'ended' || this.state === 'aborted';
  }

  /** True while a producer is attached. */
  get hasProducer(): boolean {
    return this.producer !== null;
  }

  /** Consumers attached now. */
  get consumerCount(): number {
    return this.consumers.size;
  }

  /** Attached consumers of one kind. */
  consumersOf(kind: ConsumerLink['kind']): Consumer[] {
    return [...this.consumers].filter((c) => c.link.kind === kind);
  }

  // ---- producer side -------------------------------------------------------------------

  /**
   * Attaches a producer (a new one, or one coming back to a stalled session). Returns the
   * next frame index it must send. Call `startProducer()` once it has been welcomed.
   */
  attachProducer(link: ProducerLink, live: boolean): number {
    if (this.producer) throw new SessionError(CLOSE.conflict, `session ${this.name} already has a producer`);
    if (this.finished) throw new SessionError(CLOSE.conflict, `session ${this.name} has ended; publish to a new session name`);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    if (this.state === 'waiting') this.live = live;
    this.producer = link;
    this.touchedAt = Date.now();
    this.setState('streaming');
    return this.head;
  }

  /** Sends the producer its first credit (file sessions). */
  startProducer(): void {
    this.updateCredit(true);
  }

  /** Sets the header (first producer message). A resumed producer's repeated header is ignored. */
  setHeader(h: TrackHeader): void {
    if (this.header) return;
    this.header = h;
    for (const c of this.consumers) if (c.started) c.link.header(h);
  }

  /** Credit the producer has now (file sessions), or null for live sessions. */
  get producerCredit(): number | null {
    return this.live ? null : this.lastCredit;
  }

  /**
   * Adds frame `index` (which must be `head`), encoded as a `faceFrame` message.
   * Throws SessionError when out of order, beyond credit, or before the header.
   */
  pushFrame(index: number, bytes: Uint8Array): void {
    if (!this.producer || this.state !== 'streaming') throw new SessionError(CLOSE.badMessage, 'frame sent to a session that is not streaming');
    if (!this.header) throw new SessionError(CLOSE.badMessage, 'send trackHeader before the first frame');
    if (index !== this.head) throw new SessionError(CLOSE.badMessage, `frame ${index} out of order (expected ${this.head})`);
    if (!this.live && index >= this.lastCredit) {
      throw new SessionError(CLOSE.badMessage, `frame ${index} sent beyond credit ${this.lastCredit}; wait for credit`);
    }
    if (this.history.full) this.evictOldest();
    this.history.push(bytes);
    if (this.live) this.trimLiveHistory();
    if (this.history.size > this.maxHeld) this.maxHeld = this.history.size;
    const head = this.head;
    for (const c of this.consumers) {
      if (this.live) c.queue.trimLive(head, this.limits.liveQueueFrames);
      c.queue.observe(head);
      if (c.started) this.pump(c);
    }
    this.updateCredit(false);
  }

  /**
   * A live session sends nobody frames older than `liveQueueFrames` behind the newest, so it
   * holds only those (plus what a recorder has not written yet).
   */
  private trimLiveHistory(): void {
    let keepFrom = this.head - this.limits.liveQueueFrames;
    for (const c of this.consumers) if (c.queue.lossless && c.queue.cursor < keepFrom) keepFrom = c.queue.cursor;
    while (this.history.start < keepFrom) this.history.evictOldest();
  }

  private evictOldest(): void {
    const oldest = this.history.start;
    for (const c of this.consumers) {
      if (c.queue.cursor > oldest) continue;
      if (c.queue.lossless) {
        // Only live sessions get here: a recorder this far behind cannot be complete.
        log.error({ session: this.name, consumer: c.queue.id }, 'recorder fell out of the session history');
        this.removeConsumer(c);
        c.link.close(CLOSE.internal, `consumer fell ${this.limits.historyFrames} frames behind`);
      } else {
        c.queue.skipTo(oldest + 1);
      }
    }
    this.history.evictOldest();
  }

  /** The producer finished (`complete`) or gave up (`!complete`). Consumers get the end after their last frame. */
  endStream(complete: boolean): void {
    if (this.finished) return;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.producer = null;
    this.trailer = { end: true, frames: this.head, complete };
    this.endedAt = Date.now();
    this.setState(complete ? 'ended' : 'aborted');
    for (const c of this.consumers) if (c.started) this.pump(c);
  }

  /**
   * The producer's connection went away without an end. The session waits
   * `producerGraceMs` for it to come back, then aborts (recordings are left incomplete).
   */
  producerLost(link: ProducerLink): void {
    if (this.producer !== link) return;
    this.producer = null;
    this.touchedAt = Date.now();
    if (this.finished) return;
    if (this.limits.producerGraceMs <= 0) {
      this.endStream(false);
      return;
    }
    this.setState('stalled');
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      log.warn({ session: this.name, frames: this.head }, 'producer did not come back; session aborted');
      this.endStream(false);
    }, this.limits.producerGraceMs);
    this.graceTimer.unref();
  }

  private updateCredit(force: boolean): void {
    if (this.live || !this.producer || this.finished) return;
    const cursors: number[] = [];
    for (const c of this.consumers) cursors.push(c.queue.cursor);
    const next = fileProducerCredit(cursors, this.head, this.history.start, this.limits.queueFrames, this.history.capacity);
    if (force || shouldSendCredit(next, this.lastCredit, this.head, this.creditBatch)) {
      this.lastCredit = Math.max(next, this.lastCredit);
      this.producer.credit(this.lastCredit);
    }
  }

  // ---- consumer side -------------------------------------------------------------------

  /**
   * Adds a consumer starting at `resumeFrom` (default: 0 for file sessions, the newest
   * frame for live ones). Returns it with its first frame index in `queue.cursor`; call
   * `startConsumer()` once it has been welcomed. Throws SessionError when the frames it
   * wants are gone or the session is full.
   */
  addConsumer(link: ConsumerLink, resumeFrom: number | undefined, opts: { lossless?: boolean } = {}): Consumer {
    if (this.consumers.size >= this.limits.maxConsumers) {
      throw new SessionError(CLOSE.limit, `session ${this.name} has ${this.consumers.size} consumers, the most allowed`);
    }
    const lossless = opts.lossless ?? false;
    const head = this.head;
    let start = resumeFrom ?? (this.live && !lossless ? head : 0);
    let drops = 0;
    const floor = this.joinFloor();
    if (start < floor) {
      if (this.live && !lossless) {
        drops = floor - start;
        start = floor;
      } else {
        throw new SessionError(
          CLOSE.gone,
          `session ${this.name} no longer holds frames ${start}..${floor - 1} (it keeps the last ${this.limits.historyFrames})`,
        );
      }
    }
    const queue = new ConsumerQueue(nextConsumerId++, start, this.limits.initialCreditFrames, lossless);
    if (lossless) queue.grant(Number.MAX_SAFE_INTEGER);
    queue.drops = drops;
    if (this.live) queue.trimLive(head, this.limits.liveQueueFrames);
    const c: Consumer = { queue, link, started: false };
    this.consumers.add(c);
    this.touchedAt = Date.now();
    link.bind(() => {
      if (this.consumers.has(c)) this.pump(c);
    });
    return c;
  }

  /**
   * Oldest frame a new consumer can start from and be sure to get every frame: held now
   * and, in a file session, not about to be evicted by frames the producer already has
   * credit for.
   */
  joinFloor(): number {
    if (this.live) return this.history.start;
    return Math.max(this.history.start, this.lastCredit - this.history.capacity);
  }

  /** Sends a welcomed consumer the session state, the header and whatever frames it may take. */
  startConsumer(c: Consumer): void {
    if (!this.consumers.has(c) || c.started) return;
    c.started = true;
    c.link.status(this.status());
    if (this.header) c.link.header(this.header);
    this.pump(c);
    this.updateCredit(false);
  }

  /** Raises a consumer's credit (frames with index < upTo may be sent) and sends what it can. */
  grant(c: Consumer, upTo: number): void {
    c.queue.grant(upTo);
    if (c.started) this.pump(c);
  }

  /** Removes a consumer (its connection closed). */
  removeConsumer(c: Consumer): void {
    if (!this.consumers.delete(c)) return;
    this.droppedByGone += c.queue.drops;
    this.touchedAt = Date.now();
    this.updateCredit(false);
    this.onChange(this);
  }

  /** Sends consumer `c` every frame it has credit for and its link can take; then the end, if reached. */
  pump(c: Consumer): void {
    const q = c.queue;
    const head = this.head;
    let sent = false;
    while (q.canSend(head) && c.link.writable()) {
      if (!this.history.has(q.cursor)) {
        // Only for live consumers: frames evicted meanwhile count as drops.
        q.skipTo(this.history.start);
        continue;
      }
      c.link.frame(this.history.get(q.cursor), q.cursor);
      q.markSent(q.cursor);
      q.cursor++;
      sent = true;
    }
    if (this.live && !q.endSent) {
      const notice = q.dropNotice();
      if (notice) c.link.dropped(notice);
    }
    if (this.trailer && !q.endSent && q.cursor >= this.trailer.frames) {
      q.endSent = true;
      c.link.end(this.trailer);
    }
    if (sent && !this.live) this.updateCredit(false);
  }

  // ---- bookkeeping ----------------------------------------------------------------------

  /** Registers work (a recording being finished) that `settled()` waits for. */
  track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => {});
  }

  /** True while tracked work (a recording being written) is unfinished. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Resolves once every tracked piece of work (recordings) has finished. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** The `sessionStatus` message for the current state. */
  status(): MessageMap['sessionStatus'] {
    return { session: this.name, state: this.state, live: this.live, nextFrame: this.head };
  }

  private setState(s: SessionState): void {
    this.state = s;
    const msg = this.status();
    for (const c of this.consumers) if (c.started) c.link.status(msg);
    this.onChange(this);
  }

  /**
   * Shuts the session down with the bridge: a live stream ends (its recording gets its
   * trailer: an operator stopping a live session is its normal end); a file stream that
   * had not finished aborts (its recording is left incomplete). Peers are closed with
   * 1001 and the returned promise waits for recordings.
   */
  async shutdown(reason: string): Promise<void> {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    const producer = this.producer;
    this.producer = null;
    producer?.close(CLOSE.goingAway, reason);
    for (const c of [...this.consumers]) {
      if (c.link.kind === 'socket') {
        this.consumers.delete(c);
        c.link.close(CLOSE.goingAway, reason);
      }
    }
    // what is left are recorders: they get the end after their last frame
    if (!this.finished) this.endStream(this.live && this.header !== null);
    await this.settled();
  }

  /** Drops the held frames and closes every consumer (the session is being removed). */
  dispose(reason: string): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    for (const c of [...this.consumers]) {
      this.consumers.delete(c);
      c.link.close(CLOSE.goingAway, reason);
    }
    this.history.clear();
  }

  /** Figures for `GET /sessions`. */
  info(): SessionInfo {
    const head = this.head;
    let drops = this.droppedByGone;
    const consumers: ConsumerInfo[] = [];
    for (const c of this.consumers) {
      const q = c.queue;
      drops += q.drops;
      consumers.push({
        id: q.id,
        kind: c.link.kind,
        cursor: q.cursor,
        sent: q.sent,
        queued: q.queued(head),
        maxQueued: q.maxQueued,
        drops: q.drops,
        credit: Math.min(q.credit, Number.MAX_SAFE_INTEGER),
      });
    }
    return {
      name: this.name,
      state: this.state,
      live: this.live,
      producer: this.producer?.kind ?? null,
      source: this.header?.source ?? null,
      frames: head,
      historyStart: this.history.start,
      held: this.history.size,
      maxHeld: this.maxHeld,
      drops,
      producerCredit: this.producerCredit,
      consumers,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
    };
  }
}
