/**
 * The renderer's camera, in plain numbers: MediaPipe's virtual camera (vertical field of
 * view from the track, the frame's aspect ratio, at the origin looking down -Z, y up), the
 * projection of canonical-face points into frame pixels, and the head crop (the region of
 * the frame the head covers, rendered with an off-centre projection). Browser-safe: the
 * render page uses the same functions as Node, so the crop and the alignment test agree.
 *
 * Matrices are 16 numbers, column-major (OpenGL layout; also Babylon's storage order).
 */

/** A 4x4 column-major matrix. */
export type Mat4 = ArrayLike<number>;
/** A 3D point. */
export type Vec3 = readonly [number, number, number];

/** Camera near and far planes (cm). A head is 20 cm across, seen from 30-300 cm. */
export const CAMERA_NEAR_CM = 1;
export const CAMERA_FAR_CM = 10000;

/** c = a * b (column-major, column vectors). */
export function mat4Multiply(a: Mat4, b: Mat4, out: Float64Array = new Float64Array(16)): Float64Array {
  const r = new Float64Array(16);
  for (let col = 0; col < 4; col++) {
    for (let row = 0; row < 4; row++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[k * 4 + row] * b[col * 4 + k];
      r[col * 4 + row] = s;
    }
  }
  out.set(r);
  return out;
}

/** Transforms a point by a column-major affine matrix (w assumed 1, no divide). */
export function transformPoint(m: Mat4, p: Vec3): [number, number, number] {
  const [x, y, z] = p;
  return [
    m[0] * x + m[4] * y + m[8] * z + m[12],
    m[1] * x + m[5] * y + m[9] * z + m[13],
    m[2] * x + m[6] * y + m[10] * z + m[14],
  ];
}

/** OpenGL perspective projection (right-handed eye space, depth to [-1, 1]). */
export function perspective(verticalFovDeg: number, aspect: number, near = CAMERA_NEAR_CM, far = CAMERA_FAR_CM): Float64Array {
  const f = 1 / Math.tan((verticalFovDeg * Math.PI) / 360);
  const m = new Float64Array(16);
  m[0] = f / aspect;
  m[5] = f;
  m[10] = (far + near) / (near - far);
  m[11] = -1;
  m[14] = (2 * far * near) / (near - far);
  return m;
}

/** A rectangle in frame pixels (x right, y down from the top-left corner). */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The projection that renders only `crop` of a `frameWidth` x `frameHeight` frame: the
 * full-frame projection followed by the clip-space scale and shift mapping the crop to
 * [-1, 1]. Pixels of the crop then match the frame's pixels exactly.
 */
export function cropProjection(verticalFovDeg: number, frameWidth: number, frameHeight: number, crop: PixelRect): Float64Array {
  const p = perspective(verticalFovDeg, frameWidth / frameHeight);
  const sx = frameWidth / crop.width;
  const sy = frameHeight / crop.height;
  // NDC of the crop's centre.
  const cx = ((crop.x + crop.width / 2) / frameWidth) * 2 - 1;
  const cy = 1 - ((crop.y + crop.height / 2) / frameHeight) * 2;
  const c = new Float64Array(16);
  c[0] = sx;
  c[5] = sy;
  c[10] = 1;
  c[15] = 1;
  // x' = sx * (x - cx * w): translation terms act on w.
  c[12] = -sx * cx;
  c[13] = -sy * cy;
  return mat4Multiply(c, p);
}

/**
 * Projects a point of camera space (cm) to frame pixels. Returns null behind the camera.
 * `depth` is the distance in front of the camera (cm).
 */
export function projectCameraPoint(
  p: Vec3,
  verticalFovDeg: number,
  frameWidth: number,
  frameHeight: number,
): { x: number; y: number; depth: number } | null {
  const depth = -p[2];
  if (depth <= CAMERA_NEAR_CM * 0.5) return null;
  const f = 1 / Math.tan((verticalFovDeg * Math.PI) / 360);
  const aspect = frameWidth / frameHeight;
  const ndcX = (f / aspect) * (p[0] / depth);
  const ndcY = f * (p[1] / depth);
  return { x: ((ndcX + 1) / 2) * frameWidth, y: ((1 - ndcY) / 2) * frameHeight, depth };
}

/** Projects a canonical-face point (cm) through a face matrix to frame pixels. */
export function projectCanonical(
  faceMatrix: Mat4,
  p: Vec3,
  verticalFovDeg: number,
  frameWidth: number,
  frameHeight: number,
): { x: number; y: number; depth: number } | null {
  return projectCameraPoint(transformPoint(faceMatrix, p), verticalFovDeg, frameWidth, frameHeight);
}

/** An axis-aligned box in canonical-face space (cm). */
export interface Box3 {
  readonly min: Vec3;
  readonly max: Vec3;
}

/** The 8 corners of a box. */
export function boxCorners(b: Box3): Vec3[] {
  const out: Vec3[] = [];
  for (let i = 0; i < 8; i++) {
    out.push([i & 1 ? b.max[0] : b.min[0], i & 2 ? b.max[1] : b.min[1], i & 4 ? b.max[2] : b.min[2]]);
  }
  return out;
}

