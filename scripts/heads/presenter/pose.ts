/**
 * The presenter's head pose as MediaPipe reports one: a 4x4 column-major matrix from the
 * canonical face (cm) into the camera's space (cm; camera at the origin looking down -Z,
 * y up, 63 degrees vertical field of view). The head turns about a pivot in the upper neck,
 * as a person's does, so the neck stays on the shoulders.
 */

/** One frame's head pose. Angles in degrees, R = Ry(yaw) * Rx(pitch) * Rz(roll) (core/pose.ts). */
export interface HeadPose {
  /** About camera +y: positive turns the face toward camera +x (the viewer's right, the subject's left). */
  readonly yawDeg: number;
  /** About camera +x: positive tips the face down. */
  readonly pitchDeg: number;
  /** About camera +z: positive tilts the head toward the subject's right shoulder (counter-clockwise on screen). */
  readonly rollDeg: number;
  /** Where the canonical origin goes, camera cm (z negative: in front of the camera). */
  readonly t: readonly [number, number, number];
}

/** Pivot of the head's rotations, canonical cm (upper neck, on the neck's axis). */
export const HEAD_PIVOT_CM: readonly [number, number, number] = [0, -4.5, -3.4];

/** Row-major 3x3 rotation R = Ry(yaw) Rx(pitch) Rz(roll). */
export function rotationYawPitchRoll(yawDeg: number, pitchDeg: number, rollDeg: number): number[][] {
  const r = Math.PI / 180;
  const [cy, sy] = [Math.cos(yawDeg * r), Math.sin(yawDeg * r)];
  const [cp, sp] = [Math.cos(pitchDeg * r), Math.sin(pitchDeg * r)];
  const [cr, sr] = [Math.cos(rollDeg * r), Math.sin(rollDeg * r)];
  const Ry = [[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]];
  const Rx = [[1, 0, 0], [0, cp, -sp], [0, sp, cp]];
  const Rz = [[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]];
  const mul = (a: number[][], b: number[][]) => a.map((row) => [0, 1, 2].map((j) => row[0] * b[0][j] + row[1] * b[1][j] + row[2] * b[2][j]));
  return mul(mul(Ry, Rx), Rz);
}

/**
 * The column-major canonical -> camera matrix of a pose: p' = R (p - pivot) + pivot + t,
 * so at zero angles the canonical origin lands at t.
 */
export function poseMatrix(p: HeadPose): Float32Array {
  const R = rotationYawPitchRoll(p.yawDeg, p.pitchDeg, p.rollDeg);
  const c = HEAD_PIVOT_CM;
  const m = new Float32Array(16);
  for (let col = 0; col < 3; col++) for (let row = 0; row < 3; row++) m[col * 4 + row] = R[row][col];
  for (let row = 0; row < 3; row++) {
    m[12 + row] = p.t[row] + c[row] - (R[row][0] * c[0] + R[row][1] * c[1] + R[row][2] * c[2]);
  }
  m[15] = 1;
  return m;
}
