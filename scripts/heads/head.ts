/**
 * Assembles a mascot head from a spec: skin with mouth bag, eyes, lids, brows, nose, teeth,
 * tongue and neck stub, plus the mascot's own extra parts; computes normals and the 51
 * ARKit morph targets; returns the .glb bytes and the JSON profile.
 */
import type { HeadProfile } from '../../core/head-profile.js';
import { type Part, computeNormals, finalizeTags, vertexCount, getPos } from './mesh.js';
import { type Sdf, front } from './shape.js';
import { type MouthSpec, type SkinSpec, type SkinFrame, buildSkin } from './skin.js';
import { type EyeSpec, buildEyes } from './eyes.js';
import { type BrowSpec, type TeethSpec, type NeckSpec, buildBrows, buildNose, buildTeeth, buildTongue, buildNeck } from './features.js';
import type { MaterialSpec } from './materials.js';
import type { FaceRig } from './rig.js';
import { type PartTargets, buildTargets } from './morphs.js';
import { writeGlb } from './gltf.js';
import { paintRegion } from './regions.js';
import { type V3, deg } from './vec.js';

export interface HeadContext {
  shape: Sdf;
  frame: SkinFrame;
}

export interface HeadSpec {
  name: string;
  displayName: string;
  description: string;
  shape: Sdf;
  center: V3;
  mouth: MouthSpec;
  segments?: number;
  skinMaterial: SkinSpec['material'];
  eyes: EyeSpec;
  brows: BrowSpec;
  nose: { x: number; y: number; radii: V3; out: number; material: string; tiltDeg?: number };
  teeth: Omit<TeethSpec, 'mouthCenter' | 'halfWidth'> & { widthFactor: number };
  tongue: { material: string; radii: V3; drop: number; depth: number };
  neck: NeckSpec;
  hinge: V3;
  jawDeg: number;
  /** Cheek centres (subject's left; mirrored), front-projected. */
  cheek: { x: number; y: number };
  materials: MaterialSpec[];
  /** Colour regions painted onto the skin with exact boundaries (f < 0 inside). */
  paint?: { from: string; to: string; f: (p: V3) => number }[];
  /** Mascot-specific parts: morphing ones (blush) and static ones (ears, antennae). */
  extras?: (ctx: HeadContext) => { morph?: Part[]; static?: Part[] };
  retarget?: HeadProfile['retarget'];
  mouthScale?: number;
}

export interface BuiltHead {
  glb: Uint8Array;
  profile: HeadProfile;
  stats: { vertices: number; triangles: number };
}

/** Every part of a head with its morph targets, before it is written to a file. */
export interface AssembledHead {
  spec: HeadSpec;
  /** The spec's materials, with the lips and the inside of the mouth made double-sided. */
  materials: MaterialSpec[];
  rig: FaceRig;
  morphParts: { part: Part; targets: PartTargets }[];
  staticParts: Part[];
  markers: Record<string, V3>;
  profile: HeadProfile;
  stats: { vertices: number; triangles: number };
}

export async function buildHead(spec: HeadSpec): Promise<BuiltHead> {
  const head = assembleHead(spec);
  const glb = await writeGlb({
    name: spec.name,
    materials: head.materials,
    morphParts: head.morphParts,
    staticParts: head.staticParts,
    markers: head.markers,
    includeMorphNormals: true,
    extras: { noggin: { space: 'mediapipe-canonical-face', units: 'cm' } },
  });
  return { glb, profile: head.profile, stats: head.stats };
}

/**
 * Retarget defaults of every shipped mascot. MediaPipe's jawOpen stays small in speech
 * (median 0.04, 90th percentile 0.17 on presenter-3), so the mascot's jaw gets twice the
 * score, clamped at 1, to open visibly when the presenter talks. Every other shape follows
 * its score (gain 1); the eye look and eye wide channels are written out so that a profile
 * shows where to damp the eyes: their morphs keep the iris on the eyeball at any weight
 * (scripts/heads/morph-eyes.ts).
 */
const DEFAULT_RETARGET: NonNullable<HeadProfile['retarget']> = {
  jawOpen: { gain: 2, offset: 0, min: 0, max: 1 },
  ...Object.fromEntries(
    ['eyeLookInLeft', 'eyeLookInRight', 'eyeLookOutLeft', 'eyeLookOutRight', 'eyeLookUpLeft', 'eyeLookUpRight', 'eyeLookDownLeft', 'eyeLookDownRight', 'eyeWideLeft', 'eyeWideRight']
      .map((name) => [name, { gain: 1, offset: 0, min: 0, max: 1 }]),
  ),
};

