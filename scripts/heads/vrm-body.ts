/** A simple upper body for the VRM avatars: a shirt torso with sleeves, arms and hands in T-pose. */
import { type Part, newPart, grid } from './mesh.js';
import { ellipsoid, sweep } from './primitives.js';
import { type V3, keyframesAt, lerp } from './vec.js';

/** Height keyframes of the torso: [y, half width, half depth], bottom to top (canonical cm). */
const TORSO: [number, number, number][] = [
  [-64, 11, 8.5], [-58, 13.5, 9.5], [-48, 14.5, 10], [-38, 16, 10.5], [-31, 17.5, 10.5],
  [-27.5, 17, 10], [-25, 13, 9], [-23.2, 8.8, 7.8], [-22.2, 7.0, 6.8],
];


export function buildBody(shirt: string, skin: string): Part {
  const part = newPart('body', 'static');
  const z = -3;
  const n = 3.2; // superellipse exponent: a boxy torso
  grid(part, 32, 20, (u, v) => {
    // Rows 0 and 20 are poles: bottom centre and (inside the neck) top centre.
    if (v <= 0) return [0, TORSO[0][0] - 1.5, z];
    if (v >= 1) return [0, TORSO[TORSO.length - 1][0] + 0.6, z];
    const [y, rx, rz] = keyframesAt(TORSO, (v * 20 - 1) / 18 < 0 ? 0 : Math.min(1, (v * 20 - 1) / 18));
    const a = u * Math.PI * 2;
    const s = Math.sin(a);
    const c = Math.cos(a);
    return [rx * Math.sign(s) * Math.abs(s) ** (2 / n), y, z + rz * Math.sign(c) * Math.abs(c) ** (2 / n)];
  }, { material: shirt, wrapU: true, pole0: true, pole1: true, inside: [0, -45, z] });
  for (const k of [1, -1]) {
    // Sleeve (shirt) and forearm (skin) along x, then a mitten hand.
    const sleeve = (v: number): V3 => [k * lerp(10, 30, v), -26.5, z];
    sweep(part, sleeve, () => [0, 1, 0], (v) => {
      const e = Math.min(1, Math.min(v * 4, (1 - v) * 8));
      return [5.0 * Math.sqrt(e), 5.0 * Math.sqrt(e)];
    }, shirt, 14, 8);
    const arm = (v: number): V3 => [k * lerp(28, 66, v), -26.8, z];
    sweep(part, arm, () => [0, 1, 0], (v) => {
      const e = Math.min(1, Math.min(v, 1 - v) * 10);
      const r = lerp(4.0, 3.2, v) * Math.sqrt(e);
      return [r, r];
    }, skin, 12, 8);
    ellipsoid(part, [k * 70, -27, z], [4.8, 2.4, 4.0], skin, 12, 6);
  }
  return part;
}
