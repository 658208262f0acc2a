/**
 * Lighting matched to the footage, so the mascot sits in the shot: where the key light
 * comes from, how strong it is against the ambient light, the exposure and the colour
 * cast, estimated from a few frames and their face landmarks.
 *
 * - Direction and contrast: a plane fitted to the skin brightness at the probe points
 *   (LIGHTING_PROBES: cheeks, forehead, jaw) over the face: its slope across and up the
 *   face, relative to its mean, points toward the key light. Being a ratio, it does not
 *   depend on the skin's own tone.
 * - Exposure and colour cast: from the frame around the head (never from the skin, so a
 *   darker skin does not make a darker mascot).
 *
 * Pure functions; the medians over the samples keep one odd frame from swinging it.
 */
import { KEY_POINTS, LIGHTING_PROBES } from '../core/landmarks.js';
import type { SceneLighting } from '../core/page-contract.js';

/** noggin's own lighting: key from the upper right, in front; neutral white. */
export const STUDIO_LIGHTING: SceneLighting = { keyFrom: normalize([0.35, 0.45, 1]), key: 1, ambient: 1, color: [1, 1, 1] };

/** Mean linear luma of a frame that needs no exposure correction (18% grey). */
const MID_GREY = 0.18;
/** Share of the forehead-to-jaw slope taken as light from above (the rest is the face's shape). */
const VERTICAL_WEIGHT = 0.5;
/** How far the footage's colour cast tints the lights (0: not at all, 1: fully). */
const TINT = 0.3;

/** One frame to learn from. */
export interface LightingSample {
  /** Frame pixels, RGBA, rows from the top, sRGB. */
  readonly rgba: Uint8Array;
  /** Frame size, px. */
  readonly width: number;
  readonly height: number;
  /** The face's 478 landmarks, x/y normalized [0,1] to the frame, z as MediaPipe gives. */
  readonly landmarks: Float32Array;
}

/** What one frame says, before the medians. */
interface FrameLight {
  readonly x: number;
  readonly y: number;
  readonly contrast: number;
  readonly exposure: number;
  readonly cast: readonly [number, number, number];
}

const LINEAR = Float32Array.from({ length: 256 }, (_, v) => (v / 255) ** 2.2);

function normalize(v: readonly [number, number, number]): [number, number, number] {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : 0;
}

/** Mean linear luma of a (2r+1)^2 patch around (x, y), px. */
function patchLuma(s: LightingSample, x: number, y: number, r: number): number | null {
  let sum = 0;
  let n = 0;
  for (let yy = Math.round(y) - r; yy <= Math.round(y) + r; yy++) {
    if (yy < 0 || yy >= s.height) continue;
    for (let xx = Math.round(x) - r; xx <= Math.round(x) + r; xx++) {
      if (xx < 0 || xx >= s.width) continue;
      const o = (yy * s.width + xx) * 4;
      sum += 0.2126 * LINEAR[s.rgba[o]] + 0.7152 * LINEAR[s.rgba[o + 1]] + 0.0722 * LINEAR[s.rgba[o + 2]];
      n++;
    }
  }
  return n ? sum / n : null;
}

/** Least-squares plane L = a + b*u + c*v; null when degenerate. */
function fitPlane(pts: readonly { u: number; v: number; l: number }[]): { a: number; b: number; c: number } | null {
  let su = 0, sv = 0, sl = 0, suu = 0, svv = 0, suv = 0, sul = 0, svl = 0;
  const n = pts.length;
  for (const p of pts) {
    su += p.u; sv += p.v; sl += p.l;
    suu += p.u * p.u; svv += p.v * p.v; suv += p.u * p.v;
    sul += p.u * p.l; svl += p.v * p.l;
  }
  if (n < 4) return null;
  const mu = su / n, mv = sv / n, ml = sl / n;
  const cuu = suu / n - mu * mu, cvv = svv / n - mv * mv, cuv = suv / n - mu * mv;
  const cul = sul / n - mu * ml, cvl = svl / n - mv * ml;
  const det = cuu * cvv - cuv * cuv;
  if (Math.abs(det) < 1e-9) return null;
  const b = (cul * cvv - cvl * cuv) / det;
  const c = (cvl * cuu - cul * cuv) / det;
  return { a: ml - b * mu - c * mv, b, c };
}

