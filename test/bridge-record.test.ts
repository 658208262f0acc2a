/** Recording sessions to track files, replaying them, and what shutdown leaves on disk. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openTrack } from '../core/track-file.js';
import type { TrackFrame } from '../core/track.js';
import { publishTrack, subscribe } from '../bridge/client.js';
import { CLOSE } from '../bridge/close-codes.js';
import { eventually, RawPeer, testBridge, testFrame, testFrames, testHeader } from './helpers/bridge.js';

async function readAll(path: string, allowIncomplete = false): Promise<TrackFrame[]> {
  const t = await openTrack(path, { allowIncomplete });
  const out: TrackFrame[] = [];
  for await (const f of t.frames) out.push(f);
  return out;
}

function closeTo(a: TrackFrame, b: TrackFrame): boolean {
  if (a.frame !== b.frame || Math.abs(a.timeMs - b.timeMs) > 1e-3) return false;
  if (!a.face || !b.face) return a.face === b.face;
  for (const k of ['landmarks', 'blendshapes', 'matrix'] as const) {
    const x = a.face[k];
    const y = b.face[k];
    if (x.length !== y.length || x.some((v, i) => Math.abs(v - y[i]) > 1e-5)) return false;
  }
  return true;
}

async function trackFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.track.ndjson') && !n.startsWith('.')).map((n) => join(dir, n));
}

test('a complete session is recorded as a complete track, in the format capture writes', async () => {
  const { bridge, dir, stop } = await testBridge({ record: true });
  try {
    await publishTrack(bridge.url, 'rec', testHeader(60), testFrames(60));
    const s = bridge.sessions.get('rec')!;
    await s.settled();
    const [path] = await trackFiles(dir);
    assert.match(path, /rec-\d{8}T\d{6}Z\.track\.ndjson$/);
    const t = await openTrack(path);
    assert.equal(t.header.source.frameCount, 60);
    const frames = await readAll(path);
    assert.equal(frames.length, 60);
    assert.ok(frames.every((f, i) => closeTo(f, testFrame(i))));
    const text = await readFile(path, 'utf8');
    assert.equal(text.trimEnd().split('\n').at(-1), '{"end":true,"frames":60}');
    const list = await (await fetch(`${bridge.url}/api/recordings`)).json();
    assert.deepEqual(list.recordings.map((r: { complete: boolean }) => r.complete), [true]);
  } finally {
    await stop();
  }
});

test('a producer killed mid-stream leaves a recording that says it is incomplete', async () => {
  const { bridge, dir, stop } = await testBridge({ record: true, producerGraceMs: 0 });
  try {
    const sub = subscribe(bridge.url, 'crash');
    const p = await RawPeer.connect(bridge.wsUrl);
    p.hello('producer', 'crash');
    await p.next('welcome');
    p.send('trackHeader', testHeader(100));
    for (let i = 0; i < 40; i++) p.ws.send((await import('../core/protocol.js')).encodeMessage('faceFrame', testFrame(i)));
    await eventually(() => bridge.sessions.get('crash')?.head === 40, 'the bridge to receive 40 frames');
    p.ws.terminate(); // no trackEnd, no close handshake: like a crash
    const s = bridge.sessions.get('crash')!;
    await eventually(() => s.state === 'aborted', 'the session to abort');
    await s.settled();
    const [path] = await trackFiles(dir);
    await assert.rejects(readAll(path), /incomplete/);
    const partial = await readAll(path, true);
    assert.equal(partial.length, 40);
    const list = await (await fetch(`${bridge.url}/api/recordings`)).json();
    assert.deepEqual(list.recordings.map((r: { complete: boolean }) => r.complete), [false]);
    // the consumer gets the 40 frames, then an error saying the stream is incomplete
    const got: TrackFrame[] = [];
    await assert.rejects(
      (async () => {
        for await (const f of sub) got.push(f);
      })(),
      /incomplete after 40 frames/,
    );
    assert.equal(got.length, 40);
    assert.deepEqual(await sub.ended(), { frames: 40, complete: false });
  } finally {
    await stop();
  }
});

test('a producer whose source fails ends the session incomplete and rethrows', async () => {
  const { bridge, dir, stop } = await testBridge({ record: true });
  try {
    function* failing() {
      for (let i = 0; i < 30; i++) yield testFrame(i);
      throw new Error('decoder died');
    }
    await assert.rejects(publishTrack(bridge.url, 'fail', testHeader(100), failing()), /decoder died/);
    const s = bridge.sessions.get('fail')!;
    assert.equal(s.state, 'aborted');
    await s.settled();
    const [path] = await trackFiles(dir);
    assert.equal((await readAll(path, true)).length, 30);
    await assert.rejects(readAll(path), /incomplete/);
  } finally {
    await stop();
  }
});

test('a recording can be replayed as fast as consumers take it (HTTP API)', async () => {
  const { bridge, dir, stop } = await testBridge({ record: true });
  try {
    await publishTrack(bridge.url, 'orig', testHeader(60), testFrames(60));
    await bridge.sessions.get('orig')!.settled();
    const [path] = await trackFiles(dir);
    const name = path.slice(dir.length + 1);
    const sub = subscribe(bridge.url, 'again');
    const res = await fetch(`${bridge.url}/api/sessions/again/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recording: name, pace: 'fast' }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { session: 'again', recording: name, pace: 'fast', live: false });
    const got: TrackFrame[] = [];
    for await (const f of sub) got.push(f);
    assert.equal(got.length, 60);
    assert.ok(got.every((f, i) => closeTo(f, testFrame(i))));
    // the replay was recorded too, completely
    await bridge.sessions.get('again')!.settled();
    const files = await trackFiles(dir);
    assert.equal(files.length, 2);
    for (const f of files) assert.equal((await readAll(f)).length, 60);
  } finally {
    await stop();
  }
});

test('a replay at original pace sends each frame at its time', async () => {
  const { bridge, dir, stop } = await testBridge();
  try {
    const path = join(dir, 'short.track.ndjson');
    const lines = [JSON.stringify(testHeader(20, 100))];
    const { frameToLine } = await import('../core/track.js');
    for (const f of testFrames(20, 100)) lines.push(frameToLine(f));
    lines.push('{"end":true,"frames":20}');
    await writeFile(path, lines.join('\n') + '\n');
    const sub = subscribe(bridge.url, 'paced', { resumeFrom: 0 });
    const started = performance.now();
    const r = await bridge.replay({ path, session: 'paced', pace: 'original' });
    assert.equal(r.session.live, true);
    const got: TrackFrame[] = [];
    for await (const f of sub) got.push(f);
    const elapsed = performance.now() - started;
    assert.deepEqual(await r.done, { frames: 20, complete: true });
    assert.equal(got.length, 20);
    // the last frame is at 190 ms: the replay cannot have finished sooner (timers never fire early by more than 1 ms)
    assert.ok(elapsed >= 185, `took ${elapsed.toFixed(1)} ms`);
  } finally {
    await stop();
  }
});

test('replays only read recordings inside the record folder', async () => {
  const { bridge, dir, stop } = await testBridge();
  try {
    const outside = join(dir, '..', `outside-${process.pid}.track.ndjson`);
    await writeFile(outside, JSON.stringify(testHeader(1)) + '\n{"end":true,"frames":0}\n');
    await symlink(outside, join(dir, 'link.track.ndjson'));
    const post = (recording: string) =>
      fetch(`${bridge.url}/api/sessions/x/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ recording }) });
    assert.equal((await post(`../outside-${process.pid}.track.ndjson`)).status, 400);
    assert.equal((await post('/etc/passwd')).status, 400);
    assert.equal((await post('link.track.ndjson')).status, 403);
    assert.equal((await post('missing.track.ndjson')).status, 404);
    const { rm } = await import('node:fs/promises');
    await rm(outside, { force: true });
  } finally {
    await stop();
  }
});

test('recording on request: from frame 0 while it is held, refused (410) once it is gone', async () => {
  const { bridge, dir, stop } = await testBridge({ queueFrames: 8, historyFrames: 16 });
  try {
    const post = (s: string) => fetch(`${bridge.url}/api/sessions/${s}/record`, { method: 'POST' });
    // before the producer: the recording starts with frame 0
    assert.equal((await post('early')).status, 202);
    await publishTrack(bridge.url, 'early', testHeader(50), testFrames(50));
    await bridge.sessions.get('early')!.settled();
    assert.equal((await readAll((await trackFiles(dir))[0])).length, 50);
    // after frame 0 fell out of the history
    const sub = subscribe(bridge.url, 'gone');
    const all = (async () => {
      let n = 0;
      for await (const _ of sub) n++;
      return n;
    })();
    await publishTrack(bridge.url, 'gone', testHeader(100), testFrames(100));
    assert.equal(await all, 100);
    const res = await post('gone');
    assert.equal(res.status, 410);
    assert.match((await res.json()).error.message, /no longer holds frames 0\.\./);
  } finally {
    await stop();
  }
});

test('shutdown closes peers with a reason and leaves every recording on disk: live ones complete, unfinished file ones incomplete', async () => {
  const { bridge, dir, stop } = await testBridge({ record: true });
  try {
    const enc = (await import('../core/protocol.js')).encodeMessage;
    const live = await RawPeer.connect(bridge.wsUrl);
    live.hello('producer', 'cam', { live: true });
    await live.next('welcome');
    live.send('trackHeader', testHeader(1000));
    const file = await RawPeer.connect(bridge.wsUrl);
    file.hello('producer', 'clip');
    await file.next('welcome');
    file.send('trackHeader', testHeader(1000));
    for (let i = 0; i < 25; i++) {
      live.ws.send(enc('faceFrame', testFrame(i)));
      file.ws.send(enc('faceFrame', testFrame(i)));
    }
    const watcher = await RawPeer.connect(bridge.wsUrl);
    watcher.hello('consumer', 'cam');
    await watcher.next('welcome');
    await eventually(() => bridge.sessions.get('cam')?.head === 25 && bridge.sessions.get('clip')?.head === 25, 'frames to arrive');
    await bridge.close();
    assert.deepEqual(await watcher.closed, { code: CLOSE.goingAway, reason: 'bridge shutting down' });
    assert.equal((await live.closed).code, CLOSE.goingAway);
    assert.equal((await file.closed).code, CLOSE.goingAway);
    const files = await trackFiles(dir);
    const cam = files.find((f) => f.includes('/cam-'))!;
    const clip = files.find((f) => f.includes('/clip-'))!;
    assert.equal((await readAll(cam)).length, 25, 'live recording complete');
    await assert.rejects(readAll(clip), /incomplete/);
    assert.equal((await readAll(clip, true)).length, 25);
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temporary files left');
  } finally {
    await stop();
  }
});
