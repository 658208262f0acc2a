/**
 * The presenter's head shape: an implicit surface fitted to MediaPipe's canonical face
 * model (canonical cm: y up, face toward +z, +x the subject's left), so the landmarker
 * finds the features where it expects them: cranium, jaw and chin, cheekbones, a brow
 * ridge over shallow eye sockets, and a nose with a bridge, tip and wings.
 */
import { type Sdf, ellipsoidSdf, union, subtract } from '../shape.js';
import { type V3, sub, dot, clamp, lerp, madd, len } from '../vec.js';

/** A cone with rounded ends from a (radius ra) to b (radius rb); approximate distance. */
export function roundConeSdf(a: V3, b: V3, ra: number, rb: number): Sdf {
  const ab = sub(b, a);
  const l2 = dot(ab, ab);
  return (p) => {
    const t = clamp(dot(sub(p, a), ab) / l2, 0, 1);
    return len(sub(p, madd(a, ab, t))) - lerp(ra, rb, t);
  };
}

/** Centre of the cranium ellipsoid (also the centre the hair shell is built from). */
export const CRANIUM_CENTER: V3 = [0, 3.6, -4.4];
const CRANIUM_RADII: V3 = [7.7, 9.4, 9.8];

/** Eye centre of the subject's left eye (+x); the right eye mirrors it. */
export const EYE_CENTER: V3 = [3.15, 2.62, 2.45];
export const EYE_RADII: V3 = [1.25, 1.2, 1.2];

const skull = union(
  2.5,
  ellipsoidSdf(CRANIUM_CENTER, CRANIUM_RADII),
  // Lower face and jaw.
  ellipsoidSdf([0, -4.2, -0.9], [6.5, 6.5, 6.5]),
  // Chin.
  ellipsoidSdf([0, -8.7, 2.6], [3.0, 1.9, 2.0]),
  // Cheekbones.
  ellipsoidSdf([3.9, -0.4, 1.9], [2.9, 2.5, 2.6]),
  ellipsoidSdf([-3.9, -0.4, 1.9], [2.9, 2.5, 2.6]),
  // Temples and the outer rims of the eye sockets.
  ellipsoidSdf([4.9, 2.4, 0.2], [2.4, 2.6, 3.0]),
  ellipsoidSdf([-4.9, 2.4, 0.2], [2.4, 2.6, 3.0]),
  // Brow ridge.
  ellipsoidSdf([0, 4.7, 2.7], [5.9, 1.3, 2.6]),
);

/** Shallow sockets around the eyes (shading and room for the eyeballs). */
const sockets = subtract(
  subtract(skull, ellipsoidSdf([EYE_CENTER[0], 2.75, 4.4], [1.9, 1.15, 1.5]), 0.9),
  ellipsoidSdf([-EYE_CENTER[0], 2.75, 4.4], [1.9, 1.15, 1.5]),
  0.9,
);

/** The whole head, nose included. */
export const PRESENTER_SHAPE: Sdf = union(
  0.5,
  sockets,
  // Nose: bridge to tip, then the wings on either side of the tip.
  roundConeSdf([0, 3.2, 5.0], [0, -0.45, 6.8], 0.5, 0.85),
  ellipsoidSdf([1.05, -0.9, 5.7], [0.75, 0.55, 0.7]),
  ellipsoidSdf([-1.05, -0.9, 5.7], [0.75, 0.55, 0.7]),
);
