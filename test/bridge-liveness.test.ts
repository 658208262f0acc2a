/** Dead peers are detected by ping/pong; SIGTERM shuts the bridge down cleanly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { WebSocketServer } from 'ws';
import { encodeMessage, PROTOCOL_VERSION } from '../core/protocol.js';
import { openTrack } from '../core/track-file.js';
import { subscribe } from '../bridge/client.js';
import { CLOSE } from '../bridge/close-codes.js';
import { eventually, RawPeer, testBridge, testFrame, testHeader } from './helpers/bridge.js';

test('a peer that stops answering pings is dropped; a dead producer leaves an incomplete recording', async () => {
  const { bridge, dir, stop } = await testBridge({ pingIntervalMs: 40, producerGraceMs: 0, record: true });
  try {
    const p = await RawPeer.connect(bridge.wsUrl, {}, { autoPong: false });
    p.hello('producer', 'mute');
    await p.next('welcome');
    p.send('trackHeader', testHeader(10));
    for (let i = 0; i < 5; i++) p.ws.send(encodeMessage('faceFrame', testFrame(i)));
    const healthy = await RawPeer.connect(bridge.wsUrl);
    healthy.hello('consumer', 'mute');
    await healthy.next('welcome');
    // the mute producer keeps its TCP connection open but never pongs
    const closed = await p.closed;
    assert.equal(closed.code, 1006, 'terminated, not closed politely');
    const s = bridge.sessions.get('mute')!;
    await eventually(() => s.state === 'aborted', 'the session to abort');
    await s.settled();
    // the consumer that answers pings (ws does it by itself) got the frames and the end
    const end = await healthy.next('trackEnd');
    assert.deepEqual(end, { end: true, frames: 5, complete: false });
    const file = (await readdir(dir)).find((n) => n.startsWith('mute-'))!;
    await assert.rejects(async () => {
      for await (const _ of (await openTrack(join(dir, file))).frames);
    }, /incomplete/);
  } finally {
    await stop();
  }
});

test('the subscribe client drops a silent bridge connection and reconnects', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  let connections = 0;
  wss.on('connection', (ws) => {
    connections++;
    ws.once('message', () => ws.send(encodeMessage('welcome', { protocol: PROTOCOL_VERSION, session: 's', nextFrame: 0 })));
    // then silence: no frames, no pings
  });
  const port = (wss.address() as { port: number }).port;
  const sub = subscribe(`http://127.0.0.1:${port}`, 's', { deadAfterMs: 60 });
  try {
    await eventually(() => connections >= 3, 'two reconnections');
    assert.ok(sub.stats().reconnects >= 2);
  } finally {
    sub.close();
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  }
});

test('SIGTERM closes peers with a reason and finishes recordings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'noggin-sigterm-'));
  const root = fileURLToPath(new URL('..', import.meta.url));
  const mod = (p: string) => pathToFileURL(join(root, p)).href;
  const script = `
    import { startBridge } from ${JSON.stringify(mod('bridge/server.js'))};
    import { installSignalHandlers } from ${JSON.stringify(mod('system/cleanup.js'))};
    installSignalHandlers((s) => 'noggin: stopped by ' + s);
    const b = await startBridge({ host: '127.0.0.1', port: 0, record: true, recordDir: ${JSON.stringify(dir)} });
    console.log(b.wsUrl);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NOGGIN_LOG_LEVEL: 'silent' } });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', () => reject(new Error('the bridge process exited early')));
    });
    const p = await RawPeer.connect(line);
    p.hello('producer', 'cam', { live: true });
    await p.next('welcome');
    p.send('trackHeader', testHeader(100));
    for (let i = 0; i < 12; i++) p.ws.send(encodeMessage('faceFrame', testFrame(i)));
    const c = await RawPeer.connect(line);
    c.hello('consumer', 'cam', { resumeFrom: 0 });
    c.send('credit', { upTo: 1000 });
    await c.until((ms) => ms.filter((m) => m.type === 'faceFrame').length === 12);
    child.kill('SIGTERM');
    assert.deepEqual(await c.closed, { code: CLOSE.goingAway, reason: 'bridge shutting down' });
    assert.equal((await p.closed).code, CLOSE.goingAway);
    assert.equal(await exited, 143);
    const names = await readdir(dir);
    assert.equal(names.filter((n) => n.endsWith('.tmp')).length, 0);
    const t = await openTrack(join(dir, names.find((n) => n.startsWith('cam-'))!));
    let n = 0;
    for await (const _ of t.frames) n++;
    assert.equal(n, 12, 'a live recording stopped by the operator is complete');
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
