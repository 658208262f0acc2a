/** Token, Origin and Host checks, static path confinement, limits on messages and bodies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { encodeMessage, PROTOCOL_VERSION } from '../core/protocol.js';
import { BridgeError, publishTrack, subscribe } from '../bridge/client.js';
import { CLOSE } from '../bridge/close-codes.js';
import {
  hostAllowed,
  isLoopbackHost,
  originAllowed,
  presentedToken,
  resolveToken,
  staticPathInside,
  tokenMatches,
} from '../bridge/security.js';
import { resolveBridgeOptions } from '../bridge/options.js';
import { RawPeer, testBridge, testFrame, testFrames, testHeader } from './helpers/bridge.js';

/** A raw HTTP request (no URL normalisation, any Host header). */
function raw(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Opens a WebSocket; resolves with the HTTP status of a refused upgrade, or 101. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => resolve(-1));
  });
}

test('pure guards', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '192.168.1.2', '::', 'example.com']) assert.ok(!isLoopbackHost(h), h);
  assert.deepEqual(resolveToken('127.0.0.1', undefined, undefined), { token: null, generated: false });
  assert.deepEqual(resolveToken('127.0.0.1', 'abc', 'env'), { token: 'abc', generated: false });
  assert.deepEqual(resolveToken('0.0.0.0', undefined, 'env'), { token: 'env', generated: false });
  const g = resolveToken('0.0.0.0', undefined, undefined);
  assert.ok(g.generated && (g.token?.length ?? 0) >= 32, 'another address always gets a token');
  assert.ok(tokenMatches('sekrit', 'sekrit'));
  assert.ok(!tokenMatches('sekrit', 'sekri'));
  assert.ok(!tokenMatches('sekrit', undefined));
  assert.ok(!tokenMatches('sekrit', ''));
  assert.deepEqual(presentedToken({ authorization: 'Bearer t1' }, '/x?token=t2', 1), { token: 't1', fromQuery: false });
  assert.deepEqual(presentedToken({}, '/x?token=t2', 1), { token: 't2', fromQuery: true });
  assert.deepEqual(presentedToken({ cookie: 'a=b; noggin_token_7=t3' }, '/x', 7), { token: 't3', fromQuery: false });
  assert.ok(originAllowed(undefined, '127.0.0.1:1', []));
  assert.ok(originAllowed('http://127.0.0.1:1', '127.0.0.1:1', []));
  assert.ok(!originAllowed('http://evil.example', '127.0.0.1:1', []));
  assert.ok(!originAllowed('null', '127.0.0.1:1', []));
  assert.ok(originAllowed('http://localhost:5173', '127.0.0.1:1', ['http://localhost:5173']));
  assert.ok(hostAllowed('127.0.0.1:8790', []));
  assert.ok(hostAllowed('localhost', []));
  assert.ok(hostAllowed('[::1]:8790', []));
  assert.ok(!hostAllowed('evil.example:8790', []));
  assert.ok(!hostAllowed(undefined, []));
  assert.ok(hostAllowed('studio.lan:8790', ['studio.lan']));
  const root = '/srv/pages';
  assert.equal(staticPathInside(root, '/a/b.js'), '/srv/pages/a/b.js');
  assert.equal(staticPathInside(root, '/a%20b.js'), '/srv/pages/a b.js');
  for (const p of ['/../x', '/a/../../x', '/%2e%2e/x', '/%2E%2E/x', '/..%2fx', '/..%5cx', '/a/%2e%2e%2f%2e%2e/x', '/%00', '/%E0%A4%A', '/.']) {
    assert.equal(staticPathInside(root, p), null, p);
  }
});

test('options: the serve command parses every flag into bridge options', async () => {
  const { Command } = await import('commander');
  const { addServeOptions, bridgeOptionsFromCli, serveCommandOptions, BRIDGE_OPTIONS } = await import('../bridge/options.js');
  assert.equal(serveCommandOptions.length, Object.keys(BRIDGE_OPTIONS).length);
  const cmd = addServeOptions(new Command('serve').exitOverride());
  cmd.parse(['--port', '0', '--allow-origin', 'http://a', '--allow-origin', 'http://b', '--record', '--replay-pace', 'fast', '--live-queue-frames', '8'], { from: 'user' });
  const o = resolveBridgeOptions(bridgeOptionsFromCli(cmd.opts()));
  assert.equal(o.port, 0);
  assert.deepEqual(o.allowOrigin, ['http://a', 'http://b']);
  assert.equal(o.record, true);
  assert.equal(o.replayPace, 'fast');
  assert.equal(o.liveQueueFrames, 8);
  assert.equal(o.queueFrames, 256);
  assert.throws(() => addServeOptions(new Command('serve').exitOverride().configureOutput({ writeErr: () => {} })).parse(['--port', 'x'], { from: 'user' }), /whole number/);
});

