/**
 * "Bruno the Bear": a round brown bear with a tan muzzle and inner ears, a big black nose,
 * round ears and warm brown eyes.
 */
import type { HeadSpec } from '../head.js';
import { ellipsoidSdf, union, front } from '../shape.js';
import { mat } from '../materials.js';
import { roundEars } from '../ears.js';
import { type V3, madd } from '../vec.js';

const center: V3 = [0, 2.8, -3.5];
const shape = union(
  3.5,
  ellipsoidSdf(center, [12.4, 13.4, 12.6]),
  ellipsoidSdf([0, -4.4, 0.4], [10.2, 7.6, 9.8]),
  ellipsoidSdf([0, -3.4, 8.2], [5.4, 4.2, 4.6]),
);

const eyeRadii: V3 = [1.9, 2.2, 1.4];
const eyeAt = front(shape, 3.9, 3.3);
const eyeCenter = madd(eyeAt.p, eyeAt.n, -0.12 * eyeRadii[2]);

export const bear: HeadSpec = {
  name: 'bear',
  displayName: 'Bruno the Bear',
  description: 'Round brown bear with a tan muzzle, big black nose, round ears and brown eyes.',
  shape,
  center: [0, 1.0, -2.0],
  mouth: { y: -4.6, halfWidth: 3.1, smile: 0.6, lipWidth: 0.5, lipHeight: 0.12, bagDepth: 4.2, bagHeight: 1.7 },
  skinMaterial: ({ sCm, region }) => {
    if (region === 'bag') return 'mouth';
    if (region === 'lip') return 'lip';
    return sCm < 4.6 ? 'muzzle' : 'fur';
  },
  eyes: {
    center: eyeCenter,
    radii: eyeRadii,
    yawDeg: 12,
    irisDeg: 34,
    pupilDeg: 19,
    lidDeg: 34,
    lidTiltDeg: -6,
    lash: 0.2,
    materials: { white: 'eyeWhite', iris: 'iris', pupil: 'pupil', highlight: 'highlight', lid: 'fur', lash: 'lash' },
  },
  brows: { innerX: 1.7, outerX: 5.6, innerY: 6.6, outerY: 6.8, arch: 0.6, height: 0.8, depth: 0.45, material: 'brow' },
  nose: { x: 0, y: -1.3, radii: [2.0, 1.3, 1.35], out: 0.35, material: 'nose', tiltDeg: -8 },
  teeth: { depth: 0.7, height: 0.9, thickness: 0.35, gap: 0.12, curve: 1.0, widthFactor: 0.66, bumps: 5, material: 'teeth' },
  tongue: { material: 'tongue', radii: [1.9, 0.45, 2.0], drop: 0.75, depth: 2.9 },
  neck: { topY: -3, bottomY: -27, z: -3.0, radius: 6.4, flare: 1.8, depthScale: 0.9, material: 'fur' },
  hinge: [0, -0.6, -2.6],
  jawDeg: 20,
  cheek: { x: 4.9, y: -2.0 },
  materials: [
    mat.fur('fur', '#8a5a30'),
    mat.fur('muzzle', '#e6c79c'),
    mat.skin('lip', '#3a2418'),
    mat.skin('mouth', '#6a1e27'),
    mat.gloss('tongue', '#e0697a'),
    mat.gloss('teeth', '#fbfaf3'),
    mat.gloss('nose', '#1c1513'),
    mat.fur('brow', '#4a2c14'),
    mat.gloss('eyeWhite', '#f7f6f0'),
    mat.gloss('iris', '#7a4a1c'),
    mat.gloss('pupil', '#100b08'),
    mat.glow('highlight', '#ffffff'),
    mat.matte('lash', '#24160c'),
    mat.fur('earInner', '#e6c79c'),
  ],
  extras: ({ shape: s }) => ({
    static: [roundEars(s, center, [0.62, 0.78, -0.1], 4.0, 0.5, 1.6, 10, 'fur', 'earInner')],
  }),
};
