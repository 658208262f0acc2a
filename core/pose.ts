/**
 * Head pose math on MediaPipe's facial transformation matrix (4x4, column-major,
 * canonical face cm -> camera cm). Pure functions; browser-safe.
 */

/** A rigid pose with uniform scale: rotation, translation (cm), scale (unitless). */
export interface Pose {
  /** Unit quaternion [x, y, z, w]. */
  readonly q: readonly [number, number, number, number];
  /** Translation in cm, camera space (x right, y up, z toward the viewer; the face is at negative z). */
  readonly t: readonly [number, number, number];
  /** Uniform scale of the canonical face (1 = canonical size). */
  readonly s: number;
}

/** Euler angles in degrees: yaw about y, pitch about x, roll about z (R = Ry * Rx * Rz). */
export interface YawPitchRoll {
  readonly yawDeg: number;
  readonly pitchDeg: number;
  readonly rollDeg: number;
}

/** Splits a column-major matrix into rotation (quaternion), translation and uniform scale. */
export function decomposeMatrix(m: ArrayLike<number>): Pose {
  const sx = Math.hypot(m[0], m[1], m[2]);
  const sy = Math.hypot(m[4], m[5], m[6]);
  const sz = Math.hypot(m[8], m[9], m[10]);
  const s = (sx + sy + sz) / 3 || 1;
  // r(row, col) of the pure rotation.
  const r = (row: number, col: number) => m[col * 4 + row] / [sx, sy, sz][col];
  const m00 = r(0, 0), m11 = r(1, 1), m22 = r(2, 2);
  const tr = m00 + m11 + m22;
  let x: number, y: number, z: number, w: number;
  if (tr > 0) {
    const k = 0.5 / Math.sqrt(tr + 1);
    w = 0.25 / k;
    x = (r(2, 1) - r(1, 2)) * k;
    y = (r(0, 2) - r(2, 0)) * k;
    z = (r(1, 0) - r(0, 1)) * k;
  } else if (m00 > m11 && m00 > m22) {
    const k = 2 * Math.sqrt(1 + m00 - m11 - m22);
    w = (r(2, 1) - r(1, 2)) / k;
    x = 0.25 * k;
    y = (r(0, 1) + r(1, 0)) / k;
    z = (r(0, 2) + r(2, 0)) / k;
  } else if (m11 > m22) {
    const k = 2 * Math.sqrt(1 + m11 - m00 - m22);
    w = (r(0, 2) - r(2, 0)) / k;
    x = (r(0, 1) + r(1, 0)) / k;
    y = 0.25 * k;
    z = (r(1, 2) + r(2, 1)) / k;
  } else {
    const k = 2 * Math.sqrt(1 + m22 - m00 - m11);
    w = (r(1, 0) - r(0, 1)) / k;
    x = (r(0, 2) + r(2, 0)) / k;
    y = (r(1, 2) + r(2, 1)) / k;
    z = 0.25 * k;
  }
  const n = Math.hypot(x, y, z, w) || 1;
  return { q: [x / n, y / n, z / n, w / n], t: [m[12], m[13], m[14]], s };
}

/** Builds the column-major matrix of a pose. */
export function composeMatrix(p: Pose): Float32Array {
  const [x, y, z, w] = p.q;
  const s = p.s;
  const out = new Float32Array(16);
  out[0] = (1 - 2 * (y * y + z * z)) * s;
  out[1] = 2 * (x * y + z * w) * s;
  out[2] = 2 * (x * z - y * w) * s;
  out[4] = 2 * (x * y - z * w) * s;
  out[5] = (1 - 2 * (x * x + z * z)) * s;
  out[6] = 2 * (y * z + x * w) * s;
  out[8] = 2 * (x * z + y * w) * s;
  out[9] = 2 * (y * z - x * w) * s;
  out[10] = (1 - 2 * (x * x + y * y)) * s;
  out[12] = p.t[0];
  out[13] = p.t[1];
  out[14] = p.t[2];
  out[15] = 1;
  return out;
}

/** Normalised quaternion, sign-flipped to lie in the same hemisphere as `ref` (for continuity). */
export function alignQuat(q: ArrayLike<number>, ref: ArrayLike<number>): [number, number, number, number] {
  const dot = q[0] * ref[0] + q[1] * ref[1] + q[2] * ref[2] + q[3] * ref[3];
  const n = (dot < 0 ? -1 : 1) / (Math.hypot(q[0], q[1], q[2], q[3]) || 1);
  return [q[0] * n, q[1] * n, q[2] * n, q[3] * n];
}

/** Spherical interpolation between unit quaternions, `u` in [0,1]. */
export function slerp(a: ArrayLike<number>, b0: ArrayLike<number>, u: number): [number, number, number, number] {
  const b = alignQuat(b0, a);
  const dot = Math.min(1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]);
  if (dot > 0.9995) {
    const r = [0, 1, 2, 3].map((i) => a[i] + (b[i] - a[i]) * u);
    return alignQuat(r, r);
  }
  const th = Math.acos(dot);
  const sa = Math.sin((1 - u) * th) / Math.sin(th);
  const sb = Math.sin(u * th) / Math.sin(th);
  return [a[0] * sa + b[0] * sb, a[1] * sa + b[1] * sb, a[2] * sa + b[2] * sb, a[3] * sa + b[3] * sb];
}

/** Angle between two rotations in degrees. */
export function quatAngleDeg(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const dot = Math.abs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]);
  return (2 * Math.acos(Math.min(1, dot)) * 180) / Math.PI;
}

/** Yaw/pitch/roll (degrees) of a column-major matrix's rotation, with R = Ry(yaw) Rx(pitch) Rz(roll). */
export function matrixToYawPitchRoll(m: ArrayLike<number>): YawPitchRoll {
  const sx = Math.hypot(m[0], m[1], m[2]);
  const sy = Math.hypot(m[4], m[5], m[6]);
  const sz = Math.hypot(m[8], m[9], m[10]);
  const r = (row: number, col: number) => m[col * 4 + row] / [sx, sy, sz][col];
  const deg = 180 / Math.PI;
  return {
    yawDeg: Math.atan2(r(0, 2), r(2, 2)) * deg,
    pitchDeg: Math.asin(Math.max(-1, Math.min(1, -r(1, 2)))) * deg,
    rollDeg: Math.atan2(r(1, 0), r(1, 1)) * deg,
  };
}