test('options: bad values are refused with a usable message', () => {
  assert.throws(() => resolveBridgeOptions({ historyFrames: 4, queueFrames: 8 }), /--history-frames/);
  assert.throws(() => resolveBridgeOptions({ port: 70000 }), /--port/);
  assert.throws(() => resolveBridgeOptions({ queueFrames: -1 }), /--queue-frames/);
  assert.equal(resolveBridgeOptions({}).host, '127.0.0.1');
});

test('token: HTTP and WebSocket requests without it are refused; /health stays open', async () => {
  const { bridge, stop } = await testBridge({ token: 'sekrit-token' });
  try {
    const p = bridge.port;
    assert.equal((await raw(p, '/health')).status, 200);
    const no = await raw(p, '/sessions');
    assert.equal(no.status, 401);
    assert.equal(no.headers['www-authenticate'], 'Bearer realm="noggin"');
    assert.equal((await raw(p, '/sessions', { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await raw(p, '/sessions', { authorization: 'Bearer sekrit-token' })).status, 200);
    const q = await raw(p, '/sessions?token=sekrit-token');
    assert.equal(q.status, 200);
    const cookie = String(q.headers['set-cookie']).split(';')[0];
    assert.match(cookie, new RegExp(`^noggin_token_${p}=`));
    assert.equal((await raw(p, '/sessions', { cookie })).status, 200);
    assert.equal(await upgradeStatus(bridge.wsUrl), 401);
    assert.equal(await upgradeStatus(bridge.wsUrl, { authorization: 'Bearer nope' }), 401);
    assert.equal(await upgradeStatus(`${bridge.wsUrl}?token=sekrit-token`), 101);
    // the client: refused without the token (fatal, no retry), works with it
    await assert.rejects(
      publishTrack(bridge.url, 't', testHeader(3), testFrames(3)),
      (e: unknown) => e instanceof BridgeError && e.code === 401 && e.fatal && /token/.test(e.oneLine()),
    );
    const sub = subscribe(`${bridge.url}?token=sekrit-token`, 't');
    await publishTrack(bridge.url, 't', testHeader(3), testFrames(3), { token: 'sekrit-token' });
    let n = 0;
    for await (const _ of sub) n++;
    assert.equal(n, 3);
  } finally {
    await stop();
  }
});

test('Origin: WebSocket upgrades and API calls from other origins are refused', async () => {
  const { bridge, stop } = await testBridge({ allowOrigin: ['http://localhost:5173'] });
  try {
    const p = bridge.port;
    assert.equal(await upgradeStatus(bridge.wsUrl, { origin: 'http://evil.example' }), 403);
    assert.equal(await upgradeStatus(bridge.wsUrl, { origin: 'null' }), 403);
    assert.equal(await upgradeStatus(bridge.wsUrl, { origin: `http://127.0.0.1:${p}` }), 101);
    assert.equal(await upgradeStatus(bridge.wsUrl, { origin: 'http://localhost:5173' }), 101);
    assert.equal(await upgradeStatus(bridge.wsUrl), 101, 'non-browser clients send no Origin');
    const post = (origin: string) => raw(p, '/api/sessions/s/record', { origin, 'content-type': 'application/json' }, 'POST', '{}');
    assert.equal((await post('http://evil.example')).status, 403);
    assert.equal((await post(`http://127.0.0.1:${p}`)).status, 202);
  } finally {
    await stop();
  }
});

test('Host: a loopback bridge refuses other host names (DNS rebinding)', async () => {
  const { bridge, stop } = await testBridge();
  try {
    const p = bridge.port;
    assert.equal((await raw(p, '/sessions', { host: 'evil.example' })).status, 403);
    assert.equal((await raw(p, '/sessions', { host: `localhost:${p}` })).status, 200);
    assert.equal(await upgradeStatus(bridge.wsUrl, { host: `evil.example:${p}` }), 403);
  } finally {
    await stop();
  }
});

test('static folders: files inside are served, nothing outside can be reached', async () => {
  const base = await mkdtemp(join(tmpdir(), 'noggin-static-'));
  const root = join(base, 'pages');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<h1>pages</h1>');
  await writeFile(join(root, 'sub', 'app.js'), 'console.log(1)');
  await writeFile(join(root, '.env'), 'SECRET=dot');
  await writeFile(join(base, 'secret.txt'), 'TOP-SECRET');
  await symlink(join(base, 'secret.txt'), join(root, 'leak.txt'));
  await symlink(base, join(root, 'up'));
  const { bridge, stop } = await testBridge({ staticRoots: { '/pages': root } });
  try {
    const p = bridge.port;
    const ok = await raw(p, '/pages/sub/app.js');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'console.log(1)');
    assert.match(String(ok.headers['content-type']), /javascript/);
    assert.equal((await raw(p, '/pages/')).body, '<h1>pages</h1>');
    for (const path of [
      '/pages/../secret.txt',
      '/pages/%2e%2e/secret.txt',
      '/pages/..%2fsecret.txt',
      '/pages/..%5csecret.txt',
      '/pages/sub/../../secret.txt',
      '/pages/leak.txt',
      '/pages/up/secret.txt',
      '/pages/.env',
      '/pages/%2eenv',
      '/pages/sub%2f..%2f..%2fsecret.txt',
      '/pages/%00',
      '/pages//etc/passwd',
      '/pages/C:%5cWindows',
    ]) {
      const r = await raw(p, path);
      assert.ok([400, 403, 404].includes(r.status), `${path} -> ${r.status}`);
      assert.ok(!r.body.includes('TOP-SECRET') && !r.body.includes('SECRET=dot') && !r.body.includes('root:'), `${path} leaks`);
    }
    assert.equal((await raw(p, '/pages/sub/app.js', {}, 'POST')).status, 404);
  } finally {
    await stop();
    await rm(base, { recursive: true, force: true });
  }
  await assert.rejects(testBridge({ staticRoots: { '/:x': base } }), /not a plain URL path/);
  await assert.rejects(testBridge({ staticRoots: { '/x': join(base, 'missing') } }), /does not exist/);
});

test('security headers are sent; the server does not advertise itself', async () => {
  const { bridge, stop } = await testBridge();
  try {
    const r = await raw(bridge.port, '/health');
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['x-powered-by'], undefined);
  } finally {
    await stop();
  }
});

