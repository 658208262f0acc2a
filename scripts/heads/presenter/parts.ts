/**
 * The presenter's own parts: short hair following the skull, human ears, lower eyelids
 * (kind 'lid', so blinks and squints move them with the eye), and the static upper body
 * (neck, shoulders in a shirt, a collar) rendered as its own layer under the head.
 */
import { type Part, newPart, grid, vertexCount, transformVertices } from '../mesh.js';
import { ellipsoid, ellipsoidCap, lathe, sweep } from '../primitives.js';
import { type Sdf, rayExit, gradient } from '../shape.js';
import { type V3, add, madd, rotX, rotY, deg, keyframesAt, lerp, smoothstep } from '../vec.js';

/**
 * Hair: a shell over the skull, `thickness(elevation)` cm above the surface, down to a
 * hairline that is high on the forehead, above the ears at the sides and low at the nape.
 * Rays from `center`: u is the azimuth (0 toward +z, the face), v runs from the crown down.
 */
export function buildHair(shape: Sdf, center: V3, material: string): Part {
  const part = newPart('hair', 'static');
  // Lowest polar angle (degrees from +y) of the hair at each azimuth: forehead, temples, nape.
  const limit = (az: number): number => {
    const c = Math.cos(az);
    const s = Math.abs(Math.sin(az));
    if (c > 0) return 45 * c ** 1.5 + 84 * (1 - c ** 1.5) - 6 * s * c;
    return 84 + 40 * (-c) ** 1.3;
  };
  grid(part, 72, 28, (u, v) => {
    const az = u * Math.PI * 2;
    const th = deg(limit(az)) * v;
    const dir: V3 = [Math.sin(th) * Math.sin(az), Math.cos(th), Math.sin(th) * Math.cos(az)];
    const p = rayExit(shape, center, dir);
    const n = gradient(shape, p);
    // Thick on the crown, thinning to a soft edge at the hairline.
    const edge = 1 - smoothstep(0.8, 1, v);
    const crown = 1.2 + 1.5 * (1 - smoothstep(0.1, 0.8, v)) * (0.6 + 0.4 * Math.cos(az));
    const t = lerp(0.12, crown, edge);
    return madd(p, n, t);
  }, { material, wrapU: true, pole0: true, inside: center });
  return part;
}

/**
 * Human ears on both sides: a flat upright oval (rim) with a darker hollow, leaning back
 * a little and standing out from the head at the back edge.
 */
export function buildEars(shape: Sdf, from: V3, outer: string, inner: string): Part {
  const part = newPart('ears', 'static');
  for (const side of [1, -1]) {
    const base = rayExit(shape, from, [side, -0.05, -0.18]);
    const first = vertexCount(part);
    ellipsoid(part, [0, 0, 0], [0.55, 3.0, 1.75], outer, 24, 16);
    ellipsoid(part, [0.32, -0.3, 0.15], [0.3, 1.9, 1.05], inner, 18, 12);
    transformVertices(part, first, (v) => {
      let q: V3 = [v[0] * side, v[1], v[2]];
      q = rotX(q, deg(-12));
      q = rotY(q, side * deg(-18));
      return add(add(base, [side * 0.35, 0, 0]), q);
    });
  }
  return part;
}

/**
 * Lower lids: caps of shells around the eyes' down axes, in skin colour. Tagged like the
 * upper lids (kind 'lid', side) so blinks squash them toward the closing line and squints
 * raise them.
 */
export function buildLowerLids(eyeCenter: V3, radii: V3, yawDeg: number, lidDeg: number, material: string): Part {
  const part = newPart('lowerLids', 'lid');
  for (const side of [1, -1]) {
    const c: V3 = [eyeCenter[0] * side, eyeCenter[1], eyeCenter[2]];
    const first = vertexCount(part);
    ellipsoidCap(part, [0, 0, 0], [radii[0] * 1.07, radii[1] * 1.07, radii[2] * 1.07], [0, -1, 0.12], deg(lidDeg), material, 32, 8, () => ({ side }));
    transformVertices(part, first, (v) => add(c, rotY(v, deg(yawDeg) * side)));
  }
  return part;
}

/** Torso keyframes bottom to top: [y, half width, half depth] (canonical cm). */
const TORSO: [number, number, number][] = [
  [-60, 15.5, 10], [-48, 17, 10.5], [-38, 18.5, 10.5], [-30, 19.5, 10.5], [-24, 19, 10],
  [-20.5, 16.5, 9.2], [-17.8, 12.0, 8.2], [-16.4, 8.0, 7.0], [-15.8, 6.0, 6.2],
];


/** Where the body's neck is (a tube along y at x = 0, z = NECK_Z). */
export const NECK_Z = -3.4;

/**
 * The upper body: a neck from inside the head down into the shirt, the shirt's torso with
 * sloping shoulders, and a collar around the front of the neck.
 */
export function buildUpperBody(skin: string, shirt: string, collar: string): Part {
  const part = newPart('upperBody', 'static');
  const z = NECK_Z;
  // Neck: from below the collar line up into the head (y -4).
  lathe(part, [0, -21, z], (v) => {
    const r = 5.2 + 0.9 * (1 - smoothstep(0, 0.3, v));
    if (v > 0.97) return [r * Math.sqrt(Math.max(0, (1 - v) / 0.03)), 17 + 0.3 * (v - 0.97) / 0.03];
    return [r, 17 * v];
  }, skin, 36, 20, { sz: 0.92 });
  const n = 3.0;
  grid(part, 48, 30, (u, v) => {
    if (v <= 0) return [0, TORSO[0][0] - 1, z];
    if (v >= 1) return [0, TORSO[TORSO.length - 1][0] + 0.2, z];
    const [y, rx, rz] = keyframesAt(TORSO, Math.min(1, Math.max(0, (v * 30 - 1) / 28)));
    const a = u * Math.PI * 2;
    const s = Math.sin(a);
    const c = Math.cos(a);
    return [rx * Math.sign(s) * Math.abs(s) ** (2 / n), y, z + rz * Math.sign(c) * Math.abs(c) ** (2 / n)];
  }, { material: shirt, wrapU: true, pole0: true, pole1: true, inside: [0, -40, z] });
  // Collar: a rolled band around the front and sides of the neck, dipping at the front.
  const path = (v: number): V3 => {
    const a = deg(lerp(-120, 120, v));
    const dip = 1.6 * Math.cos(a / 2) ** 6;
    return [6.3 * Math.sin(a), -15.4 - dip, z + 6.1 * Math.cos(a)];
  };
  sweep(part, path, () => [0, 1, 0], (v) => {
    const e = Math.sqrt(Math.min(1, Math.min(v, 1 - v) * 12));
    return [0.9 * e, 0.55 * e];
  }, collar, 12, 40);
  return part;
}
