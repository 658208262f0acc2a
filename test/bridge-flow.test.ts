/** Backpressure and session rules, without sockets: fake links drive a Session directly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, type MessageMap } from '../core/protocol.js';
import { FrameHistory } from '../bridge/history.js';
import { fileProducerCredit, liveTrim, queuedFrames, shouldSendCredit } from '../bridge/consumer-queue.js';
import { Session, SessionError, type ConsumerLink, type ProducerLink, type SessionLimits } from '../bridge/session.js';
import { CLOSE } from '../bridge/close-codes.js';
import { testFrame, testHeader } from './helpers/bridge.js';

const LIMITS: SessionLimits = { queueFrames: 8, liveQueueFrames: 8, historyFrames: 16, initialCreditFrames: 4, producerGraceMs: 0, maxConsumers: 4 };

class FakeProducer implements ProducerLink {
  readonly kind = 'socket' as const;
  credits: number[] = [];
  closedWith: number | null = null;
  credit(upTo: number): void {
    this.credits.push(upTo);
  }
  get last(): number {
    return this.credits.at(-1) ?? 0;
  }
  close(code: number): void {
    this.closedWith = code;
  }
}

class FakeConsumer implements ConsumerLink {
  readonly kind = 'socket' as const;
  frames: number[] = [];
  statuses: MessageMap['sessionStatus'][] = [];
  headers = 0;
  ended: MessageMap['trackEnd'] | null = null;
  open = true;
  wake: () => void = () => {};
  bind(w: () => void): void {
    this.wake = w;
  }
  header(): void {
    this.headers++;
  }
  frame(_b: Uint8Array, i: number): void {
    this.frames.push(i);
  }
  status(s: MessageMap['sessionStatus']): void {
    this.statuses.push(s);
  }
  drops: MessageMap['framesDropped'][] = [];
  dropped(d: MessageMap['framesDropped']): void {
    this.drops.push(d);
  }
  end(t: MessageMap['trackEnd']): void {
    this.ended = t;
  }
  writable(): boolean {
    return this.open;
  }
  close(): void {}
}

const bytes = (i: number) => encodeMessage('faceFrame', testFrame(i));

function startFile(limits = LIMITS, live = false, before?: (s: Session) => void): { s: Session; p: FakeProducer } {
  const s = new Session('t', limits);
  before?.(s);
  const p = new FakeProducer();
  assert.equal(s.attachProducer(p, live), 0);
  s.setHeader(testHeader(1000));
  s.startProducer();
  return { s, p };
}

/** Pushes frames while the producer has credit; returns how many it pushed. */
function pushWhileCredit(s: Session, p: FakeProducer, max: number): number {
  let n = 0;
  while (n < max && s.head < p.last) {
    s.pushFrame(s.head, bytes(s.head));
    n++;
  }
  return n;
}

test('FrameHistory keeps a contiguous window', () => {
  const h = new FrameHistory(3);
  for (let i = 0; i < 3; i++) h.push(bytes(i));
  assert.equal(h.full, true);
  assert.throws(() => h.push(bytes(3)));
  assert.equal(h.evictOldest(), 0);
  h.push(bytes(3));
  assert.deepEqual([h.start, h.head, h.size], [1, 4, 3]);
  assert.equal(h.has(0), false);
  assert.throws(() => h.get(0), RangeError);
  assert.equal(h.get(3).length, bytes(3).length);
});

test('pure backpressure rules', () => {
  assert.equal(queuedFrames(10, 4), 6);
  assert.equal(queuedFrames(3, 9), 0);
  assert.deepEqual(liveTrim(100, 10, 8), { cursor: 92, dropped: 82 });
  assert.deepEqual(liveTrim(100, 95, 8), { cursor: 95, dropped: 0 });
  assert.equal(fileProducerCredit([], 0, 0, 8, 24), 24, 'no consumer: fill the history');
  assert.equal(fileProducerCredit([5, 3, 9], 10, 0, 8, 24), 11, 'slowest consumer + queue');
  assert.equal(fileProducerCredit([50], 10, 0, 8, 24), 18, 'a consumer waiting ahead does not let the producer run away');
  assert.equal(shouldSendCredit(10, 10, 0, 2), false);
  assert.equal(shouldSendCredit(11, 10, 9, 2), true, 'producer near its credit: send');
  assert.equal(shouldSendCredit(11, 10, 0, 2), false, 'producer far from its credit: batch');
  assert.equal(shouldSendCredit(12, 10, 0, 2), true);
});

