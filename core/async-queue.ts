/** A small unbounded async queue: producers `push`, one consumer iterates; `fail` rejects the consumer. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  private ended = false;
  private error: unknown = null;
  private roomWaiters: { below: number; resolve: () => void }[] = [];

  /** Number of items waiting. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item. */
  push(item: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: item, done: false });
    } else this.items.push(item);
  }

  /** Ends the stream after the items already queued. */
  end(): void {
    this.ended = true;
    if (this.waiter && !this.items.length) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: undefined, done: true });
    }
  }

  /** Makes the consumer throw `e` (after nothing else). */
  fail(e: unknown): void {
    if (this.error) return;
    this.error = e;
    this.ended = true;
    this.items = [];
    this.wakeProducers();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(e);
    }
  }

  /** Resolves once fewer than `below` items wait (for producers that must not run ahead). */
  whenBelow(below: number): Promise<void> {
    if (this.items.length < below || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ below, resolve }));
  }

  private wakeProducers(): void {
    if (!this.roomWaiters.length) return;
    const ready = this.roomWaiters.filter((w) => this.items.length < w.below || this.ended);
    this.roomWaiters = this.roomWaiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Waits for the next item. */
  next(): Promise<IteratorResult<T>> {
    if (this.error) return Promise.reject(this.error);
    if (this.items.length) {
      const value = this.items.shift() as T;
      this.wakeProducers();
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() };
  }
}
