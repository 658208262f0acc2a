/** The protocol module as the bridge uses it: every message round-trips; malformed input is refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BINARY_MESSAGES,
  CONTROL_MESSAGES,
  decodeMessage,
  encodeMessage,
  FACE_FRAME_BYTES,
  FACE_FRAME_HEADER_BYTES,
  MAX_CONTROL_BYTES,
  PROTOCOL_VERSION,
  ProtocolError,
  type MessageMap,
  type MessageName,
} from '../core/protocol.js';
import type { TrackFrame } from '../core/track.js';
import { checkCredit, checkHello, checkTrackEnd, checkTrackHeader, isSessionName } from '../bridge/messages.js';
import { closeReason, MAX_CLOSE_REASON_BYTES } from '../bridge/close-codes.js';
import { sameFrame, testFrame, testHeader } from './helpers/bridge.js';

const rgba = new Uint8Array(4 * 3 * 2).map((_, i) => (i * 37) & 255);

/**
 * One sample per message; the type makes a missing message a compile error, and the first
 * test fails at run time: a new message in core/protocol.ts needs a sample here.
 */
const SAMPLES: { [K in MessageName]: MessageMap[K][] } = {
  hello: [
    { protocol: PROTOCOL_VERSION, role: 'producer', session: 'talk-1', live: true },
    { protocol: PROTOCOL_VERSION, role: 'consumer', session: 'talk-1', resumeFrom: 42 },
  ],
  welcome: [{ protocol: PROTOCOL_VERSION, session: 'talk-1', nextFrame: 7 }, { protocol: PROTOCOL_VERSION }],
  trackHeader: [testHeader(10)],
  trackEnd: [
    { end: true, frames: 10, complete: true },
    { end: true, frames: 3, complete: false },
  ],
  error: [{ component: 'bridge', message: 'bad thing', fix: 'do the other thing' }],
  credit: [{ upTo: 0 }, { upTo: 123456 }],
  sessionStatus: [
    { session: 's', state: 'streaming', live: false, nextFrame: 12 },
    { session: 's', state: 'stalled', live: true, nextFrame: 0 },
  ],
  framesDropped: [{ from: 8, to: 984, total: 976 }],
  faceFrame: [testFrame(0), testFrame(3), testFrame(5), { frame: 0xffffffff, timeMs: 1e9 + 0.25, face: null, interpolated: true }],
  videoFrame: [{ frame: 9, timeMs: 300.5, width: 3, height: 2, encoding: 'rgba', data: rgba }],
  renderCrop: [{ frame: 4, timeMs: 133.25, x: -3, y: 10, width: 3, height: 2, bottomUp: true, premultiplied: false, data: rgba }],
};

test('every message of MessageMap has a sample and is either control (JSON) or binary', () => {
  const names = new Set<string>([...CONTROL_MESSAGES, ...BINARY_MESSAGES]);
  assert.deepEqual([...names].sort(), Object.keys(SAMPLES).sort());
  assert.equal(names.size, CONTROL_MESSAGES.length + BINARY_MESSAGES.length, 'no name is both');
});

test('every message round-trips through encodeMessage/decodeMessage', () => {
  for (const name of Object.keys(SAMPLES) as MessageName[]) {
    for (const payload of SAMPLES[name]) {
      const wire = encodeMessage(name, payload as never);
      const binary = (BINARY_MESSAGES as readonly string[]).includes(name);
      assert.equal(typeof wire === 'string', !binary, `${name} travels as ${binary ? 'binary' : 'JSON'}`);
      const back = decodeMessage(wire);
      assert.equal(back.type, name);
      if (name === 'faceFrame') {
        assert.ok(sameFrame(back.payload as TrackFrame, payload as TrackFrame), `faceFrame ${(payload as TrackFrame).frame}`);
      } else if ('data' in (payload as object)) {
        // binary payloads carrying pixel bytes
        const v = back.payload as unknown as { data: Uint8Array };
        const p = payload as unknown as { data: Uint8Array };
        assert.deepEqual({ ...v, data: [...v.data] }, { ...p, data: [...p.data] });
      } else {
        assert.deepEqual(back.payload, payload);
      }
      // also from an ArrayBuffer / a Uint8Array that is a view into a larger buffer
      if (typeof wire !== 'string') {
        const big = new Uint8Array(wire.length + 16);
        big.set(wire, 8);
        assert.equal(decodeMessage(big.subarray(8, 8 + wire.length)).type, name);
        assert.equal(decodeMessage(wire.slice().buffer).type, name);
      }
    }
  }
});

test('faceFrame has the fixed little-endian layout', () => {
  const f = testFrame(1);
  const b = encodeMessage('faceFrame', f);
  assert.equal(b.length, FACE_FRAME_BYTES);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(v.getUint8(0), 0x46);
  assert.equal(v.getUint8(1), PROTOCOL_VERSION);
  assert.equal(v.getUint32(4, true), 1);
  assert.equal(v.getFloat64(8, true), f.timeMs);
  assert.equal(v.getUint8(16) & 1, 1);
  assert.equal(v.getFloat32(FACE_FRAME_HEADER_BYTES, true), f.face!.landmarks[0]);
  assert.equal(encodeMessage('faceFrame', testFrame(3)).length, FACE_FRAME_HEADER_BYTES, 'no face: header only');
});