test('file session: a stuck consumer holds the producer at cursor + queueFrames', () => {
  const c = new FakeConsumer();
  let cons!: ReturnType<Session['addConsumer']>;
  const { s, p } = startFile(LIMITS, false, (s) => {
    cons = s.addConsumer(c, undefined);
    s.startConsumer(cons);
  });
  pushWhileCredit(s, p, 1000);
  // consumer got its initial credit (4 frames) and nothing more
  assert.deepEqual(c.frames, [0, 1, 2, 3]);
  assert.equal(s.head, 4 + LIMITS.queueFrames);
  assert.equal(p.last, s.head, 'producer has no more credit');
  assert.throws(() => s.pushFrame(s.head, bytes(s.head)), (e: unknown) => e instanceof SessionError && e.code === CLOSE.badMessage);
  // the consumer takes everything, slowly; the queue never exceeds the bound
  for (let round = 0; round < 50; round++) {
    s.grant(cons, cons.queue.cursor + 3);
    pushWhileCredit(s, p, 1000);
    assert.ok(cons.queue.queued(s.head) <= LIMITS.queueFrames);
  }
  assert.ok(cons.queue.maxQueued <= LIMITS.queueFrames);
  assert.deepEqual(c.frames, [...Array(c.frames.length).keys()], 'every frame once, in order');
  assert.equal(s.info().maxHeld <= LIMITS.historyFrames + LIMITS.queueFrames, true);
  assert.equal(s.info().drops, 0);
});

test('file session: a consumer whose socket is full is not sent more until it drains', () => {
  const c = new FakeConsumer();
  let cons!: ReturnType<Session['addConsumer']>;
  const { s, p } = startFile(LIMITS, false, (s) => {
    cons = s.addConsumer(c, undefined);
    s.startConsumer(cons);
  });
  s.grant(cons, 1000);
  c.open = false;
  pushWhileCredit(s, p, 1000);
  assert.equal(c.frames.length, 0);
  assert.equal(s.head, LIMITS.queueFrames);
  c.open = true;
  c.wake();
  assert.equal(c.frames.length, LIMITS.queueFrames);
});

test('file session without consumers buffers one history, then waits; a late consumer gets frame 0', () => {
  const { s, p } = startFile();
  pushWhileCredit(s, p, 1000);
  assert.equal(s.head, LIMITS.historyFrames + LIMITS.queueFrames);
  const c = new FakeConsumer();
  const cons = s.addConsumer(c, undefined);
  assert.equal(cons.queue.cursor, 0);
  s.startConsumer(cons);
  for (let i = 0; i < 100; i++) {
    s.grant(cons, cons.queue.cursor + 5);
    pushWhileCredit(s, p, 1000);
  }
  assert.deepEqual(c.frames, [...Array(c.frames.length).keys()]);
  assert.ok(c.frames.length > 100);
});

test('file session: frames no longer held are refused (410), not silently skipped', () => {
  const { s, p } = startFile();
  const fast = new FakeConsumer();
  const fc = s.addConsumer(fast, undefined);
  s.startConsumer(fc);
  for (let i = 0; i < 40; i++) {
    s.grant(fc, fc.queue.cursor + 10);
    pushWhileCredit(s, p, 1000);
  }
  assert.ok(s.historyStart > 0);
  assert.throws(
    () => s.addConsumer(new FakeConsumer(), 0),
    (e: unknown) => e instanceof SessionError && e.code === CLOSE.gone,
  );
  const floor = s.joinFloor();
  const late = new FakeConsumer();
  const lc = s.addConsumer(late, floor);
  s.startConsumer(lc);
  for (let i = 0; i < 60; i++) {
    s.grant(fc, fc.queue.cursor + 10);
    s.grant(lc, lc.queue.cursor + 10);
    pushWhileCredit(s, p, 1000);
  }
  assert.deepEqual(late.frames, [...Array(late.frames.length).keys()].map((k) => k + floor), 'late joiner: no gap');
});

