/**
 * The frames a session holds: a ring buffer of encoded `faceFrame` messages shared by all
 * of the session's consumers (each frame is stored once, whatever the consumer count).
 */

/** A bounded, contiguous window [start, head) of encoded frames. */
export class FrameHistory {
  private readonly slots: (Uint8Array | undefined)[];
  private startIndex = 0;
  private headIndex = 0;

  /** @param capacity most frames held at once (at least 1) */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<Uint8Array | undefined>(capacity);
  }

  /** Index of the oldest frame held (equals `head` when empty). */
  get start(): number {
    return this.startIndex;
  }

  /** Index of the next frame to be pushed (frames produced so far). */
  get head(): number {
    return this.headIndex;
  }

  /** Frames held. */
  get size(): number {
    return this.headIndex - this.startIndex;
  }

  /** True when a push would need an eviction first. */
  get full(): boolean {
    return this.size >= this.capacity;
  }

  /** Bytes held (sum of the stored messages). */
  get bytes(): number {
    let n = 0;
    for (let i = this.startIndex; i < this.headIndex; i++) n += this.slots[i % this.capacity]?.length ?? 0;
    return n;
  }

  /** Appends frame `head`; throws when full (evict first). */
  push(bytes: Uint8Array): void {
    if (this.full) throw new Error('frame history is full');
    this.slots[this.headIndex % this.capacity] = bytes;
    this.headIndex++;
  }

  /** True when frame `index` is held. */
  has(index: number): boolean {
    return index >= this.startIndex && index < this.headIndex;
  }

  /** The encoded frame `index`; throws when it is not held. */
  get(index: number): Uint8Array {
    const b = this.has(index) ? this.slots[index % this.capacity] : undefined;
    if (!b) throw new RangeError(`frame ${index} is not held (holding ${this.startIndex}..${this.headIndex - 1})`);
    return b;
  }

  /** Drops the oldest frame; returns its index. */
  evictOldest(): number {
    if (this.size === 0) throw new Error('frame history is empty');
    this.slots[this.startIndex % this.capacity] = undefined;
    return this.startIndex++;
  }

  /** Drops every frame. */
  clear(): void {
    this.slots.fill(undefined);
    this.startIndex = this.headIndex;
  }
}
