/**
 * Facial features placed on a head shape: brows, nose, teeth, tongue, the neck stub.
 * Positions are canonical-face centimetres; brows and nose are projected onto the head
 * from the front so they sit where a viewer facing the model sees the real ones.
 */
import { type Part, newPart, vertexCount, transformVertices } from './mesh.js';
import { ellipsoid, lathe, sweep, catmullRom } from './primitives.js';
import { type Sdf, front } from './shape.js';
import { type V3, madd, lerp, norm, rotX } from './vec.js';

export interface BrowSpec {
  /** Inner and outer x (subject's left brow; mirrored for the right), and y at each end. */
  innerX: number;
  outerX: number;
  innerY: number;
  outerY: number;
  /** Arch height at the middle, cm. */
  arch: number;
  /** Brow height (vertical thickness) and depth, cm. */
  height: number;
  depth: number;
  material: string;
}

/** Both brows as one part (tags: side, u from inner 0 to outer 1). */
export function buildBrows(shape: Sdf, b: BrowSpec): Part {
  const part = newPart('brows', 'brow');
  for (const side of [1, -1]) {
    const pts: V3[] = [];
    const ups: V3[] = [];
    const n = 7;
    for (let i = 0; i < n; i++) {
      const u = i / (n - 1);
      const x = lerp(b.innerX, b.outerX, u) * side;
      const y = lerp(b.innerY, b.outerY, u) + b.arch * Math.sin(Math.PI * u);
      const h = front(shape, x, y);
      pts.push(madd(h.p, h.n, b.depth * 0.35));
      ups.push(h.n);
    }
    const path = catmullRom(pts);
    const up = catmullRom(ups);
    const taper = (v: number): number => 0.35 + 0.65 * Math.sin(Math.PI * (0.12 + 0.76 * v)) ** 0.6;
    sweep(part, path, (v) => norm(up(v)), (v) => {
      const ends = Math.min(1, Math.min(v, 1 - v) * 14);
      const e = Math.sqrt(Math.max(0, ends));
      return [b.height * 0.5 * taper(v) * e, b.depth * 0.5 * e];
    }, b.material, 10, 20, (_u, v) => ({ side, u: v }));
  }
  return part;
}

/** An ellipsoid nose at a front-projected point, pushed out along the surface normal. */
export function buildNose(shape: Sdf, x: number, y: number, radii: V3, out: number, material: string, tiltDeg = 0): { part: Part; center: V3 } {
  const part = newPart('nose', 'nose');
  const h = front(shape, x, y);
  const c = madd(h.p, h.n, out);
  const first = vertexCount(part);
  ellipsoid(part, [0, 0, 0], radii, material, 22, 12);
  transformVertices(part, first, (v) => {
    const r = rotX(v, (tiltDeg * Math.PI) / 180);
    return [r[0] + c[0], r[1] + c[1], r[2] + c[2]];
  });
  return { part, center: c };
}

export interface TeethSpec {
  /** Mouth centre (between the lips), half width of the arc, depth behind the lips, cm. */
  mouthCenter: V3;
  halfWidth: number;
  depth: number;
  /** Tooth band height and thickness, cm. */
  height: number;
  thickness: number;
  /** Gap between the band and the mouth line, cm. */
  gap: number;
  /** How far the arc curves back at its ends, cm. */
  curve: number;
  material: string;
  /** Number of tooth bumps along the band (0 for a smooth band). */
  bumps: number;
}

/** Upper (static) and lower (jaw) tooth bands along an arc behind the lips. */
export function buildTeeth(t: TeethSpec): { upper: Part; lower: Part } {
  const upper = newPart('teethUpper', 'static');
  const lower = newPart('teethLower', 'teethLower');
  for (const [part, dir] of [[upper, 1], [lower, -1]] as const) {
    const yc = t.mouthCenter[1] + dir * ((dir > 0 ? t.gap - 0.12 : t.gap) + t.height / 2);
    const path = (v: number): V3 => {
      const x = lerp(-t.halfWidth, t.halfWidth, v);
      const f = x / t.halfWidth;
      return [x, yc, t.mouthCenter[2] - t.depth - (dir < 0 ? 0.25 : 0) - t.curve * f * f];
    };
    sweep(part, path, () => [0, 1, 0], (v) => {
      const end = Math.sqrt(Math.max(0, Math.min(1, Math.min(v, 1 - v) * 10)));
      const bump = t.bumps > 0 ? 0.88 + 0.12 * Math.abs(Math.cos(Math.PI * t.bumps * v)) : 1;
      return [t.thickness / 2 * end, (t.height / 2) * end * bump];
    }, t.material, 8, Math.max(18, t.bumps * 4));
  }
  return { upper, lower };
}

/** A tongue resting on the floor of the mouth bag. */
export function buildTongue(center: V3, radii: V3, material: string): Part {
  const part = newPart('tongue', 'tongue');
  ellipsoid(part, center, radii, material, 18, 10);
  return part;
}

export interface NeckSpec {
  /** Top (inside the head) and bottom (collar) heights, cm; axis x = 0 at depth z. */
  topY: number;
  bottomY: number;
  z: number;
  radius: number;
  /** Extra radius at the bottom (flare into the collar). */
  flare: number;
  /** Front-back squash of the section. */
  depthScale: number;
  material: string;
}

/** A rounded-off tube from inside the head down to the collar. */
export function buildNeck(n: NeckSpec): Part {
  const part = newPart('neck', 'static');
  const H = n.topY - n.bottomY;
  const prof = (v: number): [number, number] => {
    // v: 0 bottom pole .. 1 top pole.
    if (v < 0.06) {
      const a = (v / 0.06) * (Math.PI / 2);
      const r = (n.radius + n.flare) * Math.sin(a);
      return [r, 0.8 * (1 - Math.cos(a)) * 0.5];
    }
    if (v > 0.94) {
      const a = ((1 - v) / 0.06) * (Math.PI / 2);
      return [n.radius * Math.sin(a), H - 1.5 + 1.5 * Math.cos(a)];
    }
    const f = (v - 0.06) / 0.88;
    const r = n.radius + n.flare * (1 - f) ** 3;
    return [r, 0.4 + f * (H - 1.9)];
  };
  lathe(part, [0, n.bottomY, n.z], prof, n.material, 28, 14, { sz: n.depthScale, inside: [0, n.bottomY + H / 2, n.z] });
  return part;
}