/** What one frame says about its light; null when the face gives too little to go on. */
export function frameLight(s: LightingSample): FrameLight | null {
  const lm = s.landmarks;
  const px = (i: number): [number, number] => [lm[i * 3] * s.width, lm[i * 3 + 1] * s.height];
  const top = px(KEY_POINTS.foreheadTop);
  const chin = px(KEY_POINTS.chin);
  const fh = Math.hypot(top[0] - chin[0], top[1] - chin[1]);
  if (fh < 16) return null;
  const r = Math.max(1, Math.round(fh * 0.025));
  const probes = Object.values(LIGHTING_PROBES).flat();
  let cx = 0;
  let cy = 0;
  for (const i of probes) {
    cx += px(i)[0];
    cy += px(i)[1];
  }
  cx /= probes.length;
  cy /= probes.length;
  const pts: { u: number; v: number; l: number }[] = [];
  for (const i of probes) {
    const [x, y] = px(i);
    const l = patchLuma(s, x, y, r);
    if (l !== null) pts.push({ u: (x - cx) / fh, v: (cy - y) / fh, l });
  }
  const plane = fitPlane(pts);
  if (!plane || plane.a <= 1e-3) return null;
  // Exposure and colour cast from every 7th pixel of the frame, the head left out.
  let lr = 0, lg = 0, lb = 0, n = 0;
  const headR2 = (0.75 * fh) ** 2;
  for (let p = 0; p < s.width * s.height; p += 7) {
    const dx = (p % s.width) - cx;
    const dy = Math.floor(p / s.width) - cy;
    if (dx * dx + dy * dy < headR2) continue;
    const o = p * 4;
    lr += LINEAR[s.rgba[o]];
    lg += LINEAR[s.rgba[o + 1]];
    lb += LINEAR[s.rgba[o + 2]];
    n++;
  }
  if (!n) return null;
  lr /= n; lg /= n; lb /= n;
  const peak = Math.max(lr, lg, lb, 1e-6);
  return {
    x: plane.b / plane.a,
    y: plane.c / plane.a,
    contrast: Math.hypot(plane.b, plane.c) / plane.a,
    exposure: 0.2126 * lr + 0.7152 * lg + 0.0722 * lb,
    cast: [lr / peak, lg / peak, lb / peak],
  };
}

/**
 * Lighting for the head scene from frames of the footage (studio lighting when no frame
 * gives an estimate). The result is kept moderate: a mascot stays readable in any shot.
 */
export function estimateLighting(samples: readonly LightingSample[]): SceneLighting {
  const lights = samples.map(frameLight).filter((f): f is FrameLight => f !== null);
  if (!lights.length) return STUDIO_LIGHTING;
  // The slope per face height relative to the mean is about the light's x (y) component.
  const x = Math.max(-0.9, Math.min(0.9, median(lights.map((l) => l.x))));
  // Under any light the jaw sits in more shadow than the forehead: count half the vertical slope.
  const y = Math.max(-0.6, Math.min(0.9, VERTICAL_WEIGHT * median(lights.map((l) => l.y))));
  const keyFrom = normalize([x, y, Math.sqrt(Math.max(0.25, 1 - x * x - y * y))]);
  const contrast = Math.min(1, median(lights.map((l) => l.contrast)));
  const exposure = Math.max(0.75, Math.min(1.2, Math.sqrt(median(lights.map((l) => l.exposure)) / MID_GREY)));
  const cast = [0, 1, 2].map((c) => 1 - TINT + TINT * median(lights.map((l) => l.cast[c]))) as [number, number, number];
  return {
    keyFrom,
    key: (0.85 + 0.4 * contrast) * exposure,
    ambient: (1.1 - 0.5 * contrast) * exposure,
    color: cast,
  };
}
