/**
 * Cartoon eyes: the front cap of an ellipsoidal eyeball (white; its back never shows), iris,
 * pupil and a catch-light as caps on slightly larger shells (so irises can slide over the
 * white when the eye looks around), an upper lid shell and a lash line along the lid edge.
 * Left/right are the subject's: side +1 is the subject's left eye at +x.
 */
import { type Part, newPart, vertexCount, transformVertices } from './mesh.js';
import { ellipsoidCap, sweep } from './primitives.js';
import { type V3, add, mul, rotY, rotZ, norm, deg } from './vec.js';

export interface EyeMaterials {
  white: string;
  iris: string;
  pupil: string;
  highlight: string;
  lid: string;
  lash: string;
}

export interface EyeSpec {
  /** Eyeball centre (subject's left eye, +x); the right eye mirrors it. */
  center: V3;
  radii: V3;
  /** Outward yaw of the eye, degrees (follows the head's curvature). */
  yawDeg: number;
  /** Iris and pupil sizes as angles on the eyeball, degrees. */
  irisDeg: number;
  pupilDeg: number;
  /** Lid edge: angle from the top of the eye, degrees (90 = lid down to the middle). */
  lidDeg: number;
  /** Lid edge tilt, degrees (positive raises the outer end). */
  lidTiltDeg: number;
  /** Lash line thickness, cm; 0 for none. */
  lash: number;
  materials: EyeMaterials;
  /** Scale of the lid shell over the eyeball. */
  lidScale?: number;
}

/** Eye rig data the morph fields need, per side (+1 left, -1 right). */
export interface EyeRig {
  side: number;
  center: V3;
  radii: V3;
  yaw: number;
  /** World y of the lid edge's centre, and of the line the eye closes to. */
  lidY: number;
  closeY: number;
  topY: number;
}

export interface EyeParts {
  eye: Part;
  lid: Part;
  lash: Part;
  rigs: { left: EyeRig; right: EyeRig };
}

/** Half-angle of the eyeball's white cap around its front, degrees. */
const WHITE_CAP_DEG = 125;
/**
 * Radius of the iris shell over the white's (1). A look of angle a at half weight puts a
 * point 1 - a^2/8 of the way out (0.97 at 28 degrees; two looks at half weight add up), so
 * 1.06 keeps the iris above the white.
 */
export const IRIS_LIFT = 1.06;

export function buildEyes(spec: EyeSpec): EyeParts {
  const eye = newPart('eyes', 'eye');
  const lid = newPart('lids', 'lid');
  const lash = newPart('lashes', 'lash');
  const rigs: EyeRig[] = [];
  const k = spec.lidScale ?? 1.1;
  for (const side of [1, -1]) {
    const C: V3 = [spec.center[0] * side, spec.center[1], spec.center[2]];
    const r = spec.radii;
    const yaw = deg(spec.yawDeg) * side;
    const toWorld = (local: V3): V3 => add(C, rotY(local, yaw));
    const O: V3 = [0, 0, 0];
    const tags = (layer: number) => () => ({ side, layer });
    // Eyeball and its layers, built at the origin then placed.
    let first = vertexCount(eye);
    // Only the front of the eyeball can ever show: its back is deep inside the head.
    ellipsoidCap(eye, O, r, [0, 0, 1], deg(WHITE_CAP_DEG), spec.materials.white, 28, 9, tags(0));
    // Iris, pupil and catch-light float a little above the white: the eyeLook morphs move
    // them along chords of the eyeball, which dip below its surface at half weight.
    ellipsoidCap(eye, O, mul(r, [IRIS_LIFT, IRIS_LIFT, IRIS_LIFT]), [0, 0, 1], deg(spec.irisDeg), spec.materials.iris, 28, 4, tags(1));
    ellipsoidCap(eye, O, mul(r, [IRIS_LIFT + 0.015, IRIS_LIFT + 0.015, IRIS_LIFT + 0.015]), [0, 0, 1], deg(spec.pupilDeg), spec.materials.pupil, 20, 2, tags(2));
    const hl = norm([0.35, 0.42, 0.84]);
    ellipsoidCap(eye, O, mul(r, [IRIS_LIFT + 0.03, IRIS_LIFT + 0.03, IRIS_LIFT + 0.03]), hl, deg(spec.pupilDeg * 0.45), spec.materials.highlight, 12, 2, tags(3));
    transformVertices(eye, first, toWorld);
    // Upper lid: a cap of a larger shell around the (tilted) up axis.
    const tilt = deg(spec.lidTiltDeg);
    const lidAxis = norm(rotZ([0, 1, 0], -tilt));
    first = vertexCount(lid);
    const lidR = mul(r, [k, k, k]);
    ellipsoidCap(lid, O, lidR, lidAxis, deg(spec.lidDeg), spec.materials.lid, 24, 6, () => ({ side }));
    transformVertices(lid, first, toWorld);
    // The lid edge curve (front part) for the lash line.
    const edgeLocal = (v: number): V3 => {
      const psi = deg(-105 + 210 * v);
      const th = deg(spec.lidDeg);
      // Circle at polar angle th around lidAxis, in unit-sphere space, then scaled.
      const ref: V3 = [0, 0, 1];
      const a = lidAxis;
      const t1 = norm([ref[0] - a[0] * a[2], ref[1] - a[1] * a[2], ref[2] - a[2] * a[2]]);
      const t2: V3 = [a[1] * t1[2] - a[2] * t1[1], a[2] * t1[0] - a[0] * t1[2], a[0] * t1[1] - a[1] * t1[0]];
      const d: V3 = [
        a[0] * Math.cos(th) + Math.sin(th) * (t1[0] * Math.cos(psi) + t2[0] * Math.sin(psi)),
        a[1] * Math.cos(th) + Math.sin(th) * (t1[1] * Math.cos(psi) + t2[1] * Math.sin(psi)),
        a[2] * Math.cos(th) + Math.sin(th) * (t1[2] * Math.cos(psi) + t2[2] * Math.sin(psi)),
      ];
      return mul(lidR, d);
    };
    const lidMid = toWorld(edgeLocal(0.5));
    if (spec.lash > 0) {
      const path = (v: number): V3 => toWorld(edgeLocal(v));
      const taper = (v: number): number => Math.sin(Math.PI * Math.min(1, Math.max(0, v))) ** 0.5;
      sweep(lash, path, () => [0, 1, 0], (v) => [spec.lash * 0.55 * taper(v), spec.lash * taper(v)],
        spec.materials.lash, 8, 22, (_u, v) => ({ side, cy: path(v)[1] }));
    }
    const topY = C[1] + r[1] * k;
    const bottomY = C[1] - r[1];
    rigs.push({
      side, center: C, radii: r, yaw, lidY: lidMid[1], topY,
      closeY: bottomY + (topY - bottomY) * 0.3,
    });
  }
  return { eye, lid, lash, rigs: { left: rigs[0], right: rigs[1] } };
}
