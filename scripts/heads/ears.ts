/** Ears and other static add-ons that stick out of the head (built at the origin, then placed). */
import { type Part, newPart, vertexCount, transformVertices } from './mesh.js';
import { lathe, ellipsoid } from './primitives.js';
import { type Sdf, rayExit } from './shape.js';
import { type V3, add, madd, norm, rotZ, rotX, deg } from './vec.js';

export interface PointedEarSpec {
  /** Direction from `from` toward where the ear sits (subject's left ear; mirrored). */
  dir: V3;
  from: V3;
  baseRadius: number;
  height: number;
  /** Front-back flattening of the cone. */
  flat: number;
  /** How deep the base sinks into the head, cm. */
  sink: number;
  /** Outward roll and backward tilt, degrees. */
  rollDeg: number;
  tiltDeg: number;
  outer: string;
  inner: string;
  tip?: string;
}

/** Pointed (fox/cat) ears: a flattened cone with an inner cone on the front face. */
export function pointedEars(shape: Sdf, e: PointedEarSpec): Part {
  const part = newPart('ears', 'static');
  for (const side of [1, -1]) {
    const d: V3 = [e.dir[0] * side, e.dir[1], e.dir[2]];
    const base = rayExit(shape, e.from, d);
    const first = vertexCount(part);
    const prof = (k: number, h: number) => (v: number): [number, number] => {
      const r = k * (1 - v) ** 1.15 * (1 - 0.15 * Math.exp(-((v - 0.15) ** 2) / 0.02));
      return [Math.max(0, r), h * v];
    };
    lathe(part, [0, 0, 0], prof(e.baseRadius, e.height), (_u, v) => (e.tip && v > 0.8 ? e.tip : e.outer), 22, 10, { sz: e.flat });
    lathe(part, [0, 0.3, e.baseRadius * e.flat * 0.45], prof(e.baseRadius * 0.62, e.height * 0.78), e.inner, 14, 6, { sz: e.flat * 0.7 });
    transformVertices(part, first, (v) => {
      let q = rotX(v, deg(-e.tiltDeg));
      q = rotZ(q, -side * deg(e.rollDeg));
      return add(madd(base, norm(d), -e.sink), q);
    });
  }
  return part;
}

/** Round (bear/mouse) ears: a flattened sphere with an inner disc. */
export function roundEars(shape: Sdf, from: V3, dir: V3, radius: number, flat: number, sink: number, rollDeg: number, outer: string, inner: string): Part {
  const part = newPart('ears', 'static');
  for (const side of [1, -1]) {
    const d: V3 = [dir[0] * side, dir[1], dir[2]];
    const base = rayExit(shape, from, d);
    const first = vertexCount(part);
    ellipsoid(part, [0, 0, 0], [radius, radius, radius * flat], outer, 22, 12);
    ellipsoid(part, [0, -radius * 0.08, radius * flat * 0.72], [radius * 0.66, radius * 0.62, radius * flat * 0.42], inner, 16, 8);
    transformVertices(part, first, (v) => add(madd(base, norm(d), -sink), rotZ(v, -side * deg(rollDeg))));
  }
  return part;
}
