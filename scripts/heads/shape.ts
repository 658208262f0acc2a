/**
 * Implicit head shapes (negative inside, roughly centimetres of distance) and projection
 * onto them: along rays from a centre (the skin grid) and along -z from the front (to
 * place eyes, brows and nose where a viewer facing the model sees the canonical features).
 */
import { type V3, add, norm, scale, sub, clamp } from './vec.js';

export type Sdf = (p: V3) => number;

/** Approximate signed distance to an ellipsoid. */
export function ellipsoidSdf(c: V3, r: V3): Sdf {
  const m = Math.min(r[0], r[1], r[2]);
  return (p) => {
    const k = Math.hypot((p[0] - c[0]) / r[0], (p[1] - c[1]) / r[1], (p[2] - c[2]) / r[2]);
    return (k - 1) * m;
  };
}

/** Superellipsoid |x/a|^n + |y/b|^n + |z/c|^n = 1 (n = 2: ellipsoid, larger: boxier). */
export function superSdf(c: V3, r: V3, n: number): Sdf {
  const m = Math.min(r[0], r[1], r[2]);
  return (p) => {
    const s =
      Math.abs((p[0] - c[0]) / r[0]) ** n + Math.abs((p[1] - c[1]) / r[1]) ** n + Math.abs((p[2] - c[2]) / r[2]) ** n;
    return (s ** (1 / n) - 1) * m;
  };
}

/** Polynomial smooth minimum (union with a blend of radius k). */
export function smin(a: number, b: number, k: number): number {
  const h = clamp(0.5 + (0.5 * (b - a)) / k, 0, 1);
  return b + (a - b) * h - k * h * (1 - h);
}

export function union(k: number, ...fs: Sdf[]): Sdf {
  return (p) => {
    let d = fs[0](p);
    for (let i = 1; i < fs.length; i++) d = smin(d, fs[i](p), k);
    return d;
  };
}

/** Smooth subtraction of b from a. */
export function subtract(a: Sdf, b: Sdf, k: number): Sdf {
  return (p) => -smin(-a(p), b(p), k);
}

export function gradient(f: Sdf, p: V3, h = 0.01): V3 {
  return norm([
    f([p[0] + h, p[1], p[2]]) - f([p[0] - h, p[1], p[2]]),
    f([p[0], p[1] + h, p[2]]) - f([p[0], p[1] - h, p[2]]),
    f([p[0], p[1], p[2] + h]) - f([p[0], p[1], p[2] - h]),
  ]);
}

/** Where the ray from `origin` (inside) along `dir` leaves the shape. */
export function rayExit(f: Sdf, origin: V3, dir: V3, rMax = 60): V3 {
  const d = norm(dir);
  // March outward to bracket the last crossing, then bisect.
  let lo = 0;
  let hi = rMax;
  const step = 0.25;
  let last = 0;
  for (let r = 0; r <= rMax; r += step) {
    if (f(add(origin, scale(d, r))) < 0) last = r;
  }
  lo = last;
  hi = last + step;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (f(add(origin, scale(d, mid))) < 0) lo = mid;
    else hi = mid;
  }
  return add(origin, scale(d, (lo + hi) / 2));
}

/** First hit of a ray from the front (z = +zStart) going -z at (x, y); null if it misses. */
export function frontHit(f: Sdf, x: number, y: number, zStart = 40): { p: V3; n: V3 } | null {
  let prev = zStart;
  for (let z = zStart; z > -40; z -= 0.2) {
    if (f([x, y, z]) < 0) {
      let lo = z;
      let hi = prev;
      for (let i = 0; i < 40; i++) {
        const mid = (lo + hi) / 2;
        if (f([x, y, mid]) < 0) lo = mid;
        else hi = mid;
      }
      const p: V3 = [x, y, (lo + hi) / 2];
      return { p, n: gradient(f, p) };
    }
    prev = z;
  }
  return null;
}

/** Like frontHit but throws when nothing is hit (feature placement must succeed). */
export function front(f: Sdf, x: number, y: number): { p: V3; n: V3 } {
  const h = frontHit(f, x, y);
  if (!h) throw new Error(`no surface in front at x=${x} y=${y}`);
  return h;
}

/** Projects p onto the surface along the gradient (a few Newton steps). */
export function projectToSurface(f: Sdf, p: V3): V3 {
  let q = p;
  for (let i = 0; i < 8; i++) {
    const d = f(q);
    q = sub(q, scale(gradient(f, q), d));
  }
  return q;
}
