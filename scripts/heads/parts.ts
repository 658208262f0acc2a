/** Small reusable add-on parts: blush patches, bolts, rods, discs, tufts. */
import { type Part, newPart, vertexCount, transformVertices } from './mesh.js';
import { ellipsoid, lathe, sweep, catmullRom } from './primitives.js';
import { type Sdf, front } from './shape.js';
import { type V3, add, madd, alignZ, norm } from './vec.js';

/** Flattened ellipsoid patches on both cheeks (kind 'cheek': they ride the cheek morphs). */
export function blush(shape: Sdf, x: number, y: number, radii: V3, sink: number, material: string): Part {
  const part = newPart('blush', 'cheek');
  for (const side of [1, -1]) {
    const h = front(shape, x * side, y);
    const first = vertexCount(part);
    ellipsoid(part, [0, 0, 0], radii, material, 18, 8);
    const c = madd(h.p, h.n, -sink);
    transformVertices(part, first, (v) => add(c, alignZ(v, h.n)));
  }
  return part;
}

/** A disc (short cylinder with rounded rims) whose axis points along `axis`, centred at c. */
export function disc(part: Part, c: V3, axis: V3, radius: number, thickness: number, material: string, rim = 0.3): void {
  const first = vertexCount(part);
  const prof = (v: number): [number, number] => {
    // Bottom pole -> rim -> top pole, as a rounded slab.
    const a = v * Math.PI;
    const r = radius - rim + rim * Math.sin(a);
    const flatBottom = v < 0.08 ? (v / 0.08) : 1;
    const flatTop = v > 0.92 ? ((1 - v) / 0.08) : 1;
    const rr = Math.min(flatBottom, flatTop) * r;
    return [Math.max(0, rr), thickness * (0.5 - 0.5 * Math.cos(a)) - thickness / 2];
  };
  lathe(part, [0, 0, 0], prof, material, 24, 10, { inside: [0, 0, 0] });
  // Lathe axis is y: rotate y onto axis.
  const n = norm(axis);
  transformVertices(part, first, (v) => add(c, alignZ([v[0], -v[2], v[1]], n)));
}

/** A rod from a to b with a rounded end, radius r. */
export function rod(part: Part, a: V3, b: V3, r: number, material: string): void {
  const path = (v: number): V3 => [a[0] + (b[0] - a[0]) * v, a[1] + (b[1] - a[1]) * v, a[2] + (b[2] - a[2]) * v];
  const d = norm([b[0] - a[0], b[1] - a[1], b[2] - a[2]]);
  const up: V3 = Math.abs(d[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  sweep(part, path, () => up, (v) => {
    const e = Math.min(1, Math.min(v, 1 - v) * 12);
    const k = Math.sqrt(Math.max(0, e));
    return [r * k, r * k];
  }, material, 10, 8);
}

/** A curved, tapering tuft (hair curl, horn) through control points. */
export function tuft(part: Part, pts: V3[], radius: number, material: string, flat = 1): void {
  const path = catmullRom(pts);
  sweep(part, path, () => [0, 0, 1], (v) => {
    const r = radius * (1 - v) ** 0.9 * Math.min(1, v * 8 + 0.4);
    return [r, r * flat];
  }, material, 10, 16);
}
