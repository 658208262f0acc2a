/**
 * VRM avatars built from a mascot head: the head's parts and ARKit morph targets, a neck,
 * a simple upper body with arms, a humanoid skeleton the meshes are skinned to, and the
 * VRM extension: VRMC_vrm for VRM 1.0 (model faces +z) or VRM for VRM 0.x (model faces -z,
 * turned 180 degrees about y, as that version specifies). Metres, feet at y = 0, the
 * canonical face origin at 1.5 m.
 */
import type { Node, WriterContext } from '@gltf-transform/core';
import { ARKIT_BLENDSHAPES } from '../../core/blendshapes.js';
import type { HeadProfile } from '../../core/head-profile.js';
import { type HeadSpec, assembleHead } from './head.js';
import { GlbBuilder, type SpaceTransform } from './gltf.js';
import { mat } from './materials.js';
import { BONES, headWeights, neckWeights, bodyWeights } from './vrm-skeleton.js';
import { buildBody } from './vrm-body.js';
import { computeNormals, finalizeTags } from './mesh.js';
import { VRM1_PRESETS, VRM1_OVERRIDES, VRM0_GROUPS, type Mix } from './vrm-expressions.js';
import { LOOK_H_DEG, LOOK_V_DEG } from './morph-eyes.js';
import { VrmcVrmExtension, VrmLegacyExtension } from './vrm-extension.js';
import type { V3 } from './vec.js';

export interface VrmSpec {
  /** Catalog id and file name (NAME.vrm, NAME.json). */
  name: string;
  displayName: string;
  head: HeadSpec;
  version: '1.0' | '0.x';
  /** The head material used for hands (fur, skin...). */
  skinMaterial: string;
  shirtColor: string;
}

/** Height of the canonical face origin above the ground, cm. */
const ORIGIN_Y_CM = 150;

