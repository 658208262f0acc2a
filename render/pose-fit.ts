/**
 * Lining the canonical face up with the presenter's landmarks. MediaPipe's facial matrix
 * fits a generic face; a real face differs (nose length, chin height), which leaves the
 * projected nose tip, eyes and chin 5-7% of the inter-ocular distance off the landmarks.
 * Two corrections, both least squares on the 2D landmarks through the renderer's camera:
 *
 * - `calibrateFace`: once per track (or live session), a constant transform A of the
 *   canonical face (rotation, scale, vertical proportion, offset) for this presenter;
 * - `refinePose`: per frame, a small regularised correction (rotation, scale, shift) of
 *   matrix * A, keeping depth.
 *
 * The head is then rendered with `refinePose(matrix * A)`. Browser-safe, no allocation-heavy
 * work: about 0.2 ms per frame.
 */
import { CANONICAL_LANDMARKS } from '../core/canonical-face.js';
import { POSE_FIT_POINTS } from '../core/landmarks.js';
import { mat4Multiply, projectCameraPoint, transformPoint, type Mat4, type Vec3 } from './camera-math.js';

/** The camera the landmarks were seen through. */
export interface FitCamera {
  readonly verticalFovDeg: number;
  readonly frameWidth: number;
  readonly frameHeight: number;
}

/** One frame's face for fitting. */
export interface FitFace {
  readonly matrix: ArrayLike<number>;
  /** 478 * 3 normalized landmarks. */
  readonly landmarks: ArrayLike<number>;
}

/** A per-presenter correction of the canonical face (applied as matrix * A). */
export interface FaceCalibration {
  /** Column-major 4x4 A: canonical face -> this presenter's canonical face. */
  readonly matrix: Float64Array;
  /** Rotation (deg, x y z), uniform scale, extra vertical scale, offset (cm). */
  readonly rotationDeg: Vec3;
  readonly scale: number;
  readonly verticalScale: number;
  readonly offsetCm: Vec3;
  /** RMS landmark error after calibration, in inter-ocular distances. */
  readonly rmsIod: number;
}

/** The identity calibration. */
export const NO_CALIBRATION: FaceCalibration = {
  matrix: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
  rotationDeg: [0, 0, 0],
  scale: 1,
  verticalScale: 1,
  offsetCm: [0, 0, 0],
  rmsIod: NaN,
};

const FIT_CANONICAL: Vec3[] = POSE_FIT_POINTS.map((i) => CANONICAL_LANDMARKS[i]);

/** Column-major rotation R = Rz * Ry * Rx (radians) times diag(sx, sy, sz), plus translation. */
function transform(rx: number, ry: number, rz: number, sx: number, sy: number, sz: number, tx: number, ty: number, tz: number): Float64Array {
  const cx = Math.cos(rx), snx = Math.sin(rx), cy = Math.cos(ry), sny = Math.sin(ry), cz = Math.cos(rz), snz = Math.sin(rz);
  const r = [
    [cz * cy, cz * sny * snx - snz * cx, cz * sny * cx + snz * snx],
    [snz * cy, snz * sny * snx + cz * cx, snz * sny * cx - cz * snx],
    [-sny, cy * snx, cy * cx],
  ];
  const d = [sx, sy, sz];
  const m = new Float64Array(16);
  for (let c = 0; c < 3; c++) for (let row = 0; row < 3; row++) m[c * 4 + row] = r[row][c] * d[c];
  m[12] = tx;
  m[13] = ty;
  m[14] = tz;
  m[15] = 1;
  return m;
}

/** Inter-ocular distance of a frame's landmarks (outer eye corners), px. */
function iodPx(lm: ArrayLike<number>, cam: FitCamera): number {
  const w = cam.frameWidth, h = cam.frameHeight;
  return Math.hypot((lm[33 * 3] - lm[263 * 3]) * w, (lm[33 * 3 + 1] - lm[263 * 3 + 1]) * h) || 1;
}

/** Appends the fit residuals (projected canonical point - landmark, in IODs) of one frame. */
function residuals(m: Mat4, lm: ArrayLike<number>, cam: FitCamera, iod: number, out: number[]): void {
  for (let k = 0; k < POSE_FIT_POINTS.length; k++) {
    const i = POSE_FIT_POINTS[k];
    const p = projectCameraPoint(transformPoint(m, FIT_CANONICAL[k]), cam.verticalFovDeg, cam.frameWidth, cam.frameHeight);
    if (!p) {
      out.push(10, 10);
      continue;
    }
    out.push((p.x - lm[i * 3] * cam.frameWidth) / iod, (p.y - lm[i * 3 + 1] * cam.frameHeight) / iod);
  }
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let k = i + 1; k < n; k++) if (Math.abs(m[k][i]) > Math.abs(m[p][i])) p = k;
    [m[i], m[p]] = [m[p], m[i]];
    if (Math.abs(m[i][i]) < 1e-12) return new Array(n).fill(0);
    for (let k = i + 1; k < n; k++) {
      const f = m[k][i] / m[i][i];
      for (let j = i; j <= n; j++) m[k][j] -= f * m[i][j];
    }
  }
  const x = new Array(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let v = m[i][n];
    for (let j = i + 1; j < n; j++) v -= m[i][j] * x[j];
    x[i] = v / m[i][i];
  }
  return x;
}

