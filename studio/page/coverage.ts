/**
 * How much of the presenter's face the composite covers: the share of pixels inside the
 * face oval (core/landmarks.ts FACE_OVAL, display px) whose colour differs from the camera
 * frame. Pure; used by the page's probe for tests.
 */
import { FACE_OVAL } from '../../core/landmarks.js';

/** Result of a coverage measurement. */
export interface Coverage {
  /** Pixels inside the face oval. */
  readonly ovalPixels: number;
  /** Of those, pixels whose largest channel difference exceeds the threshold. */
  readonly differing: number;
  /** differing / ovalPixels (0 when the oval is empty). */
  readonly coverage: number;
  /** Mean RGB (0-255) of the output inside the oval. */
  readonly meanOutputRgb: readonly [number, number, number];
}

/** Largest-channel difference (0-255) above which a pixel "differs" (as test/composite.test.ts counts it). */
export const COVERAGE_THRESHOLD = 8;

/** Measures coverage between two top-down RGBA frames of w x h for landmarks in [0,1] display coordinates. */
export function faceCoverage(output: Uint8Array, camera: Uint8Array, w: number, h: number, landmarks: ArrayLike<number>, threshold = COVERAGE_THRESHOLD): Coverage {
  const poly = FACE_OVAL.map((i) => [landmarks[i * 3] * w, landmarks[i * 3 + 1] * h] as const);
  let y0 = h;
  let y1 = 0;
  for (const [, y] of poly) {
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  let inside = 0;
  let differing = 0;
  const sum = [0, 0, 0];
  const xs: number[] = [];
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(h, Math.ceil(y1)); y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      const [xi, yi] = poly[i];
      const [xj, yj] = poly[j];
      if (yi > cy !== yj > cy) xs.push(xi + ((cy - yi) / (yj - yi)) * (xj - xi));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const a = Math.max(0, Math.ceil(xs[k] - 0.5));
      const b = Math.min(w, Math.ceil(xs[k + 1] - 0.5));
      for (let x = a; x < b; x++) {
        const p = (y * w + x) * 4;
        inside++;
        const d = Math.max(Math.abs(output[p] - camera[p]), Math.abs(output[p + 1] - camera[p + 1]), Math.abs(output[p + 2] - camera[p + 2]));
        if (d > threshold) differing++;
        sum[0] += output[p];
        sum[1] += output[p + 1];
        sum[2] += output[p + 2];
      }
    }
  }
  const n = Math.max(1, inside);
  return { ovalPixels: inside, differing, coverage: inside ? differing / inside : 0, meanOutputRgb: [sum[0] / n, sum[1] / n, sum[2] / n] };
}
