/**
 * The synthetic presenter of the sample clip: a human-like head (skin, eyes with iris,
 * pupil and whites, lids, brows, nose, lips, teeth, hair, ears) in MediaPipe's canonical
 * face space with the 51 ARKit morph targets (the mascot builders' fields), and its static
 * upper body (neck, shoulders in a shirt, collar) as a second model. Both are written as
 * .glb with a profile whose anchor is the identity (authored in canonical cm) and whose
 * retargeting is the identity (a weight drives its morph one to one).
 */
import type { HeadProfile } from '../../../core/head-profile.js';
import { type HeadSpec, buildHead } from '../head.js';
import { GlbBuilder } from '../gltf.js';
import { mat, type MaterialSpec } from '../materials.js';
import { computeNormals, finalizeTags } from '../mesh.js';
import { type V3 } from '../vec.js';
import { PRESENTER_SHAPE, CRANIUM_CENTER, EYE_CENTER, EYE_RADII } from './shape.js';
import { buildHair, buildEars, buildLowerLids, buildUpperBody, NECK_Z } from './parts.js';

/** Skin, lips and the rest, sRGB. */
const MATERIALS: MaterialSpec[] = [
  mat.skin('skin', '#d9a07f'),
  mat.skin('lips', '#a8534f'),
  mat.skin('mouth', '#4a1a1c'),
  mat.gloss('tongue', '#c8646a'),
  mat.gloss('teeth', '#f2eee4'),
  mat.matte('brow', '#2e2119'),
  mat.fur('hair', '#2b1e16'),
  mat.gloss('eyeWhite', '#efebe6'),
  mat.gloss('iris', '#4b2f1e'),
  mat.gloss('pupil', '#080606'),
  mat.glow('highlight', '#ffffff', '#d8d8d8'),
  mat.matte('lash', '#1c1410'),
  mat.skin('earInner', '#b87a60'),
];

const EYE_YAW_DEG = 6;

/** The presenter's head spec (built with the mascots' scripts/heads/head.ts). */
export const PRESENTER: HeadSpec = {
  name: 'presenter',
  displayName: 'Sample presenter',
  description: 'Synthetic human presenter of the sample clip (assets/samples/presenter.mp4).',
  shape: PRESENTER_SHAPE,
  center: [0, 1.2, -2.2],
  segments: 96,
  mouth: { y: -4.3, halfWidth: 2.45, smile: -0.3, lipWidth: 0.62, lipHeight: 0.32, bagDepth: 3.0, bagHeight: 1.1 },
  skinMaterial: ({ region }) => (region === 'bag' ? 'mouth' : region === 'lip' ? 'lips' : 'skin'),
  eyes: {
    center: EYE_CENTER,
    radii: EYE_RADII,
    yawDeg: EYE_YAW_DEG,
    irisDeg: 31,
    pupilDeg: 13,
    lidDeg: 64,
    lidTiltDeg: -3,
    lash: 0.09,
    lidScale: 1.08,
    materials: { white: 'eyeWhite', iris: 'iris', pupil: 'pupil', highlight: 'highlight', lid: 'skin', lash: 'lash' },
  },
  brows: { innerX: 1.25, outerX: 5.5, innerY: 4.2, outerY: 4.15, arch: 0.45, height: 0.42, depth: 0.28, material: 'brow' },
  // The nose itself is part of the skin shape; this is a small tip inside it for the sneer fields.
  nose: { x: 0, y: -0.55, radii: [0.7, 0.6, 0.6], out: -0.35, material: 'skin' },
  teeth: { depth: 0.45, height: 0.6, thickness: 0.3, gap: 0.08, curve: 0.9, widthFactor: 0.8, bumps: 8, material: 'teeth' },
  tongue: { material: 'tongue', radii: [1.6, 0.4, 1.7], drop: 0.7, depth: 2.2 },
  neck: { topY: -2, bottomY: -8.5, z: NECK_Z, radius: 4.6, flare: 0, depthScale: 0.92, material: 'skin' },
  hinge: [0, -1.2, -3.2],
  jawDeg: 18,
  cheek: { x: 3.9, y: -1.4 },
  materials: MATERIALS,
  extras: ({ shape }) => ({
    morph: [buildLowerLids(EYE_CENTER, EYE_RADII, EYE_YAW_DEG, 68, 'skin')],
    static: [buildHair(shape, CRANIUM_CENTER, 'hair'), buildEars(shape, [0, 0.9, -3.0], 'skin', 'earInner')],
  }),
  mouthScale: 0.85,
};

/** A built model and its profile. */
export interface BuiltModel {
  readonly glb: Uint8Array;
  readonly profile: HeadProfile;
}

/** The presenter's head (.glb bytes and profile, retargeting the identity). */
export async function buildPresenterHead(): Promise<BuiltModel> {
  const built = await buildHead(PRESENTER);
  return { glb: built.glb, profile: { ...built.profile, retarget: {} } };
}

/** The presenter's static upper body: neck, shirt, collar (no morph targets). */
export async function buildPresenterBody(): Promise<BuiltModel> {
  const materials: MaterialSpec[] = [MATERIALS[0], mat.fur('shirt', '#34547e'), mat.fur('collar', '#2b4669')];
  const part = buildUpperBody('skin', 'shirt', 'collar');
  finalizeTags(part);
  part.normals = computeNormals(part);
  const b = new GlbBuilder(materials);
  const mesh = b.doc.createMesh('body');
  b.addPart(mesh, part);
  const root = b.doc.createNode('presenter-body').setExtras({ noggin: { space: 'mediapipe-canonical-face', units: 'cm' } });
  root.addChild(b.doc.createNode('body').setMesh(mesh));
  b.doc.createScene('presenter-body').addChild(root);
  b.doc.getRoot().setDefaultScene(b.doc.getRoot().listScenes()[0]);
  const glb = await b.write();
  const bottom: V3 = [0, -62, NECK_Z];
  return {
    glb,
    profile: {
      format: 'noggin-head',
      version: 1,
      name: 'presenter-body',
      displayName: 'Sample presenter (upper body)',
      description: 'Static neck, shoulders and shirt of the sample presenter.',
      kind: 'glb',
      file: 'presenter-body.glb',
      anchor: { originCm: [0, 0, 0], unitsPerCm: 1 },
      bounds: { minCm: [-20, bottom[1], -15], maxCm: [20, -4, 8] },
      colors: Object.fromEntries(materials.map((m) => [m.name, m.color])),
      retarget: {},
    },
  };
}
