import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeMatrix, decomposeMatrix, matrixToYawPitchRoll, quatAngleDeg, slerp } from '../core/pose.js';

function quatFromYpr(yaw: number, pitch: number, roll: number): [number, number, number, number] {
  // R = Ry Rx Rz as quaternion product qy * qx * qz.
  const h = Math.PI / 360;
  const qy = [0, Math.sin(yaw * h), 0, Math.cos(yaw * h)];
  const qx = [Math.sin(pitch * h), 0, 0, Math.cos(pitch * h)];
  const qz = [0, 0, Math.sin(roll * h), Math.cos(roll * h)];
  const mul = (a: number[], b: number[]) => [
    a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
    a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
    a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
    a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2],
  ];
  return mul(mul(qy, qx), qz) as [number, number, number, number];
}

test('compose and decompose are inverse, with scale and translation', () => {
  for (const [y, p, r] of [[0, 0, 0], [30, -10, 5], [-60, 20, -15], [170, 5, 0]]) {
    const q = quatFromYpr(y, p, r);
    const m = composeMatrix({ q, t: [1, -2, -40], s: 1.1 });
    const d = decomposeMatrix(m);
    assert.ok(quatAngleDeg(d.q, q) < 1e-3, `rotation ${y},${p},${r}`);
    assert.ok(Math.abs(d.s - 1.1) < 1e-6);
    assert.deepEqual(d.t.map((v) => Math.round(v * 1e4) / 1e4), [1, -2, -40]);
    const e = matrixToYawPitchRoll(m);
    assert.ok(Math.abs(e.yawDeg - y) < 1e-3 && Math.abs(e.pitchDeg - p) < 1e-3 && Math.abs(e.rollDeg - r) < 1e-3, `euler ${JSON.stringify(e)}`);
  }
});

test('slerp goes the short way and halves the angle', () => {
  const a = quatFromYpr(0, 0, 0);
  const b = quatFromYpr(40, 0, 0).map((v) => -v);
  const mid = slerp(a, b, 0.5);
  assert.ok(Math.abs(quatAngleDeg(mid, a) - 20) < 1e-6);
});
