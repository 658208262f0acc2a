/**
 * "Fennel the Fox": an orange fox with a cream muzzle and cheeks, a short snout with a
 * black nose, tall pointed ears with dark tips, big green eyes and a cream neck.
 */
import type { HeadSpec } from '../head.js';
import { ellipsoidSdf, union, front, rayExit } from '../shape.js';
import { newPart } from '../mesh.js';
import { tuft } from '../parts.js';
import { mat } from '../materials.js';
import { pointedEars } from '../ears.js';
import { type V3, madd, add, lerp3 } from '../vec.js';

const shape = union(
  3.0,
  ellipsoidSdf([0, 3.2, -3.6], [12.0, 13.3, 12.6]),
  ellipsoidSdf([0, -4.6, 0.4], [9.2, 7.4, 9.6]),
  ellipsoidSdf([0, -3.2, 9.0], [4.3, 3.7, 6.2]),
);

const eyeRadii: V3 = [2.2, 2.6, 1.55];
const eyeAt = front(shape, 3.9, 3.1);
const eyeCenter = madd(eyeAt.p, eyeAt.n, -0.25 * eyeRadii[2]);

export const fox: HeadSpec = {
  name: 'fox',
  displayName: 'Fennel the Fox',
  description: 'Orange fox with a cream muzzle, black nose, pointed ears and green eyes.',
  shape,
  center: [0, 1.0, -2.0],
  mouth: { y: -4.5, halfWidth: 3.0, smile: 0.55, lipWidth: 0.5, lipHeight: 0.1, bagDepth: 4.2, bagHeight: 1.7 },
  skinMaterial: ({ sCm, region }) => {
    if (region === 'bag') return 'mouth';
    if (region === 'lip') return 'lip';
    return sCm < 5.6 ? 'muzzle' : 'fur';
  },
  eyes: {
    center: eyeCenter,
    radii: eyeRadii,
    yawDeg: 14,
    irisDeg: 37,
    pupilDeg: 19,
    lidDeg: 33,
    lidTiltDeg: -4,
    lash: 0.22,
    materials: { white: 'eyeWhite', iris: 'iris', pupil: 'pupil', highlight: 'highlight', lid: 'fur', lash: 'lash' },
  },
  brows: { innerX: 1.7, outerX: 5.9, innerY: 7.0, outerY: 7.1, arch: 0.7, height: 0.7, depth: 0.45, material: 'brow' },
  nose: { x: 0, y: -1.0, radii: [1.55, 1.0, 1.1], out: 0.35, material: 'nose', tiltDeg: -10 },
  teeth: { depth: 0.7, height: 0.9, thickness: 0.35, gap: 0.12, curve: 1.0, widthFactor: 0.66, bumps: 5, material: 'teeth' },
  tongue: { material: 'tongue', radii: [1.9, 0.45, 2.0], drop: 0.75, depth: 2.9 },
  neck: { topY: -3, bottomY: -27, z: -3.0, radius: 6.3, flare: 1.8, depthScale: 0.9, material: 'chest' },
  hinge: [0, -0.6, -2.6],
  jawDeg: 20,
  cheek: { x: 4.8, y: -2.0 },
  materials: [
    mat.fur('fur', '#e8741e'),
    mat.fur('muzzle', '#fbf1e2'),
    mat.fur('chest', '#f7ead6'),
    mat.skin('lip', '#2b1d1a'),
    mat.skin('mouth', '#6a1e27'),
    mat.gloss('tongue', '#e0697a'),
    mat.gloss('teeth', '#fbfaf3'),
    mat.gloss('nose', '#1d1a1a'),
    mat.fur('brow', '#7b3a10'),
    mat.gloss('eyeWhite', '#f7f6f0'),
    mat.gloss('iris', '#3f8f4f'),
    mat.gloss('pupil', '#101010'),
    mat.glow('highlight', '#ffffff'),
    mat.matte('lash', '#22170f'),
    mat.fur('earInner', '#f5dcc9'),
    mat.fur('earTip', '#2e231e'),
  ],
  extras: ({ shape: s }) => {
    const tufts = newPart('cheekTufts', 'static');
    // Cream cheek fluff sweeping out and down from the sides of the muzzle.
    for (const side of [1, -1]) {
      for (const [y, len, drop, r] of [[-3.2, 3.4, 1.0, 2.0], [-5.8, 2.8, 1.6, 1.7]] as const) {
        const base = rayExit(s, [0, y, -1.0], [side, -0.15, 0.25]);
        const a = madd(base, [side, 0, 0.2], -1.6);
        const tip = add(base, [side * len, -drop, -0.6]);
        tuft(tufts, [a, base, lerp3(base, tip, 0.6), tip], r, 'fur', 0.45);
      }
    }
    return {
      static: [
        pointedEars(s, {
          from: [0, 3.2, -3.6], dir: [0.55, 0.83, -0.12], baseRadius: 4.6, height: 10.5, flat: 0.42, sink: 2.2,
          rollDeg: 22, tiltDeg: 6, outer: 'fur', inner: 'earInner', tip: 'earTip',
        }),
        tufts,
      ],
    };
  },
};
