/**
 * Where the presenter's head and neck are in a frame, from the landmarks: the face oval
 * grown for forehead, hair and ears (the region to hide), the neck below the jaw line
 * down to the collar, and the face's own up/down axis for the collar fade.
 */
import { FACE_OVAL, JAW_LINE, KEY_POINTS } from '../core/landmarks.js';
import type { Pt } from './mask.js';

/** How far the hidden region reaches beyond the face oval (fractions of the face height). */
export interface RegionParams {
  /** Growth of the oval everywhere. */
  readonly base: number;
  /** Extra growth upward (forehead and hair). */
  readonly hair: number;
  /** Extra growth sideways (ears). */
  readonly ears: number;
  /** Extra growth toward the back of the head when it is turned (hair, ponytail), at full profile. */
  readonly back: number;
  /** Depth of the collar below the chin. */
  readonly collar: number;
  /** Half width of the neck at the collar, as a fraction of the cheek-to-cheek width. */
  readonly neckHalfWidth: number;
  /** Soft edge width. */
  readonly feather: number;
}

export const DEFAULT_REGION: RegionParams = { base: 0.1, hair: 0.42, ears: 0.14, back: 0.6, collar: 0.45, neckHalfWidth: 0.4, feather: 0.035 };

/** The head's geometry in one frame, in frame pixels. */
export interface HeadRegion {
  /** Face height: forehead top to chin, px. */
  readonly faceHeight: number;
  /** Unit vector from chin toward forehead (image coordinates, y down). */
  readonly up: Pt;
  readonly chin: Pt;
  /** The original face oval. */
  readonly oval: Pt[];
  /** The region to hide above the jaw: the oval grown for forehead, hair and ears. */
  readonly head: Pt[];
  /** Below the jaw down to the collar. */
  readonly neck: Pt[];
  /** Distance below the chin (along -up) where the collar is, px. */
  readonly collarDepth: number;
  /** Soft edge radius, px. */
  readonly featherPx: number;
}

/** Landmark `i` in frame pixels. */
export function landmarkPx(lm: Float32Array, i: number, width: number, height: number): Pt {
  return [lm[i * 3] * width, lm[i * 3 + 1] * height];
}

/** The head region of a face in a width x height frame. */
export function headRegion(lm: Float32Array, width: number, height: number, p: RegionParams = DEFAULT_REGION): HeadRegion {
  const P = (i: number) => landmarkPx(lm, i, width, height);
  const top = P(KEY_POINTS.foreheadTop);
  const chin = P(KEY_POINTS.chin);
  const fh = Math.max(1, Math.hypot(top[0] - chin[0], top[1] - chin[1]));
  const up: Pt = [(top[0] - chin[0]) / fh, (top[1] - chin[1]) / fh];
  const side: Pt = [-up[1], up[0]];
  const oval = FACE_OVAL.map(P);
  let cx = 0;
  let cy = 0;
  for (const [x, y] of oval) {
    cx += x;
    cy += y;
  }
  cx /= oval.length;
  cy /= oval.length;
  const l = P(KEY_POINTS.rightCheek);
  const r = P(KEY_POINTS.leftCheek);
  const nose = P(KEY_POINTS.noseTip);
  // Yaw in [-1,1]: how far the nose sits off the cheeks' midpoint, along the face's side axis.
  const cheekW = Math.hypot(r[0] - l[0], r[1] - l[1]);
  const yaw = Math.max(-1, Math.min(1, ((nose[0] - (l[0] + r[0]) / 2) * side[0] + (nose[1] - (l[1] + r[1]) / 2) * side[1]) / Math.max(1, cheekW / 2)));
  const head = oval.map(([x, y]): Pt => {
    const dx = x - cx;
    const dy = y - cy;
    const d = Math.hypot(dx, dy) || 1;
    const cu = (dx * up[0] + dy * up[1]) / d;
    const css = (dx * side[0] + dy * side[1]) / d;
    const cs = Math.abs(css);
    // The back of the head shows on the side away from where the nose points.
    const back = p.back * Math.abs(yaw) * Math.max(0, -css * Math.sign(yaw)) * (cu > -0.5 ? 1 : 0.3);
    const grow = fh * (p.base + p.hair * Math.max(0, cu) ** 1.5 + p.ears * cs * (cu > -0.3 ? 1 : 0.5) + back);
    return [x + (dx / d) * grow, y + (dy / d) * grow];
  });
  const depth = fh * p.collar;
  const half = cheekW * p.neckHalfWidth;
  const collarC: Pt = [chin[0] - up[0] * depth, chin[1] - up[1] * depth];
  // JAW_LINE runs from the right cheek (234) under the chin to the left cheek (454).
  const jaw = JAW_LINE.map(P);
  const toL: Pt = [r[0] - l[0], r[1] - l[1]];
  const sgn = toL[0] * side[0] + toL[1] * side[1] >= 0 ? 1 : -1;
  const neck: Pt[] = [
    ...jaw,
    [collarC[0] + side[0] * half * sgn, collarC[1] + side[1] * half * sgn],
    [collarC[0] - side[0] * half * sgn, collarC[1] - side[1] * half * sgn],
  ];
  return { faceHeight: fh, up, chin, oval, head, neck, collarDepth: depth, featherPx: Math.max(1.5, fh * p.feather) };
}