test('HTTP bodies: too large is 413, malformed JSON is 400, bad fields are 400; the server goes on', async () => {
  const { bridge, stop } = await testBridge({ maxBodyBytes: 1024 });
  try {
    const p = bridge.port;
    const json = { 'content-type': 'application/json' };
    assert.equal((await raw(p, '/api/sessions/s/replay', json, 'POST', JSON.stringify({ recording: 'x'.repeat(5000) }))).status, 413);
    assert.equal((await raw(p, '/api/sessions/s/replay', { ...json, 'transfer-encoding': 'chunked' }, 'POST', 'x'.repeat(5000))).status, 413);
    assert.equal((await raw(p, '/api/sessions/s/replay', json, 'POST', '{not json')).status, 400);
    assert.equal((await raw(p, '/api/sessions/s/replay', json, 'POST', '{"recording": 5}')).status, 400);
    assert.equal((await raw(p, '/api/sessions/bad%2Fname/record', json, 'POST', '{}')).status, 400);
    const r = await raw(p, '/nothing');
    assert.equal(r.status, 404);
    assert.equal(JSON.parse(r.body).error.component, 'bridge');
    assert.equal((await raw(p, '/health')).status, 200);
  } finally {
    await stop();
  }
});

test('WebSocket: oversized and malformed messages close that connection with a reason; the server goes on', async () => {
  const { bridge, stop } = await testBridge({ helloTimeoutMs: 200 });
  try {
    const cases: { name: string; code: number; run: (p: RawPeer) => void | Promise<void> }[] = [
      { name: 'oversized binary', code: CLOSE.tooBig, run: (p) => p.ws.send(new Uint8Array(2 * 1024 * 1024)) },
      { name: 'oversized text', code: CLOSE.tooBig, run: (p) => p.ws.send('x'.repeat(300 * 1024)) },
      { name: 'not JSON', code: CLOSE.badMessage, run: (p) => p.ws.send('{{{') },
      { name: 'binary before hello', code: CLOSE.badMessage, run: (p) => p.ws.send(encodeMessage('faceFrame', testFrame(0))) },
      { name: 'garbage binary', code: CLOSE.badMessage, run: (p) => p.ws.send(new Uint8Array([1, 2, 3, 4, 5])) },
      { name: 'credit before hello', code: CLOSE.badMessage, run: (p) => p.send('credit', { upTo: 5 }) },
      { name: 'hello without session', code: CLOSE.badMessage, run: (p) => p.ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, payload: { protocol: 1, role: 'producer' } })) },
      { name: 'hello with a path as session', code: CLOSE.badMessage, run: (p) => p.hello('producer', '../../etc') },
      { name: 'hello of another protocol', code: CLOSE.protocolMismatch, run: (p) => p.ws.send(JSON.stringify({ type: 'hello', v: 99, payload: { protocol: 99, role: 'producer', session: 'a' } })) },
      { name: 'hello payload of another protocol', code: CLOSE.protocolMismatch, run: (p) => p.send('hello', { protocol: 2, role: 'producer', session: 'a' }) },
      { name: 'landmarker role', code: CLOSE.badMessage, run: (p) => p.hello('landmarker', 'a') },
      { name: 'silence', code: CLOSE.helloTimeout, run: () => {} },
      {
        name: 'frame before header',
        code: CLOSE.badMessage,
        run: async (p) => {
          p.hello('producer', 'm1');
          await p.next('welcome');
          p.ws.send(encodeMessage('faceFrame', testFrame(0)));
        },
      },
      {
        name: 'frame out of order',
        code: CLOSE.badMessage,
        run: async (p) => {
          p.hello('producer', 'm2', { live: true });
          await p.next('welcome');
          p.send('trackHeader', testHeader(5));
          p.ws.send(encodeMessage('faceFrame', testFrame(3)));
        },
      },
      {
        name: 'NaN in a frame',
        code: CLOSE.badMessage,
        run: async (p) => {
          p.hello('producer', 'm3', { live: true });
          await p.next('welcome');
          p.send('trackHeader', testHeader(5));
          const f = testFrame(0);
          f.face!.landmarks[7] = NaN;
          p.ws.send(encodeMessage('faceFrame', f));
        },
      },
      {
        name: 'bad header',
        code: CLOSE.badMessage,
        run: async (p) => {
          p.hello('producer', 'm4');
          await p.next('welcome');
          p.ws.send(JSON.stringify({ type: 'trackHeader', v: PROTOCOL_VERSION, payload: { format: 'nope' } }));
        },
      },
      {
        name: 'video frame to the bridge',
        code: CLOSE.badMessage,
        run: async (p) => {
          p.hello('producer', 'm5');
          await p.next('welcome');
          p.send('trackHeader', testHeader(5));
          p.ws.send(encodeMessage('videoFrame', { frame: 0, timeMs: 0, width: 1, height: 1, encoding: 'rgba', data: new Uint8Array(4) }));
        },
      },
      {
        name: 'consumer sending frames',
        code: CLOSE.badMessage,
        run: async (p) => {
          p.hello('consumer', 'm6');
          await p.next('welcome');
          p.ws.send(encodeMessage('faceFrame', testFrame(0)));
        },
      },
      {
        name: 'wrong trackEnd count',
        code: CLOSE.badMessage,
        run: async (p) => {
          p.hello('producer', 'm7', { live: true });
          await p.next('welcome');
          p.send('trackHeader', testHeader(5));
          p.send('trackEnd', { end: true, frames: 9, complete: true });
        },
      },
    ];
    for (const c of cases) {
      const p = await RawPeer.connect(bridge.wsUrl);
      await c.run(p);
      const closed = await p.closed;
      assert.equal(closed.code, c.code, `${c.name}: ${closed.reason}`);
      if (c.code !== CLOSE.tooBig) {
        assert.ok(closed.reason.length > 0, `${c.name} has a reason`);
        const err = p.messages.find((m) => m.type === 'error');
        assert.ok(err, `${c.name}: an error message precedes the close`);
      }
    }
    // the server is fine: health, and a normal stream still works
    assert.equal((await fetch(`${bridge.url}/health`)).status, 200);
    const sub = subscribe(bridge.url, 'after');
    await publishTrack(bridge.url, 'after', testHeader(10), testFrames(10));
    let n = 0;
    for await (const _ of sub) n++;
    assert.equal(n, 10);
  } finally {
    await stop();
  }
});

test('a second producer for a busy session and too many sessions are refused', async () => {
  const { bridge, stop } = await testBridge({ maxSessions: 2 });
  try {
    const a = await RawPeer.connect(bridge.wsUrl);
    a.hello('producer', 'one');
    await a.next('welcome');
    const b = await RawPeer.connect(bridge.wsUrl);
    b.hello('producer', 'one');
    assert.equal((await b.closed).code, CLOSE.conflict);
    await assert.rejects(
      publishTrack(bridge.url, 'one', testHeader(1), testFrames(1)),
      (e: unknown) => e instanceof BridgeError && e.code === CLOSE.conflict && e.fatal,
    );
    const c = await RawPeer.connect(bridge.wsUrl);
    c.hello('consumer', 'two');
    await c.next('welcome');
    const d = await RawPeer.connect(bridge.wsUrl);
    d.hello('consumer', 'three');
    assert.equal((await d.closed).code, CLOSE.limit);
  } finally {
    await stop();
  }
});