/**
 * Gauss-Newton with numeric derivatives and a quadratic pull of each parameter toward its
 * prior (weight `prior[k]`, in residual units per parameter unit).
 */
function gaussNewton(x0: number[], prior: readonly number[], weight: readonly number[], res: (x: number[]) => number[], iterations: number): { x: number[]; rms: number } {
  let x = [...x0];
  const n = x.length;
  let r0 = res(x);
  for (let it = 0; it < iterations; it++) {
    const jac: number[][] = [];
    for (let k = 0; k < n; k++) {
      const x2 = [...x];
      x2[k] += 1e-4;
      const r = res(x2);
      jac.push(r.map((v, i) => (v - r0[i]) / 1e-4));
    }
    const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const b = new Array<number>(n).fill(0);
    for (let i = 0; i < r0.length; i++) {
      for (let p = 0; p < n; p++) {
        b[p] -= jac[p][i] * r0[i];
        for (let q = p; q < n; q++) a[p][q] += jac[p][i] * jac[q][i];
      }
    }
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < p; q++) a[p][q] = a[q][p];
      a[p][p] += weight[p] + 1e-6;
      b[p] -= weight[p] * (x[p] - prior[p]);
    }
    const dx = solve(a, b);
    x = x.map((v, k) => v + dx[k]);
    r0 = res(x);
    if (Math.max(...dx.map(Math.abs)) < 1e-6) break;
  }
  let ss = 0;
  for (const v of r0) ss += v * v;
  return { x, rms: Math.sqrt(ss / Math.max(1, r0.length / 2)) };
}

/**
 * Fits the constant per-presenter correction A over `faces` (a few dozen frames spread
 * over the clip are plenty): rotation, uniform scale, vertical proportion, offset.
 */
export function calibrateFace(faces: readonly FitFace[], cam: FitCamera): FaceCalibration {
  if (!faces.length) return NO_CALIBRATION;
  const iods = faces.map((f) => iodPx(f.landmarks, cam));
  const res = (x: number[]) => {
    const a = transform(x[0], x[1], x[2], x[3], x[3] * x[4], x[3], x[5], x[6], x[7]);
    const out: number[] = [];
    for (let k = 0; k < faces.length; k++) residuals(mat4Multiply(faces[k].matrix, a), faces[k].landmarks, cam, iods[k], out);
    return out;
  };
  // Weak priors keep unobservable directions (depth offset) put; scaled by frame count.
  const w = faces.length;
  const prior = [0, 0, 0, 1, 1, 0, 0, 0];
  const weight = [0.05 * w, 0.05 * w, 0.05 * w, 0.1 * w, 0.1 * w, 0.001 * w, 0.001 * w, 0.01 * w];
  const { x, rms } = gaussNewton(prior, prior, weight, res, 10);
  // Bounded: a presenter is not 20% off the generic face.
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const rot = [x[0], x[1], x[2]].map((v) => clamp(v, -0.3, 0.3));
  const s = clamp(x[3], 0.85, 1.15);
  const sy = clamp(x[4], 0.85, 1.15);
  const t = [x[5], x[6], x[7]].map((v) => clamp(v, -2, 2));
  return {
    matrix: transform(rot[0], rot[1], rot[2], s, s * sy, s, t[0], t[1], t[2]),
    rotationDeg: rot.map((v) => (v * 180) / Math.PI) as unknown as Vec3,
    scale: s,
    verticalScale: sy,
    offsetCm: t as unknown as Vec3,
    rmsIod: rms,
  };
}

/** Options of `refinePose`. */
export interface RefineOptions {
  /** Pull of the rotation correction toward 0 (higher: closer to MediaPipe's). Default 1. */
  readonly rotationStiffness?: number;
}

/**
 * The pose to render for one frame: matrix * A, corrected per frame (small rotation about
 * the face origin, scale, shift across the image; depth kept) to fit the landmarks.
 */
export function refinePose(matrix: ArrayLike<number>, landmarks: ArrayLike<number>, cam: FitCamera, calib: FaceCalibration = NO_CALIBRATION, opts: RefineOptions = {}): Float64Array {
  const base = mat4Multiply(matrix, calib.matrix);
  const iod = iodPx(landmarks, cam);
  const k = opts.rotationStiffness ?? 1;
  const apply = (x: number[]) => {
    const c = transform(x[0], x[1], x[2], x[3], x[3], x[3], 0, 0, 0);
    const m = mat4Multiply(base, c);
    m[12] += x[4];
    m[13] += x[5];
    return m;
  };
  const res = (x: number[]) => {
    const out: number[] = [];
    residuals(apply(x), landmarks, cam, iod, out);
    return out;
  };
  const prior = [0, 0, 0, 1, 0, 0];
  const { x } = gaussNewton(prior, prior, [0.3 * k, 0.3 * k, 0.3 * k, 0.5, 0.0001, 0.0001], res, 5);
  const lim = 0.25;
  for (let i = 0; i < 3; i++) x[i] = Math.min(lim, Math.max(-lim, x[i]));
  x[3] = Math.min(1.15, Math.max(0.85, x[3]));
  return apply(x);
}

/** Spreads at most `n` picks evenly over `items`. */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(items[Math.floor(((i + 0.5) * items.length) / n)]);
  return out;
}
