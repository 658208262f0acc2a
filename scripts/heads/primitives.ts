/**
 * Geometry primitives built on `grid`: ellipsoids, caps, surfaces of revolution and swept
 * tubes. Every builder appends to a Part and returns the index of its first vertex so a
 * caller can transform just what it added.
 */
import { type Part, type GridOptions, grid, vertexCount } from './mesh.js';
import { type V3, add, cross, norm, scale, sub, madd, dot } from './vec.js';

type Tags = GridOptions['tags'];

/** Ellipsoid with its poles on the y axis. */
export function ellipsoid(
  p: Part, center: V3, radii: V3, material: string, seg = 32, rings = 20, tags?: Tags,
): number {
  const first = vertexCount(p);
  grid(p, seg, rings, (u, v) => {
    const th = v * Math.PI;
    const ph = u * Math.PI * 2;
    const s = Math.sin(th);
    return [center[0] + radii[0] * s * Math.sin(ph), center[1] + radii[1] * Math.cos(th), center[2] + radii[2] * s * Math.cos(ph)];
  }, { material, wrapU: true, pole0: true, pole1: true, inside: center, tags });
  return first;
}

/**
 * A cap of an ellipsoid around a direction: points whose direction (in the ellipsoid's
 * unit-sphere space) is within `angle` of `axis`. Built as a disc of rings from the centre.
 * `stretch` scales the radii (to sit just above a surface).
 */
export function ellipsoidCap(
  p: Part, center: V3, radii: V3, axis: V3, angle: number, material: string, seg = 32, rings = 6, tags?: Tags,
): number {
  const first = vertexCount(p);
  const a = norm(axis);
  const ref: V3 = Math.abs(a[1]) < 0.9 ? [0, 1, 0] : [1, 0, 0];
  const t1 = norm(cross(ref, a));
  const t2 = cross(a, t1);
  grid(p, seg, rings, (u, v) => {
    const th = v * angle;
    const ph = u * Math.PI * 2;
    const d = add(scale(a, Math.cos(th)), add(scale(t1, Math.sin(th) * Math.cos(ph)), scale(t2, Math.sin(th) * Math.sin(ph))));
    return [center[0] + radii[0] * d[0], center[1] + radii[1] * d[1], center[2] + radii[2] * d[2]];
  }, { material, wrapU: true, pole0: true, inside: center, tags });
  return first;
}

/**
 * Surface of revolution about the y axis through `base`: profile(v) gives [radius, height]
 * for v in [0,1]; ends with radius 0 become poles. `sx`/`sz` squash the section.
 */
export function lathe(
  p: Part, base: V3, profile: (v: number) => [number, number], material: GridOptions['material'],
  seg = 32, rows = 16, opts: { sx?: number; sz?: number; tags?: Tags; inside?: V3 } = {},
): number {
  const first = vertexCount(p);
  const sx = opts.sx ?? 1;
  const sz = opts.sz ?? 1;
  const [r0] = profile(0);
  const [r1] = profile(1);
  grid(p, seg, rows, (u, v) => {
    const [r, h] = profile(v);
    const ph = u * Math.PI * 2;
    return [base[0] + r * sx * Math.sin(ph), base[1] + h, base[2] + r * sz * Math.cos(ph)];
  }, {
    material, wrapU: true, pole0: Math.abs(r0) < 1e-9, pole1: Math.abs(r1) < 1e-9, tags: opts.tags,
    inside: opts.inside ?? add(base, [0, (profile(0.5)[1] + profile(0)[1] + profile(1)[1]) / 3, 0]),
  });
  return first;
}

/**
 * A tube swept along a path (polyline, sampled as given). `section(v, angle)` gives the
 * radii [across, up] at fraction v along the path; `up(v)` orients the section.
 * Ends with zero radius become poles.
 */
export function sweep(
  p: Part, path: (v: number) => V3, up: (v: number) => V3, section: (v: number) => [number, number],
  material: string, seg = 16, rows = 24, tags?: Tags, flip = true,
): number {
  const first = vertexCount(p);
  const eps = 1e-3;
  const frame = (v: number): [V3, V3, V3] => {
    const a = path(Math.max(0, v - eps));
    const b = path(Math.min(1, v + eps));
    const t = norm(sub(b, a));
    const u0 = up(v);
    const side = norm(cross(t, u0));
    const upv = cross(side, t);
    return [t, side, upv];
  };
  const [s0] = section(0);
  const [s1] = section(1);
  grid(p, seg, rows, (u, v) => {
    const [, side, upv] = frame(v);
    const [ra, rb] = section(v);
    const ph = u * Math.PI * 2;
    return madd(madd(path(v), side, ra * Math.cos(ph)), upv, rb * Math.sin(ph));
  }, { material, wrapU: true, pole0: s0 < 1e-9, pole1: s1 < 1e-9, tags, flip });
  // With the (tangent, side, up) frame above, grid's natural winding faces the path: flip by default.
  return first;
}

/** Catmull-Rom through points, parameter v in [0,1] by index. */
export function catmullRom(pts: V3[]): (v: number) => V3 {
  return (v: number) => {
    const n = pts.length - 1;
    const f = Math.min(n - 1e-9, Math.max(0, v * n));
    const i = Math.floor(f);
    const t = f - i;
    const p0 = pts[Math.max(0, i - 1)];
    const p1 = pts[i];
    const p2 = pts[i + 1];
    const p3 = pts[Math.min(n, i + 2)];
    const t2 = t * t;
    const t3 = t2 * t;
    const c = (a: number, b: number, c2: number, d: number): number =>
      0.5 * (2 * b + (-a + c2) * t + (2 * a - 5 * b + 4 * c2 - d) * t2 + (-a + 3 * b - 3 * c2 + d) * t3);
    return [c(p0[0], p1[0], p2[0], p3[0]), c(p0[1], p1[1], p2[1], p3[1]), c(p0[2], p1[2], p2[2], p3[2])];
  };
}

/** Signed-volume check: true when the part's triangles (from vertex `first`) enclose positive volume. */
export function outwardWinding(p: Part, first = 0): boolean {
  let vol = 0;
  for (const g of p.groups) {
    for (let k = 0; k < g.indices.length; k += 3) {
      const [a, b, c] = [g.indices[k], g.indices[k + 1], g.indices[k + 2]];
      if (a < first) continue;
      const pa: V3 = [p.positions[3 * a], p.positions[3 * a + 1], p.positions[3 * a + 2]];
      const pb: V3 = [p.positions[3 * b], p.positions[3 * b + 1], p.positions[3 * b + 2]];
      const pc: V3 = [p.positions[3 * c], p.positions[3 * c + 1], p.positions[3 * c + 2]];
      vol += dot(pa, cross(pb, pc));
    }
  }
  return vol > 0;
}
