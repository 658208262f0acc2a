import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decomposeMatrix, quatAngleDeg } from '../core/pose.js';
import type { TrackFrame } from '../core/track.js';
import { smoothFrames } from '../capture/smoothing/index.js';
import { RtsSmoother } from '../capture/smoothing/rts-smoother.js';
import { DEFAULT_KALMAN } from '../capture/smoothing/params.js';
import { collect, iter, noisyTrack, yawQuat } from './helpers/synthetic.js';

/** Mean frame-to-frame yaw change (deg) over frames [a, b). */
function yawJitter(frames: readonly TrackFrame[], a: number, b: number): number {
  let s = 0;
  for (let k = a + 1; k < b; k++) s += quatAngleDeg(decomposeMatrix(frames[k].face!.matrix).q, decomposeMatrix(frames[k - 1].face!.matrix).q);
  return s / (b - a - 1);
}

/** Mean frame-to-frame change of landmark 0's x over [a, b). */
function lmJitter(frames: readonly TrackFrame[], a: number, b: number): number {
  let s = 0;
  for (let k = a + 1; k < b; k++) s += Math.abs(frames[k].face!.landmarks[0] - frames[k - 1].face!.landmarks[0]);
  return s / (b - a - 1);
}

function yawOf(f: TrackFrame): number {
  const q = decomposeMatrix(f.face!.matrix).q;
  return (2 * Math.atan2(q[1], q[3]) * 180) / Math.PI;
}

/** Lag (frames) maximising the cross-correlation of two series' derivatives. */
function lagFrames(raw: number[], smooth: number[]): number {
  const d = (a: number[]) => a.slice(1).map((v, i) => v - a[i]);
  const r = d(raw);
  const s = d(smooth);
  let best = 0;
  let bestC = -Infinity;
  for (let lag = -5; lag <= 5; lag++) {
    let c = 0;
    for (let i = 10; i < r.length - 10; i++) c += r[i] * s[i + lag];
    if (c > bestC) {
      bestC = c;
      best = lag;
    }
  }
  return best;
}

// Still for 90 frames, then a smooth head turn of 40 degrees over 60 frames, then still.
const signal = (k: number) => {
  const u = Math.min(1, Math.max(0, (k - 90) / 60));
  const e = u * u * (3 - 2 * u);
  return { yaw: 40 * e, x: 5 * e, level: 0.2 + 0.5 * e, lm: 0.1 * e };
};
const noise = { yaw: 0.8, x: 0.15, level: 0.03, lm: 0.0015 };
const raw = noisyTrack(240, signal, noise);

test('offline smoothing cuts jitter on still stretches by more than 60% with zero lag', async () => {
  const out = await collect(smoothFrames(iter(raw), 'offline', 5));
  assert.equal(out.length, raw.length);
  assert.ok(yawJitter(out, 10, 85) < 0.4 * yawJitter(raw, 10, 85), `yaw jitter ${yawJitter(out, 10, 85)} vs raw ${yawJitter(raw, 10, 85)}`);
  assert.ok(lmJitter(out, 10, 85) < 0.4 * lmJitter(raw, 10, 85));
  assert.equal(lagFrames(raw.map(yawOf), out.map(yawOf)), 0);
  // It follows the turn: end value within 1.5 degrees of the truth.
  assert.ok(Math.abs(yawOf(out[200]) - 40) < 1.5, `yaw at 200: ${yawOf(out[200])}`);
});

test('live smoothing cuts jitter by more than 40% with at most one frame of lag', async () => {
  const out = await collect(smoothFrames(iter(raw), 'live', 5));
  assert.ok(yawJitter(out, 10, 85) < 0.6 * yawJitter(raw, 10, 85), `yaw jitter ${yawJitter(out, 10, 85)} vs raw ${yawJitter(raw, 10, 85)}`);
  assert.ok(lmJitter(out, 10, 85) < 0.6 * lmJitter(raw, 10, 85));
  assert.ok(lagFrames(raw.map(yawOf), out.map(yawOf)) <= 1);
});

test('the fixed-lag RTS equals the whole-clip RTS smoother', () => {
  const fixed = new RtsSmoother(DEFAULT_KALMAN, 45, 5);
  const whole = new RtsSmoother(DEFAULT_KALMAN, 100000, 5);
  const a = [...raw.flatMap((f) => fixed.push(f)), ...fixed.flush()];
  const b = [...raw.flatMap((f) => whole.push(f)), ...whole.flush()];
  let maxYaw = 0;
  for (let k = 0; k < a.length; k++) maxYaw = Math.max(maxYaw, Math.abs(yawOf(a[k]) - yawOf(b[k])));
  assert.ok(maxYaw < 0.05, `max yaw difference ${maxYaw} deg`);
});

test('smoothing never modifies its input and keeps faceless frames faceless', async () => {
  const frames = raw.slice(0, 60).map((f, k) => (k >= 20 && k < 40 ? { ...f, face: null } : f));
  const before = frames.map((f) => (f.face ? Array.from(f.face.landmarks.slice(0, 5)) : null));
  for (const mode of ['offline', 'live', 'none'] as const) {
    const out = await collect(smoothFrames(iter(frames), mode, 5));
    assert.deepEqual(out.map((f) => f.frame), frames.map((f) => f.frame));
    assert.ok(out.slice(20, 40).every((f) => f.face === null), mode);
  }
  assert.deepEqual(frames.map((f) => (f.face ? Array.from(f.face.landmarks.slice(0, 5)) : null)), before);
});

test('rotation is smoothed as a rotation: turning through 180 degrees (quaternion sign flips) stays continuous', async () => {
  // Yaw from 100 to 260 degrees: decomposition hands back quaternions of both signs here.
  const yawAt = (k: number) => 100 + (k * 160) / 120;
  const turn = noisyTrack(120, (k) => ({ yaw: yawAt(k), x: 0, level: 0.2, lm: 0 }), { yaw: 0.5, x: 0, level: 0, lm: 0 });
  const signs = new Set(turn.map((f) => Math.sign(decomposeMatrix(f.face!.matrix).q[1])));
  assert.equal(signs.size, 2, 'the input really contains both quaternion signs');
  // Offline has no lag; live (causal) may trail by up to two frames of this 40 deg/s turn once settled.
  const bound = { offline: { from: 5, deg: 1.5 }, live: { from: 15, deg: 2 * (160 / 120) } };
  for (const mode of ['offline', 'live'] as const) {
    const out = await collect(smoothFrames(iter(turn), mode, 5));
    for (let k = bound[mode].from; k < 115; k++) {
      const err = quatAngleDeg(decomposeMatrix(out[k].face!.matrix).q, yawQuat(yawAt(k)));
      assert.ok(err < bound[mode].deg, `${mode} frame ${k}: ${err.toFixed(2)} deg`);
    }
  }
});