/** Options of the crop computation. */
export interface CropOptions {
  /** Extra pixels on every side (default 4). */
  readonly marginPx?: number;
  /** Extra room on every side as a fraction of the projected size (default 0). */
  readonly slackFraction?: number;
  /** Crop sizes are rounded up to a multiple of this (default 32), so the canvas rarely resizes. */
  readonly quantumPx?: number;
}

/**
 * The crop of the frame covering a head whose bounds (canonical cm) are `bounds`, posed by
 * `faceMatrix`: the projected box's bounding rectangle plus a margin, clipped to the frame,
 * its size rounded up to `quantumPx` (staying inside the frame where it fits). Null when
 * the head is entirely off the frame or behind the camera.
 */
export function headCrop(
  faceMatrix: Mat4,
  bounds: Box3,
  verticalFovDeg: number,
  frameWidth: number,
  frameHeight: number,
  opts: CropOptions = {},
): PixelRect | null {
  return outlineCrop(faceMatrix, Float32Array.from(boxCorners(bounds).flat()), verticalFovDeg, frameWidth, frameHeight, opts);
}

/**
 * As `headCrop`, for any outline: `points` are canonical-cm xyz triples whose projections
 * bound everything the head draws (e.g. its vertices), which gives a much tighter crop than
 * the projected bounding box of a turned head.
 */
export function outlineCrop(
  faceMatrix: Mat4,
  points: Float32Array,
  verticalFovDeg: number,
  frameWidth: number,
  frameHeight: number,
  opts: CropOptions = {},
): PixelRect | null {
  const q = Math.max(1, opts.quantumPx ?? 32);
  const m = faceMatrix;
  const f = 1 / Math.tan((verticalFovDeg * Math.PI) / 360);
  const aspect = frameWidth / frameHeight;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 2 < points.length; i += 3) {
    const px = points[i];
    const py = points[i + 1];
    const pz = points[i + 2];
    const cx = m[0] * px + m[4] * py + m[8] * pz + m[12];
    const cy = m[1] * px + m[5] * py + m[9] * pz + m[13];
    const depth = -(m[2] * px + m[6] * py + m[10] * pz + m[14]);
    if (depth <= CAMERA_NEAR_CM) {
      // A point at or behind the near plane: the head fills an unknown part; take the frame.
      x0 = 0;
      y0 = 0;
      x1 = frameWidth;
      y1 = frameHeight;
      break;
    }
    const x = (((f / aspect) * (cx / depth) + 1) / 2) * frameWidth;
    const y = ((1 - f * (cy / depth)) / 2) * frameHeight;
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  if (!(x1 >= x0)) return null;
  const margin = (opts.marginPx ?? 4) + (opts.slackFraction ?? 0) * Math.max(x1 - x0, y1 - y0);
  x0 = Math.max(0, Math.floor(x0 - margin));
  y0 = Math.max(0, Math.floor(y0 - margin));
  x1 = Math.min(frameWidth, Math.ceil(x1 + margin));
  y1 = Math.min(frameHeight, Math.ceil(y1 + margin));
  if (x1 - x0 < 1 || y1 - y0 < 1) return null;
  const w = Math.min(frameWidth, Math.ceil((x1 - x0) / q) * q);
  const h = Math.min(frameHeight, Math.ceil((y1 - y0) / q) * q);
  // Grow around the centre, then shift back inside the frame.
  let x = Math.round((x0 + x1 - w) / 2);
  let y = Math.round((y0 + y1 - h) / 2);
  x = Math.max(0, Math.min(frameWidth - w, x));
  y = Math.max(0, Math.min(frameHeight - h, y));
  return { x, y, width: w, height: h };
}

/** Inverse of a column-major affine 4x4 (rotation/scale/translation). */
export function invertAffine(m: Mat4): Float64Array {
  const a = m[0], b = m[4], c = m[8];
  const d = m[1], e = m[5], f = m[9];
  const g = m[2], h = m[6], i = m[10];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  const inv = 1 / det;
  const r = new Float64Array(16);
  r[0] = (e * i - f * h) * inv;
  r[4] = (c * h - b * i) * inv;
  r[8] = (b * f - c * e) * inv;
  r[1] = (f * g - d * i) * inv;
  r[5] = (a * i - c * g) * inv;
  r[9] = (c * d - a * f) * inv;
  r[2] = (d * h - e * g) * inv;
  r[6] = (b * g - a * h) * inv;
  r[10] = (a * e - b * d) * inv;
  const t = [m[12], m[13], m[14]];
  r[12] = -(r[0] * t[0] + r[4] * t[1] + r[8] * t[2]);
  r[13] = -(r[1] * t[0] + r[5] * t[1] + r[9] * t[2]);
  r[14] = -(r[2] * t[0] + r[6] * t[1] + r[10] * t[2]);
  r[15] = 1;
  return r;
}
