/** Small 3-vector helpers for the head builders (plain tuples, no classes). */

export type V3 = [number, number, number];

export const v3 = (x: number, y: number, z: number): V3 => [x, y, z];
export const add = (a: V3, b: V3): V3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: V3, s: number): V3 => [a[0] * s, a[1] * s, a[2] * s];
export const mul = (a: V3, b: V3): V3 => [a[0] * b[0], a[1] * b[1], a[2] * b[2]];
export const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: V3, b: V3): V3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export const len = (a: V3): number => Math.hypot(a[0], a[1], a[2]);
export const dist = (a: V3, b: V3): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
export const norm = (a: V3): V3 => {
  const l = len(a);
  return l > 1e-12 ? [a[0] / l, a[1] / l, a[2] / l] : [0, 0, 0];
};
export const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;
export const lerp3 = (a: V3, b: V3, t: number): V3 => [lerp(a[0], b[0], t), lerp(a[1], b[1], t), lerp(a[2], b[2], t)];
export const madd = (a: V3, b: V3, s: number): V3 => [a[0] + b[0] * s, a[1] + b[1] * s, a[2] + b[2] * s];

export const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);
/** Hermite smoothstep from e0 to e1 (e0 > e1 gives a falling step). */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp((x - e0) / (e1 - e0), 0, 1);
  return t * t * (3 - 2 * t);
}
/**
 * A smooth bump of width sigma, close to exp(-d²/2σ²) near the centre but exactly 0 beyond
 * 2.5σ (compact support: (1 - (d/2.5σ)²)³), so morph targets stay sparse.
 */
export function gauss(d: number, sigma: number): number {
  const x = d / (2.5 * sigma);
  if (x >= 1) return 0;
  const t = 1 - x * x;
  return t * t * t;
}
/** Anisotropic gaussian: distance measured with per-axis sigmas. */
export function gauss3(p: V3, c: V3, s: V3): number {
  const d = Math.hypot((p[0] - c[0]) / s[0], (p[1] - c[1]) / s[1], (p[2] - c[2]) / s[2]);
  return gauss(d, 1);
}

/** Rotates v about the unit axis by angle (radians), Rodrigues. */
export function rotateAxis(v: V3, axis: V3, angle: number): V3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const k = axis;
  const kv = cross(k, v);
  const kd = dot(k, v) * (1 - c);
  return [v[0] * c + kv[0] * s + k[0] * kd, v[1] * c + kv[1] * s + k[1] * kd, v[2] * c + kv[2] * s + k[2] * kd];
}
/** Rotates point p about an axis through pivot. */
export function rotateAbout(p: V3, pivot: V3, axis: V3, angle: number): V3 {
  return add(pivot, rotateAxis(sub(p, pivot), axis, angle));
}
export const rotX = (v: V3, a: number): V3 => rotateAxis(v, [1, 0, 0], a);
export const rotY = (v: V3, a: number): V3 => rotateAxis(v, [0, 1, 0], a);
export const rotZ = (v: V3, a: number): V3 => rotateAxis(v, [0, 0, 1], a);
export const deg = (d: number): number => (d * Math.PI) / 180;

/** Rotates v by the rotation that takes +z onto the unit vector n. */
export function alignZ(v: V3, n: V3): V3 {
  const z: V3 = [0, 0, 1];
  const axis = cross(z, n);
  const s = len(axis);
  const c = dot(z, n);
  if (s < 1e-9) return c > 0 ? v : [v[0], -v[1], -v[2]];
  return rotateAxis(v, scale(axis, 1 / s), Math.atan2(s, c));
}

/** Linear interpolation along keyframes of three values, v in [0,1] from the first to the last. */
export function keyframesAt(table: readonly (readonly [number, number, number])[], v: number): [number, number, number] {
  const f = v * (table.length - 1);
  const i = Math.min(table.length - 2, Math.floor(f));
  const t = f - i;
  const a = table[i];
  const b = table[i + 1];
  return [lerp(a[0], b[0], t), lerp(a[1], b[1], t), lerp(a[2], b[2], t)];
}