test('live session: a stuck consumer loses its oldest frames, counted exactly; the producer never waits', () => {
  const { s } = startFile(LIMITS, true);
  const slow = new FakeConsumer();
  const sc = s.addConsumer(slow, 0);
  s.startConsumer(sc);
  const quick = new FakeConsumer();
  const qc = s.addConsumer(quick, 0);
  s.startConsumer(qc);
  s.grant(qc, 1e9);
  for (let i = 0; i < 500; i++) s.pushFrame(i, bytes(i));
  assert.equal(quick.frames.length, 500, 'a consumer that keeps up loses nothing');
  assert.equal(qc.queue.drops, 0);
  assert.deepEqual(slow.frames, [0, 1, 2, 3]);
  assert.equal(slow.drops.length, 1, 'one framesDropped notice until the consumer grants credit again');
  assert.equal(slow.drops[0].from, 4);
  assert.equal(sc.queue.queued(s.head), LIMITS.queueFrames);
  assert.ok(sc.queue.maxQueued <= LIMITS.queueFrames);
  s.grant(sc, 1e9);
  assert.equal(slow.frames.length, 4 + LIMITS.queueFrames);
  assert.equal(sc.queue.drops, 500 - slow.frames.length);
  assert.equal(s.info().drops, 500 - slow.frames.length);
  assert.ok(slow.frames.every((f, i) => i === 0 || f > slow.frames[i - 1]), 'still in order');
  assert.ok(s.info().held <= LIMITS.historyFrames + LIMITS.queueFrames);
});

test('live session: a new consumer starts at the newest frame', () => {
  const { s } = startFile(LIMITS, true);
  for (let i = 0; i < 30; i++) s.pushFrame(i, bytes(i));
  const c = new FakeConsumer();
  const cons = s.addConsumer(c, undefined);
  assert.equal(cons.queue.cursor, 30);
});

test('producer lost: grace 0 aborts at once and consumers get an incomplete end after their frames', () => {
  const { s, p } = startFile();
  const c = new FakeConsumer();
  const cons = s.addConsumer(c, undefined);
  s.startConsumer(cons);
  pushWhileCredit(s, p, 10);
  s.producerLost(p);
  assert.equal(s.state, 'aborted');
  assert.equal(c.ended, null, 'not before its remaining frames');
  s.grant(cons, 100);
  assert.deepEqual(c.ended, { end: true, frames: 10, complete: false });
  assert.deepEqual(c.frames, [...Array(10).keys()]);
});

test('producer lost: within the grace a producer resumes from the next frame', async () => {
  const { s, p } = startFile({ ...LIMITS, producerGraceMs: 60_000 });
  const c = new FakeConsumer();
  const cons = s.addConsumer(c, undefined);
  s.startConsumer(cons);
  s.grant(cons, 1e9);
  pushWhileCredit(s, p, 6);
  s.producerLost(p);
  assert.equal(s.state, 'stalled');
  assert.equal(c.statuses.at(-1)?.state, 'stalled');
  const p2 = new FakeProducer();
  assert.equal(s.attachProducer(p2, false), 6);
  s.startProducer();
  assert.ok(p2.last > 6);
  assert.throws(() => s.attachProducer(new FakeProducer(), false), (e: unknown) => e instanceof SessionError && e.code === CLOSE.conflict);
  pushWhileCredit(s, p2, 10);
  s.endStream(true);
  assert.deepEqual(c.frames, [...Array(16).keys()]);
  assert.deepEqual(c.ended, { end: true, frames: 16, complete: true });
  assert.equal(s.state, 'ended');
});

test('consumer limit and frame order are enforced', () => {
  const { s, p } = startFile();
  for (let i = 0; i < LIMITS.maxConsumers; i++) s.addConsumer(new FakeConsumer(), 0);
  assert.throws(() => s.addConsumer(new FakeConsumer(), 0), (e: unknown) => e instanceof SessionError && e.code === CLOSE.limit);
  assert.ok(p.last > 2);
  assert.throws(() => s.pushFrame(1, bytes(1)), /out of order/);
  const fresh = new Session('h', LIMITS);
  fresh.attachProducer(new FakeProducer(), true);
  assert.throws(() => fresh.pushFrame(0, bytes(0)), /trackHeader/);
});
