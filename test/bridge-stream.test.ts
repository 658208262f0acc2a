/** Producers and consumers over real sockets: fan-out, late join, resume, reconnect, backpressure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { publishTrack, subscribe } from '../bridge/client.js';
import type { TrackFrame } from '../core/track.js';
import { eventually, RawPeer, sameFrame, tcpProxy, testBridge, testFrame, testFrames, testHeader } from './helpers/bridge.js';

function assertExactlyOnce(frames: readonly TrackFrame[], n: number, from = 0): void {
  assert.equal(frames.length, n - from, 'frame count');
  for (let i = 0; i < frames.length; i++) {
    assert.equal(frames[i].frame, from + i, 'in order, none lost, none duplicated');
  }
  for (const i of [0, Math.floor(frames.length / 2), frames.length - 1]) assert.ok(sameFrame(frames[i], testFrame(from + i)), `frame ${from + i} content`);
}

async function collect(it: AsyncIterable<TrackFrame>, each?: (f: TrackFrame) => void): Promise<TrackFrame[]> {
  const out: TrackFrame[] = [];
  for await (const f of it) {
    out.push(f);
    each?.(f);
  }
  return out;
}

test('one producer, three consumers: every frame to each, once, in order', async () => {
  const { bridge, stop } = await testBridge();
  try {
    const subs = [0, 1, 2].map(() => subscribe(bridge.url, 'fan'));
    const got = subs.map((s) => collect(s));
    const r = await publishTrack(bridge.url, 'fan', testHeader(150), testFrames(150));
    assert.equal(r.frames, 150);
    for (const g of await Promise.all(got)) assertExactlyOnce(g, 150);
    assert.equal((await subs[0].header()).source.frameCount, 150);
    assert.deepEqual(await subs[1].ended(), { frames: 150, complete: true });
    const info = bridge.sessions.get('fan')!.info();
    assert.equal(info.state, 'ended');
    assert.equal(info.frames, 150);
    assert.equal(info.drops, 0);
  } finally {
    await stop();
  }
});

test('a consumer that joins after the end still gets every frame from 0', async () => {
  const { bridge, stop } = await testBridge();
  try {
    await publishTrack(bridge.url, 'late', testHeader(200), testFrames(200));
    assertExactlyOnce(await collect(subscribe(bridge.url, 'late')), 200);
    assertExactlyOnce(await collect(subscribe(bridge.url, 'late', { resumeFrom: 150 })), 200, 150);
  } finally {
    await stop();
  }
});

test('a consumer killed mid-stream resumes from frame N and gets every frame exactly once', async () => {
  const { bridge, stop } = await testBridge({ queueFrames: 16, historyFrames: 64, initialCreditFrames: 8 });
  try {
    const first = await RawPeer.connect(bridge.wsUrl);
    first.hello('consumer', 'kill');
    const pub = publishTrack(bridge.url, 'kill', testHeader(500), testFrames(500));
    // grant credit as frames arrive, like a real consumer; kill the socket after 100 frames
    let granted = 0;
    await first.until((ms) => {
      const n = ms.filter((m) => m.type === 'faceFrame').length;
      if (n >= 100) return true;
      if (n + 16 > granted) {
        granted = n + 16;
        first.send('credit', { upTo: granted });
      }
      return false;
    });
    first.ws.terminate();
    const before = first.frames();
    assert.ok(before.length >= 100);
    const resumeFrom = before.at(-1)!.frame + 1;
    const after = await collect(subscribe(bridge.url, 'kill', { resumeFrom, window: 16 }));
    await pub;
    assertExactlyOnce([...before, ...after], 500);
  } finally {
    await stop();
  }
});

test('the subscribe client reconnects by itself after its connection is cut, without losing or repeating frames', async () => {
  const { bridge, stop } = await testBridge({ queueFrames: 16, historyFrames: 64 });
  const proxy = await tcpProxy(bridge.port);
  try {
    const sub = subscribe(`http://127.0.0.1:${proxy.port}`, 'cut', { window: 16 });
    const pub = publishTrack(bridge.url, 'cut', testHeader(400), testFrames(400));
    let cuts = 0;
    const got = await collect(sub, (f) => {
      if (f.frame === 100 || f.frame === 290) cuts += proxy.cut() > 0 ? 1 : 0;
    });
    await pub;
    assert.equal(cuts, 2);
    assertExactlyOnce(got, 400);
    assert.ok(sub.stats().reconnects >= 2);
  } finally {
    await proxy.close();
    await stop();
  }
});

test('a producer whose connection is cut reconnects within the grace and resends what was lost', async () => {
  const { bridge, stop } = await testBridge({ producerGraceMs: 20_000, record: true });
  const proxy = await tcpProxy(bridge.port);
  try {
    const sub = subscribe(bridge.url, 'pcut');
    const got = collect(sub);
    let cut = false;
    const r = await publishTrack(`http://127.0.0.1:${proxy.port}`, 'pcut', testHeader(300), testFrames(300), {
      onProgress: (n) => {
        if (n === 120 && !cut) cut = proxy.cut() > 0;
      },
    });
    assert.ok(cut);
    assert.ok(r.reconnects >= 1);
    assertExactlyOnce(await got, 300);
    const s = bridge.sessions.get('pcut')!;
    await s.settled();
    const rec = bridge.sessions.recordingsOf(s)[0];
    assert.deepEqual(await rec.done.then((d) => [d.frames, d.complete]), [300, true]);
  } finally {
    await proxy.close();
    await stop();
  }
});

test('file session: a consumer that stops taking frames holds the producer; queues stay bounded', async () => {
  const { bridge, stop } = await testBridge({ queueFrames: 32, historyFrames: 64, initialCreditFrames: 8 });
  try {
    const c = await RawPeer.connect(bridge.wsUrl);
    c.hello('consumer', 'slow');
    await c.next('welcome');
    let finished = false;
    const pub = publishTrack(bridge.url, 'slow', testHeader(600), testFrames(600)).then((r) => {
      finished = true;
      return r;
    });
    const s = () => bridge.sessions.get('slow')!.info();
    await eventually(() => s().frames === 8 + 32, 'the producer to reach its credit');
    await c.until((ms) => ms.filter((m) => m.type === 'faceFrame').length === 8);
    // the producer cannot send more: the bridge would refuse a frame beyond credit
    assert.equal(s().producerCredit, 40);
    assert.equal(s().consumers[0].queued, 32);
    assert.equal(finished, false);
    c.send('credit', { upTo: 1_000_000 });
    const r = await pub;
    assert.equal(r.frames, 600);
    await c.next('trackEnd');
    assertExactlyOnce(c.frames(), 600);
    const info = s();
    assert.ok(info.maxHeld <= 64 + 32, `held at most history + queue (${info.maxHeld})`);
    assert.equal(info.drops, 0);
  } finally {
    await stop();
  }
});

test('live session: a stuck consumer loses its oldest frames (counted); the producer never waits', async () => {
  const { bridge, stop } = await testBridge({ liveQueueFrames: 16, initialCreditFrames: 8 });
  try {
    const c = await RawPeer.connect(bridge.wsUrl);
    c.hello('consumer', 'cam', { resumeFrom: 0 });
    await c.next('welcome');
    const quick = subscribe(bridge.url, 'cam', { resumeFrom: 0 });
    const quickFrames = collect(quick);
    const r = await publishTrack(bridge.url, 'cam', testHeader(1000), testFrames(1000), { live: true });
    assert.equal(r.frames, 1000);
    await c.until((ms) => ms.filter((m) => m.type === 'faceFrame').length === 8);
    const info = bridge.sessions.get('cam')!.info();
    const stuck = info.consumers.find((x) => x.sent === 8)!;
    assert.equal(stuck.queued, 16);
    assert.equal(stuck.drops, 1000 - 8 - 16);
    assert.ok(stuck.maxQueued <= 16);
    c.send('credit', { upTo: 1_000_000 });
    await c.next('trackEnd');
    const got = c.frames().map((f) => f.frame);
    assert.equal(got.length, 24);
    assert.deepEqual(got, [...[0, 1, 2, 3, 4, 5, 6, 7], ...Array.from({ length: 16 }, (_, i) => 984 + i)]);
    // the consumer that kept up lost nothing (it grants credit as it reads)
    const q = await quickFrames;
    assert.equal(q.length + quick.stats().skipped, 1000);
    assert.ok(q.every((f, i) => i === 0 || f.frame > q[i - 1].frame));
  } finally {
    await stop();
  }
});
