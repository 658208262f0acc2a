/**
 * The humanoid skeleton of the VRM avatars, in canonical-face centimetres (the writer turns
 * it into metres, feet on the ground): every bone VRM 1.0 and 0.x require plus chest,
 * upperChest, neck and shoulders, in T-pose, no rotations or scales. Left is the subject's
 * left (+x in canonical space). Also the skin weights that tie each part to its bones.
 */
import { type Part, vertexCount, getPos } from './mesh.js';
import type { SkinAttributes } from './gltf.js';
import { clamp } from './vec.js';

export interface BoneDef {
  name: string;
  parent: string | null;
  /** World position, canonical cm. */
  at: [number, number, number];
}

const Z = -3; // the neck's axis sits behind the face
export const BONES: BoneDef[] = [
  { name: 'hips', parent: null, at: [0, -60, Z] },
  { name: 'spine', parent: 'hips', at: [0, -50, Z] },
  { name: 'chest', parent: 'spine', at: [0, -40, Z] },
  { name: 'upperChest', parent: 'chest', at: [0, -31, Z] },
  { name: 'neck', parent: 'upperChest', at: [0, -23, Z] },
  { name: 'head', parent: 'neck', at: [0, -8, Z] },
  ...(['left', 'right'] as const).flatMap((s): BoneDef[] => {
    const k = s === 'left' ? 1 : -1;
    const S = s === 'left' ? 'left' : 'right';
    return [
      { name: `${S}Shoulder`, parent: 'upperChest', at: [3 * k, -26, Z] },
      { name: `${S}UpperArm`, parent: `${S}Shoulder`, at: [16 * k, -27, Z] },
      { name: `${S}LowerArm`, parent: `${S}UpperArm`, at: [43 * k, -27, Z] },
      { name: `${S}Hand`, parent: `${S}LowerArm`, at: [67 * k, -27, Z] },
      { name: `${S}UpperLeg`, parent: 'hips', at: [9 * k, -64, Z] },
      { name: `${S}LowerLeg`, parent: `${S}UpperLeg`, at: [9 * k, -103, Z] },
      { name: `${S}Foot`, parent: `${S}LowerLeg`, at: [9 * k, -141, Z] },
    ];
  }),
];

export const BONE_INDEX = new Map(BONES.map((b, i) => [b.name, i]));

/** Bones VRM 0.x requires (VRM 1.0 requires a subset: all but chest and neck). */
export const REQUIRED_BONES_VRM0 = [
  'hips', 'spine', 'chest', 'neck', 'head',
  'leftUpperArm', 'leftLowerArm', 'leftHand', 'rightUpperArm', 'rightLowerArm', 'rightHand',
  'leftUpperLeg', 'leftLowerLeg', 'leftFoot', 'rightUpperLeg', 'rightLowerLeg', 'rightFoot',
];

type Weights = [string, number][];

/** Joints as unsigned bytes, weights as normalized unsigned bytes summing to exactly 255. */
function pack(part: Part, fn: (p: [number, number, number]) => Weights): SkinAttributes {
  const n = vertexCount(part);
  const joints = new Uint8Array(n * 4);
  const weights = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const w = fn(getPos(part, i))
      .filter(([, v]) => v > 1e-3)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4);
    const sum = w.reduce((s, [, v]) => s + v, 0);
    let total = 0;
    w.forEach(([name, v], k) => {
      joints[4 * i + k] = BONE_INDEX.get(name)!;
      weights[4 * i + k] = Math.round((v / sum) * 255);
      total += weights[4 * i + k];
    });
    weights[4 * i] += 255 - total; // the largest weight absorbs the rounding
    for (let k = 1; k < 4; k++) if (weights[4 * i + k] === 0) joints[4 * i + k] = 0;
  }
  return { joints, weights };
}

/** Linear blend between bones along a coordinate (chain sorted by that coordinate). */
function chain(value: number, bones: [string, number][]): Weights {
  if (value <= bones[0][1]) return [[bones[0][0], 1]];
  for (let k = 0; k < bones.length - 1; k++) {
    const [a, va] = bones[k];
    const [b, vb] = bones[k + 1];
    if (value <= vb) {
      const t = (value - va) / (vb - va);
      return [[a, 1 - t], [b, t]];
    }
  }
  return [[bones[bones.length - 1][0], 1]];
}

/** Everything on the head rides the head bone. */
export function headWeights(part: Part): SkinAttributes {
  return pack(part, () => [['head', 1]]);
}

/** The neck stub bends between the neck and head bones. */
export function neckWeights(part: Part): SkinAttributes {
  return pack(part, (p) => chain(p[1], [['neck', -23], ['head', -12]]));
}

/** Torso and arms: spine chain by height, shoulders and arm chain by |x|. */
export function bodyWeights(part: Part): SkinAttributes {
  return pack(part, (p) => {
    const ax = Math.abs(p[0]);
    const side = p[0] >= 0 ? 'left' : 'right';
    const spine = chain(p[1], [['hips', -60], ['spine', -50], ['chest', -40], ['upperChest', -31], ['neck', -23]]);
    if (ax < 9) return spine;
    const arm = chain(ax, [[`${side}Shoulder`, 9], [`${side}UpperArm`, 18], [`${side}LowerArm`, 43], [`${side}Hand`, 67]]);
    const t = clamp((ax - 9) / 9, 0, 1);
    return [...spine.map(([n, w]): [string, number] => [n, w * (1 - t)]), ...arm.map(([n, w]): [string, number] => [n, w * t])];
  });
}
