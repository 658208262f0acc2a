/**
 * "Sunny": a round, cheerful yellow character with rosy cheeks, big brown eyes, red lips,
 * round ears, a button nose and an orange hair curl.
 */
import type { HeadSpec } from '../head.js';
import { ellipsoidSdf, union, front, rayExit } from '../shape.js';
import { mat } from '../materials.js';
import { newPart } from '../mesh.js';
import { roundEars } from '../ears.js';
import { blush, tuft } from '../parts.js';
import { type V3, madd } from '../vec.js';

const center: V3 = [0, 2.6, -3.4];
const shape = union(
  4.0,
  ellipsoidSdf(center, [12.6, 13.6, 12.7]),
  ellipsoidSdf([0, -3.8, 0.2], [10.6, 7.8, 10.2]),
);

const eyeRadii: V3 = [2.0, 2.5, 1.5];
const eyeAt = front(shape, 3.7, 2.8);
const eyeCenter = madd(eyeAt.p, eyeAt.n, -0.25 * eyeRadii[2]);

export const sunny: HeadSpec = {
  name: 'sunny',
  displayName: 'Sunny',
  description: 'Round yellow cartoon character with rosy cheeks, red lips, round ears and a hair curl.',
  shape,
  center: [0, 1.5, -2.5],
  mouth: { y: -4.4, halfWidth: 3.3, smile: 0.7, lipWidth: 0.6, lipHeight: 0.3, bagDepth: 4.0, bagHeight: 1.7 },
  skinMaterial: ({ region }) => (region === 'bag' ? 'mouth' : region === 'lip' ? 'lips' : 'skin'),
  eyes: {
    center: eyeCenter,
    radii: eyeRadii,
    yawDeg: 12,
    irisDeg: 36,
    pupilDeg: 20,
    lidDeg: 40,
    lidTiltDeg: -5,
    lash: 0.22,
    materials: { white: 'eyeWhite', iris: 'iris', pupil: 'pupil', highlight: 'highlight', lid: 'skin', lash: 'lash' },
  },
  brows: { innerX: 1.6, outerX: 5.6, innerY: 6.8, outerY: 7.0, arch: 0.8, height: 0.65, depth: 0.4, material: 'hair' },
  nose: { x: 0, y: -0.9, radii: [1.2, 1.0, 1.0], out: 0.2, material: 'nose' },
  teeth: { depth: 0.75, height: 0.85, thickness: 0.35, gap: 0.12, curve: 1.0, widthFactor: 0.66, bumps: 0, material: 'teeth' },
  tongue: { material: 'tongue', radii: [2.0, 0.45, 1.9], drop: 0.75, depth: 2.7 },
  neck: { topY: -3, bottomY: -27, z: -3.0, radius: 6.1, flare: 1.9, depthScale: 0.9, material: 'skin' },
  hinge: [0, -0.6, -2.6],
  jawDeg: 20,
  cheek: { x: 5.2, y: -1.8 },
  materials: [
    mat.skin('skin', '#ffc93c'),
    mat.skin('lips', '#d9323f'),
    mat.skin('mouth', '#5e1620'),
    mat.gloss('tongue', '#ff7b8a'),
    mat.gloss('teeth', '#fffdf6'),
    mat.gloss('nose', '#ff9a3d'),
    mat.skin('blush', '#ff8a8a'),
    mat.fur('hair', '#d4581c'),
    mat.gloss('eyeWhite', '#fbfbf7'),
    mat.gloss('iris', '#6b3c1f'),
    mat.gloss('pupil', '#120c08'),
    mat.glow('highlight', '#ffffff'),
    mat.matte('lash', '#2a1a10'),
    mat.skin('earInner', '#f4a93a'),
  ],
  extras: ({ shape: s }) => {
    const hair = newPart('hair', 'static');
    const top = rayExit(s, center, [0, 1, 0.12]);
    const curl = (dx: number, h: number, lean: number): V3[] => [
      madd(top, [dx, -1, 0], 1.2),
      [top[0] + dx, top[1] + h * 0.5, top[2] + 0.5],
      [top[0] + dx + lean, top[1] + h, top[2] + 1.2],
      [top[0] + dx + lean * 2.2, top[1] + h * 0.85, top[2] + 2.0],
    ];
    tuftAll(hair, [curl(0, 4.2, 1.1), curl(-1.4, 3.2, -0.8), curl(1.3, 3.0, 1.6)]);
    return {
      morph: [blush(s, 5.3, -1.6, [2.0, 1.35, 0.6], 0.38, 'blush')],
      static: [roundEars(s, center, [1, 0.05, -0.15], 3.3, 0.45, 1.3, 0, 'skin', 'earInner'), hair],
    };
  },
};

function tuftAll(part: ReturnType<typeof newPart>, curls: V3[][]): void {
  curls.forEach((c, k) => tuft(part, c, k === 0 ? 1.0 : 0.8, 'hair', 0.8));
}