test('malformed messages are refused with ProtocolError', () => {
  const good = encodeMessage('faceFrame', testFrame(1));
  const bad: (string | Uint8Array)[] = [
    'not json',
    '[]',
    'null',
    '42',
    JSON.stringify({ type: 'nope', v: PROTOCOL_VERSION, payload: {} }),
    JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION + 1, payload: {} }),
    JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION }),
    JSON.stringify({ type: 'faceFrame', v: PROTOCOL_VERSION, payload: {} }),
    JSON.stringify({ type: 'credit', v: PROTOCOL_VERSION, payload: { pad: 'x'.repeat(MAX_CONTROL_BYTES) } }),
    new Uint8Array(0),
    new Uint8Array([0x46, PROTOCOL_VERSION]),
    new Uint8Array([0x46, PROTOCOL_VERSION + 1, 0, 0, 0, 0, 0, 0]),
    new Uint8Array([0x99, PROTOCOL_VERSION, 0, 0, 0, 0, 0, 0]),
    good.subarray(0, FACE_FRAME_BYTES - 4),
    good.subarray(0, FACE_FRAME_HEADER_BYTES - 1),
    (() => {
      const b = encodeMessage('faceFrame', testFrame(3)).slice();
      b[16] = 1; // says "face" but carries none
      return b;
    })(),
  ];
  for (const m of bad) assert.throws(() => decodeMessage(m), ProtocolError, `refuses ${typeof m === 'string' ? m.slice(0, 40) : `bytes(${m.length})`}`);
});

test('the bridge validates payload fields', () => {
  assert.ok(checkHello({ protocol: 1, role: 'producer', session: 'a.b_c-1' }).ok);
  for (const h of [
    { protocol: 1, role: 'producer' },
    { protocol: 1, role: 'producer', session: '../etc' },
    { protocol: 1, role: 'producer', session: '' },
    { protocol: 1, role: 'producer', session: 'x'.repeat(65) },
    { protocol: 1, role: 'boss', session: 'a' },
    { protocol: 1, role: 'consumer', session: 'a', resumeFrom: -1 },
    { protocol: 1, role: 'consumer', session: 'a', resumeFrom: 1.5 },
    { protocol: '1', role: 'consumer', session: 'a' },
  ]) {
    assert.equal(checkHello(h).ok, false, JSON.stringify(h));
  }
  assert.ok(checkTrackHeader(testHeader(5)).ok);
  assert.equal(checkTrackHeader({ ...testHeader(5), format: 'other' }).ok, false);
  assert.equal(checkTrackEnd({ end: true, frames: -1, complete: true }).ok, false);
  assert.equal(checkCredit({ upTo: 'lots' }).ok, false);
  assert.equal(isSessionName('ok-name'), true);
  assert.equal(isSessionName('.hidden'), false);
  assert.equal(isSessionName('a/b'), false);
});

test('close reasons fit a close frame', () => {
  assert.equal(closeReason('short'), 'short');
  const long = closeReason('é'.repeat(200));
  assert.ok(new TextEncoder().encode(long).length <= MAX_CLOSE_REASON_BYTES);
  assert.ok(long.endsWith('...'));
});

test('the bridge checks frames without decoding them: shape, version and finiteness', async () => {
  const { inspectFaceFrame } = await import('../bridge/frame-check.js');
  const good = encodeMessage('faceFrame', testFrame(12));
  assert.deepEqual(inspectFaceFrame(good), { frame: 12, timeMs: testFrame(12).timeMs });
  assert.equal(inspectFaceFrame(encodeMessage('faceFrame', testFrame(3))).frame, 3);
  // a view at an odd offset takes the unaligned path
  const big = new Uint8Array(good.length + 1);
  big.set(good, 1);
  assert.equal(inspectFaceFrame(big.subarray(1)).frame, 12);
  for (const bad of [NaN, Infinity, -Infinity]) {
    const f = testFrame(12);
    f.face!.matrix[15] = bad;
    const b = encodeMessage('faceFrame', f);
    assert.throws(() => inspectFaceFrame(b), /non-finite/);
    const odd = new Uint8Array(b.length + 1);
    odd.set(b, 1);
    assert.throws(() => inspectFaceFrame(odd.subarray(1)), /non-finite/);
  }
  assert.throws(() => inspectFaceFrame(encodeMessage('faceFrame', { frame: 1, timeMs: NaN, face: null })), /time/);
  assert.throws(() => inspectFaceFrame(good.subarray(0, good.length - 4)), /bytes/);
  assert.throws(() => inspectFaceFrame(encodeMessage('videoFrame', { frame: 0, timeMs: 0, width: 1, height: 1, encoding: 'rgba', data: new Uint8Array(4) })), /not a faceFrame/);
});
