/**
 * "Bolt the Robot": a rounded-box blue shell with a dark screen face, glowing cyan lens
 * eyes under metal shutters, bar brows, a slot mouth with a chrome rim and metal teeth,
 * ear discs with orange bolts, an antenna with a glowing tip and a ribbed metal neck.
 */
import type { HeadSpec } from '../head.js';
import { superSdf, ellipsoidSdf, union, front, rayExit } from '../shape.js';
import { mat } from '../materials.js';
import { roundRect2 } from '../regions.js';
import { newPart } from '../mesh.js';
import { disc, rod } from '../parts.js';
import { ellipsoid, lathe } from '../primitives.js';
import { type V3, madd } from '../vec.js';

const center: V3 = [0, 3.0, -3.4];
const shape = union(
  2.0,
  superSdf(center, [11.6, 13.6, 12.6], 3.2),
  ellipsoidSdf([0, -4.2, 1.5], [9.0, 6.6, 9.2]),
);

const eyeRadii: V3 = [2.35, 2.35, 1.4];
const eyeAt = front(shape, 4.0, 2.9);
const eyeCenter = madd(eyeAt.p, eyeAt.n, -0.25 * eyeRadii[2]);

export const robot: HeadSpec = {
  name: 'robot',
  displayName: 'Bolt the Robot',
  description: 'Blue rounded-box robot with a dark screen face, glowing cyan eyes and brows, antenna and ear bolts.',
  shape,
  center: [0, 1.5, -2.5],
  mouth: { y: -4.6, halfWidth: 3.5, smile: 0.25, lipWidth: 0.45, lipHeight: 0.12, bagDepth: 3.6, bagHeight: 1.6 },
  skinMaterial: ({ region }) => {
    if (region === 'bag') return 'mouthInner';
    if (region === 'lip') return 'chrome';
    return 'shell';
  },
  // A rounded-rectangle screen over the face, cut exactly along its outline.
  paint: [{ from: 'shell', to: 'facePlate', f: (p) => Math.max(roundRect2(p[0], p[1], 0, -1.3, 8.5, 8.9, 4.4), 1.0 - p[2]) }],
  eyes: {
    center: eyeCenter,
    radii: eyeRadii,
    yawDeg: 8,
    irisDeg: 40,
    pupilDeg: 17,
    lidDeg: 40,
    lidTiltDeg: -3,
    lash: 0.16,
    lidScale: 1.12,
    materials: { white: 'lensRing', iris: 'lens', pupil: 'pupil', highlight: 'highlight', lid: 'facePlate', lash: 'browLight' },
  },
  brows: { innerX: 1.8, outerX: 6.0, innerY: 6.7, outerY: 6.8, arch: 0.3, height: 0.55, depth: 0.35, material: 'browLight' },
  nose: { x: 0, y: -1.0, radii: [1.0, 0.7, 0.6], out: 0.15, material: 'accent' },
  teeth: { depth: 0.65, height: 0.8, thickness: 0.3, gap: 0.12, curve: 0.8, widthFactor: 0.68, bumps: 7, material: 'teeth' },
  tongue: { material: 'tongue', radii: [2.1, 0.4, 1.8], drop: 0.75, depth: 2.4 },
  neck: { topY: -3, bottomY: -27, z: -3.2, radius: 6.0, flare: 2.0, depthScale: 0.92, material: 'neck' },
  hinge: [0, -0.8, -2.4],
  jawDeg: 18,
  cheek: { x: 5.0, y: -2.0 },
  mouthScale: 0.9,
  materials: [
    mat.metal('shell', '#3f7fd8', 0.32),
    { name: 'facePlate', color: '#16202b', metallic: 0.1, roughness: 0.18 },
    mat.glow('browLight', '#7ff0ff', '#2bc8e6'),
    mat.metal('chrome', '#c9d1da', 0.2),
    mat.matte('mouthInner', '#1b2230'),
    mat.metal('teeth', '#dfe5ea', 0.3),
    mat.glow('tongue', '#ff5a4e', '#7a1410'),
    mat.metal('trim', '#2a3340', 0.45),
    mat.gloss('lensRing', '#eef3f7'),
    mat.glow('lens', '#33e4ff', '#0fb7d8'),
    mat.gloss('pupil', '#0c1a22'),
    mat.glow('highlight', '#ffffff'),
    mat.gloss('accent', '#ff8a1f'),
    mat.metal('neck', '#7d8894', 0.4),
    mat.glow('bulb', '#ff3b3b', '#c01818'),
  ],
  extras: ({ shape: s }) => {
    const st = newPart('hardware', 'static');
    // Ear discs with bolts.
    for (const side of [1, -1]) {
      const p = rayExit(s, center, [side, -0.05, 0]);
      disc(st, madd(p, [side, 0, 0], -0.2), [side, 0, 0], 3.4, 1.6, 'trim', 0.35);
      disc(st, madd(p, [side, 0, 0], 0.75), [side, 0, 0], 1.5, 1.0, 'accent', 0.3);
    }
    // Antenna.
    const top = rayExit(s, center, [0, 1, -0.05]);
    disc(st, madd(top, [0, 1, 0], -0.1), [0, 1, 0], 1.6, 0.9, 'trim', 0.3);
    rod(st, madd(top, [0, 1, 0], -0.5), madd(top, [0, 1, 0], 5.5), 0.32, 'chrome');
    ellipsoid(st, madd(top, [0, 1, 0], 6.1), [1.05, 1.05, 1.05], 'bulb', 16, 9);
    // Ribbed neck collar rings.
    for (let k = 0; k < 4; k++) {
      const y = -13.5 - k * 3.2;
      lathe(st, [0, y, -3.2], (v) => {
        const a = v * Math.PI;
        return [5.4 + 1.2 * Math.sin(a) + 0.12 * k, 0.9 * (0.5 - 0.5 * Math.cos(a))];
      }, 'trim', 28, 5, { sz: 0.92, inside: [0, y + 0.4, -3.2] });
    }
    return { static: [st] };
  },
};