export function assembleHead(spec: HeadSpec): AssembledHead {
  const { part: skin, frame } = buildSkin({
    shape: spec.shape, center: spec.center, mouth: spec.mouth, segments: spec.segments ?? 64, material: spec.skinMaterial,
  });
  for (const r of spec.paint ?? []) paintRegion(skin, r.from, r.to, r.f);
  const eyes = buildEyes(spec.eyes);
  const brows = buildBrows(spec.shape, spec.brows);
  const nose = buildNose(spec.shape, spec.nose.x, spec.nose.y, spec.nose.radii, spec.nose.out, spec.nose.material, spec.nose.tiltDeg ?? 0);
  const teeth = buildTeeth({ ...spec.teeth, mouthCenter: frame.mouthCenter, halfWidth: spec.mouth.halfWidth * spec.teeth.widthFactor });
  const mc = frame.mouthCenter;
  const tongue = buildTongue([mc[0], mc[1] - spec.tongue.drop, mc[2] - spec.tongue.depth], spec.tongue.radii, spec.tongue.material);
  const neck = buildNeck(spec.neck);
  const ctx: HeadContext = { shape: spec.shape, frame };
  const extra = spec.extras ? spec.extras(ctx) : {};
  const cheekL = front(spec.shape, spec.cheek.x, spec.cheek.y).p;
  const rig: FaceRig = {
    skin: frame,
    eyes: eyes.rigs,
    hinge: spec.hinge,
    jawAngle: deg(spec.jawDeg),
    nose: nose.center,
    cheeks: { left: cheekL, right: [-cheekL[0], cheekL[1], cheekL[2]] },
    mouthScale: spec.mouthScale ?? 1,
    shape: spec.shape,
  };
  const morphParts: Part[] = [skin, eyes.eye, eyes.lid, brows, nose.part, teeth.lower, tongue, ...(extra.morph ?? [])];
  if (vertexCount(eyes.lash) > 0) morphParts.splice(3, 0, eyes.lash);
  const staticParts: Part[] = [teeth.upper, neck, ...(extra.static ?? [])];
  for (const p of [...morphParts, ...staticParts]) {
    finalizeTags(p);
    p.normals = computeNormals(p);
  }
  const withTargets = morphParts.map((part) => ({ part, targets: buildTargets(rig, part) }));
  const markers: Record<string, V3> = {
    eyeLeft: eyes.rigs.left.center,
    eyeRight: eyes.rigs.right.center,
    jawHinge: spec.hinge,
    mouth: frame.mouthCenter,
    neckBottom: [0, spec.neck.bottomY, spec.neck.z],
  };
  // Bounds over all parts.
  const min: V3 = [Infinity, Infinity, Infinity];
  const max: V3 = [-Infinity, -Infinity, -Infinity];
  let vertices = 0;
  let triangles = 0;
  for (const p of [...morphParts, ...staticParts]) {
    const n = vertexCount(p);
    vertices += n;
    for (const g of p.groups) triangles += g.indices.length / 3;
    for (let i = 0; i < n; i++) {
      const v = getPos(p, i);
      for (let k = 0; k < 3; k++) {
        min[k] = Math.min(min[k], v[k]);
        max[k] = Math.max(max[k], v[k]);
      }
    }
  }
  const r3 = (v: V3): [number, number, number] => [round(v[0]), round(v[1]), round(v[2])];
  const profile: HeadProfile = {
    format: 'noggin-head',
    version: 1,
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description,
    kind: 'glb',
    file: `${spec.name}.glb`,
    anchor: { originCm: [0, 0, 0], unitsPerCm: 1 },
    bounds: { minCm: r3(min), maxCm: r3(max) },
    neck: {
      topCm: [0, round(spec.neck.topY), round(spec.neck.z)],
      bottomCm: [0, round(spec.neck.bottomY), round(spec.neck.z)],
      radiusCm: round(spec.neck.radius + spec.neck.flare),
    },
    features: {
      eyeLeftCm: r3(eyes.rigs.left.center),
      eyeRightCm: r3(eyes.rigs.right.center),
      mouthCm: r3(frame.mouthCenter),
      noseCm: r3(nose.center),
      jawHingeCm: r3(spec.hinge),
    },
    colors: Object.fromEntries(spec.materials.map((m) => [m.name, m.color])),
    retarget: { ...DEFAULT_RETARGET, ...spec.retarget },
  };
  // Lips and mouth bag are double-sided: when extreme mouth shapes fold a sliver of them
  // over, the renderer shows lip or mouth colour there rather than a hole.
  const twoSided = new Set((['bag', 'lip'] as const).map((region) => spec.skinMaterial({ sCm: 0, phi: Math.PI / 2, p: [0, 0, 0], region })));
  const materials = spec.materials.map((m) => (twoSided.has(m.name) ? { ...m, doubleSided: true } : m));
  return { spec, materials, rig, morphParts: withTargets, staticParts, markers, profile, stats: { vertices, triangles } };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
