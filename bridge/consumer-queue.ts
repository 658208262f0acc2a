/**
 * Per-consumer flow state and the pure rules of backpressure. A consumer's queue is the
 * window [cursor, head) of its session's shared history: frames produced but not yet sent
 * to it. The bound on that window is what keeps the bridge's memory finite:
 * - file sessions hold the producer back (credit) so that no consumer's queue exceeds
 *   `queueFrames`;
 * - live sessions never wait: a consumer whose queue exceeds `queueFrames` loses its
 *   oldest frames, and the drops are counted.
 */

/** Frames produced but not yet sent to a consumer at `cursor` (never negative). Pure. */
export function queuedFrames(head: number, cursor: number): number {
  return Math.max(0, head - cursor);
}

/**
 * Live rule: moves a lagging cursor forward so at most `queueFrames` frames wait.
 * Returns the new cursor and how many frames were dropped. Pure.
 */
export function liveTrim(head: number, cursor: number, queueFrames: number): { cursor: number; dropped: number } {
  const floor = head - queueFrames;
  return cursor < floor ? { cursor: floor, dropped: floor - cursor } : { cursor, dropped: 0 };
}

/**
 * File rule: the credit to give the producer (it may send frames with index < result).
 * With consumers: the slowest cursor (no further than `head`) plus `queueFrames`, so no
 * consumer ever has more than `queueFrames` frames waiting. Without any: up to a full
 * history, so a consumer that joins later still finds frame 0. Pure.
 * @param cursors cursors of the consumers that hold the producer back
 * @param head frames produced so far
 * @param historyStart index of the oldest frame held
 * @param capacity most frames the history holds
 */
export function fileProducerCredit(
  cursors: readonly number[],
  head: number,
  historyStart: number,
  queueFrames: number,
  capacity: number,
): number {
  if (cursors.length === 0) return historyStart + capacity;
  let min = head;
  for (const c of cursors) if (c < min) min = c;
  return min + queueFrames;
}

/**
 * Whether a changed credit is worth a message to the producer: always when the producer
 * is close to its old credit (it may be waiting), otherwise only in batches. Pure.
 */
export function shouldSendCredit(next: number, lastSent: number, head: number, batch: number): boolean {
  if (next <= lastSent) return false;
  return next - lastSent >= batch || head + batch >= lastSent;
}

/** One consumer's position in its session: what it was sent, what it may be sent, what it lost. */
export class ConsumerQueue {
  /** Next frame index to send. */
  cursor: number;
  /** Frames with index < credit may be sent (granted by the consumer). */
  credit: number;
  /** Frames sent. */
  sent = 0;
  /** Frames skipped because the consumer was too slow (live sessions only). */
  drops = 0;
  /** Largest queue seen (frames), for stats and tests. */
  maxQueued = 0;
  /** True once the end of the stream was sent. */
  endSent = false;
  /** Index after the last frame sent (the first frame to send before anything was sent). */
  sentEnd: number;
  /** A framesDropped notice was sent and the consumer has not granted credit since. */
  noticePending = false;

  /**
   * @param id unique id within the bridge
   * @param start first frame to send
   * @param initialCredit frames the consumer may be sent before it grants credit
   * @param lossless never drop frames (recorders); a lossless consumer that falls out of
   *   the history fails instead
   */
  constructor(
    readonly id: number,
    start: number,
    initialCredit: number,
    readonly lossless: boolean,
  ) {
    this.cursor = start;
    this.sentEnd = start;
    this.credit = start + initialCredit;
  }

  /** Frames waiting for this consumer. */
  queued(head: number): number {
    return queuedFrames(head, this.cursor);
  }

  /** Records the queue length after frames were produced. */
  observe(head: number): void {
    const q = this.queued(head);
    if (q > this.maxQueued) this.maxQueued = q;
  }

  /** Raises the credit (credit never shrinks). */
  grant(upTo: number): void {
    this.noticePending = false;
    if (upTo > this.credit) this.credit = upTo;
  }

  /** Applies the live rule; returns frames dropped. */
  trimLive(head: number, queueFrames: number): number {
    if (this.lossless) return 0;
    const r = liveTrim(head, this.cursor, queueFrames);
    this.skipTo(r.cursor);
    return r.dropped;
  }

  /**
   * Drops the frames before `cursor` (live sessions). The credit moves by the same amount:
   * the consumer granted room for a number of frames, and the skipped ones never used it.
   */
  skipTo(cursor: number): void {
    const n = cursor - this.cursor;
    if (n <= 0) return;
    this.cursor = cursor;
    this.drops += n;
  }

  /**
   * The `framesDropped` notice to send now, if any: when frames were skipped since the
   * last frame sent and the consumer's credit (which counts from the frames it knows of)
   * is used up, it must learn where the stream resumes to grant credit from there. One
   * notice at a time: the next waits for the consumer's next credit.
   */
  dropNotice(): { from: number; to: number; total: number } | null {
    if (this.noticePending || this.cursor <= this.sentEnd || this.cursor < this.credit) return null;
    this.noticePending = true;
    return { from: this.sentEnd, to: this.cursor, total: this.drops };
  }

  /** Records that frame `index` was sent. */
  markSent(index: number): void {
    this.sent++;
    this.sentEnd = index + 1;
  }

  /** True when frame `cursor` exists and the consumer has credit for it. */
  canSend(head: number): boolean {
    return this.cursor < head && this.cursor < this.credit;
  }
}