export async function buildVrm(v: VrmSpec): Promise<{ bytes: Uint8Array; profile: HeadProfile }> {
  const head = assembleHead(v.head);
  const vrm0 = v.version === '0.x';
  const xf: SpaceTransform = { scale: 0.01, offset: [0, ORIGIN_Y_CM / 100, 0], turn: vrm0 };
  const out = (p: readonly number[]): V3 => {
    const s = vrm0 ? -1 : 1;
    return [p[0] * s * xf.scale + xf.offset[0], p[1] * xf.scale + xf.offset[1], p[2] * s * xf.scale + xf.offset[2]];
  };
  const materials = [...head.materials, mat.fur('shirt', v.shirtColor)];
  const b = new GlbBuilder(materials, `noggin scripts/build-heads (VRM ${v.version})`);
  const doc = b.doc;

  // Skeleton: plain translations, T-pose, under a non-bone root at the origin.
  const root = doc.createNode('Root');
  const nodes = new Map<string, Node>();
  for (const bone of BONES) {
    const w = out(bone.at);
    const parent = bone.parent ? BONES.find((x) => x.name === bone.parent)! : null;
    const pw = parent ? out(parent.at) : [0, 0, 0];
    const node = doc.createNode(bone.name).setTranslation([w[0] - pw[0], w[1] - pw[1], w[2] - pw[2]]);
    (bone.parent ? nodes.get(bone.parent)! : root).addChild(node);
    nodes.set(bone.name, node);
  }
  const ibm = new Float32Array(BONES.length * 16);
  BONES.forEach((bone, k) => {
    const w = out(bone.at);
    ibm.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -w[0], -w[1], -w[2], 1], k * 16);
  });
  const skin = doc.createSkin('skin')
    .setSkeleton(nodes.get('hips')!)
    .setInverseBindMatrices(doc.createAccessor('inverseBindMatrices').setType('MAT4').setArray(ibm).setBuffer(b.buffer));
  for (const bone of BONES) skin.addJoint(nodes.get(bone.name)!);

  // Meshes: the morphing face, and everything else.
  const face = doc.createMesh('face');
  for (const { part, targets } of head.morphParts) b.addPart(face, part, { xf, targets, morphNormals: true, skin: headWeights(part) });
  b.nameTargets(face);
  const bodyMesh = doc.createMesh('body');
  for (const part of head.staticParts) {
    b.addPart(bodyMesh, part, { xf, skin: part.name === 'neck' ? neckWeights(part) : headWeights(part) });
  }
  const body = buildBody('shirt', v.skinMaterial);
  finalizeTags(body);
  body.normals = computeNormals(body);
  b.addPart(bodyMesh, body, { xf, skin: bodyWeights(body) });
  const faceNode = doc.createNode('face').setMesh(face).setSkin(skin);
  const bodyNode = doc.createNode('body').setMesh(bodyMesh).setSkin(skin);
  doc.createScene(v.name).addChild(root).addChild(faceNode).addChild(bodyNode);
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]);

  // Look-at reference point: between the eyes, relative to the head bone.
  const eyes = head.rig.eyes;
  const mid = [(eyes.left.center[0] + eyes.right.center[0]) / 2, (eyes.left.center[1] + eyes.right.center[1]) / 2, (eyes.left.center[2] + eyes.right.center[2]) / 2];
  const headAt = out(BONES.find((x) => x.name === 'head')!.at);
  const eyeOut = out(mid);
  const lookOffset = [eyeOut[0] - headAt[0], eyeOut[1] - headAt[1], eyeOut[2] - headAt[2]].map((x) => Math.round(x * 1e4) / 1e4);

  const binds = (mix: Mix, ctx: WriterContext, scale: number, key: 'node' | 'mesh') =>
    Object.entries(mix).map(([name, w]) => ({
      [key]: key === 'node' ? ctx.nodeIndexMap.get(faceNode)! : ctx.meshIndexMap.get(face)!,
      index: ARKIT_BLENDSHAPES.indexOf(name as (typeof ARKIT_BLENDSHAPES)[number]),
      weight: Math.round((w ?? 0) * scale * 1000) / 1000,
    }));
  const title = v.displayName;
  if (!vrm0) {
    new VrmcVrmExtension(doc).setBuilder((ctx) => ({
      specVersion: '1.0',
      meta: {
        name: title,
        version: '1.0',
        authors: ['noggin'],
        copyrightInformation: 'Generated by noggin (scripts/build-heads), MIT licensed',
        licenseUrl: 'https://vrm.dev/licenses/1.0/',
        avatarPermission: 'everyone',
        allowExcessivelyViolentUsage: false,
        allowExcessivelySexualUsage: false,
        commercialUsage: 'corporation',
        allowPoliticalOrReligiousUsage: false,
        allowAntisocialOrHateUsage: false,
        creditNotation: 'unnecessary',
        allowRedistribution: true,
        modification: 'allowModificationRedistribution',
        otherLicenseUrl: 'https://opensource.org/licenses/MIT',
      },
      humanoid: { humanBones: Object.fromEntries(BONES.map((bone) => [bone.name, { node: ctx.nodeIndexMap.get(nodes.get(bone.name)!)! }])) },
      firstPerson: {
        meshAnnotations: [
          { node: ctx.nodeIndexMap.get(faceNode)!, type: 'auto' },
          { node: ctx.nodeIndexMap.get(bodyNode)!, type: 'auto' },
        ],
      },
      lookAt: {
        offsetFromHeadBone: lookOffset,
        type: 'expression',
        rangeMapHorizontalInner: { inputMaxValue: LOOK_H_DEG, outputScale: 1 },
        rangeMapHorizontalOuter: { inputMaxValue: LOOK_H_DEG, outputScale: 1 },
        rangeMapVerticalDown: { inputMaxValue: LOOK_V_DEG, outputScale: 1 },
        rangeMapVerticalUp: { inputMaxValue: LOOK_V_DEG, outputScale: 1 },
      },
      expressions: {
        preset: Object.fromEntries(Object.entries(VRM1_PRESETS).map(([name, mix]) => [name, {
          morphTargetBinds: binds(mix, ctx, 1, 'node'),
          isBinary: false,
          overrideBlink: VRM1_OVERRIDES[name]?.overrideBlink ?? 'none',
          overrideLookAt: VRM1_OVERRIDES[name]?.overrideLookAt ?? 'none',
          overrideMouth: VRM1_OVERRIDES[name]?.overrideMouth ?? 'none',
        }])),
      },
    }));
  } else {
    const degreeMap = (xRange: number) => ({ curve: [0, 0, 0, 1, 1, 1, 1, 0], xRange, yRange: 1 });
    new VrmLegacyExtension(doc).setBuilder((ctx) => ({
      exporterVersion: 'noggin-0.1',
      specVersion: '0.0',
      meta: {
        title,
        version: '1.0',
        author: 'noggin',
        contactInformation: '',
        reference: '',
        allowedUserName: 'Everyone',
        violentUssageName: 'Disallow',
        sexualUssageName: 'Disallow',
        commercialUssageName: 'Allow',
        otherPermissionUrl: '',
        licenseName: 'Other',
        otherLicenseUrl: 'https://opensource.org/licenses/MIT',
      },
      humanoid: {
        humanBones: BONES.map((bone) => ({ bone: bone.name, node: ctx.nodeIndexMap.get(nodes.get(bone.name)!)!, useDefaultValues: true })),
        armStretch: 0.05,
        legStretch: 0.05,
        upperArmTwist: 0.5,
        lowerArmTwist: 0.5,
        upperLegTwist: 0.5,
        lowerLegTwist: 0.5,
        feetSpacing: 0,
        hasTranslationDoF: false,
      },
      firstPerson: {
        firstPersonBone: ctx.nodeIndexMap.get(nodes.get('head')!)!,
        firstPersonBoneOffset: { x: lookOffset[0], y: lookOffset[1], z: lookOffset[2] },
        meshAnnotations: [
          { mesh: ctx.meshIndexMap.get(face)!, firstPersonFlag: 'Auto' },
          { mesh: ctx.meshIndexMap.get(bodyMesh)!, firstPersonFlag: 'Auto' },
        ],
        lookAtTypeName: 'BlendShape',
        lookAtHorizontalInner: degreeMap(LOOK_H_DEG),
        lookAtHorizontalOuter: degreeMap(LOOK_H_DEG),
        lookAtVerticalDown: degreeMap(LOOK_V_DEG),
        lookAtVerticalUp: degreeMap(LOOK_V_DEG),
      },
      blendShapeMaster: {
        blendShapeGroups: VRM0_GROUPS.map(([name, presetName, from]) => ({
          name,
          presetName,
          binds: binds(VRM1_PRESETS[from], ctx, 100, 'mesh'),
          materialValues: [],
          isBinary: false,
        })),
      },
      secondaryAnimation: { boneGroups: [], colliderGroups: [] },
      materialProperties: doc.getRoot().listMaterials().map((m) => ({
        name: m.getName(),
        shader: 'VRM_USE_GLTFSHADER',
        renderQueue: 2000,
        floatProperties: {},
        vectorProperties: {},
        textureProperties: {},
        keywordMap: {},
        tagMap: {},
      })),
    }));
  }
  const bytes = await b.write([VrmcVrmExtension, VrmLegacyExtension]);
  const profile: HeadProfile = {
    ...head.profile,
    name: v.name,
    displayName: v.displayName,
    description: `${v.head.description} VRM ${v.version} avatar with a simple upper body.`,
    kind: 'vrm',
    file: `${v.name}.vrm`,
    anchor: { originCm: [0, ORIGIN_Y_CM, 0], unitsPerCm: 0.01, yawDeg: vrm0 ? 180 : 0 },
    colors: { ...head.profile.colors, shirt: v.shirtColor },
  };
  return { bytes, profile };
}
