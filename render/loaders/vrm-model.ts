/**
 * VRM data, independent of Babylon: the VRM 1.0 (`VRMC_vrm`, `VRMC_materials_mtoon`) and
 * 0.x (`VRM`) glTF extensions read into one model (humanoid bones, expressions with their
 * morph, material colour and texture transform binds, isBinary and override flags, lookAt,
 * MToon parameters), and the expression weight rules of the VRM 1.0 specification.
 * Browser-safe; unit-tested in Node.
 */
import { VRM0_PRESET_NAMES } from '../retarget/expressions.js';

/** VRM 1.0 preset expression names. */
export const VRM_PRESETS = [
  'happy', 'angry', 'sad', 'relaxed', 'surprised',
  'aa', 'ih', 'ou', 'ee', 'oh',
  'blink', 'blinkLeft', 'blinkRight',
  'lookUp', 'lookDown', 'lookLeft', 'lookRight',
  'neutral',
] as const;

const BLINK = new Set(['blink', 'blinkLeft', 'blinkRight']);
const LOOK = new Set(['lookUp', 'lookDown', 'lookLeft', 'lookRight']);
const MOUTH = new Set(['aa', 'ih', 'ou', 'ee', 'oh']);

export type OverrideMode = 'none' | 'block' | 'blend';

/** A morph target bind: glTF node (its mesh's primitives), morph index, weight in [0,1]. */
export interface MorphBind {
  readonly nodes: readonly number[];
  readonly index: number;
  readonly weight: number;
}

/** A material colour bind: glTF material index, which colour, target RGBA (linear). */
export interface ColorBind {
  readonly material: number;
  readonly type: 'color' | 'emissionColor' | 'shadeColor' | 'matcapColor' | 'rimColor' | 'outlineColor';
  readonly target: readonly [number, number, number, number];
}

/** A texture transform bind: glTF material index, UV scale and offset at weight 1. */
export interface UvBind {
  readonly material: number;
  readonly scale: readonly [number, number];
  readonly offset: readonly [number, number];
}

export interface VrmExpression {
  /** VRM 1.0 name (0.x presets renamed: a -> aa, joy -> happy...). */
  readonly name: string;
  readonly isBinary: boolean;
  readonly overrideBlink: OverrideMode;
  readonly overrideLookAt: OverrideMode;
  readonly overrideMouth: OverrideMode;
  readonly morphBinds: readonly MorphBind[];
  readonly colorBinds: readonly ColorBind[];
  readonly uvBinds: readonly UvBind[];
}

/** MToon parameters noggin approximates. */
export interface MToonParams {
  readonly shadeColor: readonly [number, number, number];
  /** UV scroll speeds (per second) and rotation speed (turns per second). */
  readonly scrollX: number;
  readonly scrollY: number;
  readonly rotation: number;
}

export interface VrmModel {
  readonly version: '1.0' | '0.x';
  /** Humanoid bone name -> glTF node index. */
  readonly humanBones: Readonly<Record<string, number>>;
  readonly expressions: readonly VrmExpression[];
  readonly lookAt: { readonly type: 'bone' | 'expression'; readonly offsetFromHeadBone: readonly [number, number, number] };
  /** MToon parameters by glTF material index. */
  readonly mtoon: ReadonlyMap<number, MToonParams>;
  /** True when the model faces -Z (VRM 0.x) and must be turned to face +Z. */
  readonly facesMinusZ: boolean;
}

interface GltfLike {
  nodes?: { mesh?: number }[];
  materials?: { name?: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const num = (v: unknown, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const mode = (v: unknown): OverrideMode => (v === 'block' || v === 'blend' ? v : 'none');

function nodesOfMesh(gltf: GltfLike, mesh: number): number[] {
  return (gltf.nodes ?? []).flatMap((n, i) => (n.mesh === mesh ? [i] : []));
}

function readExpression10(name: string, e: Json): VrmExpression {
  return {
    name,
    isBinary: e.isBinary === true,
    overrideBlink: mode(e.overrideBlink),
    overrideLookAt: mode(e.overrideLookAt),
    overrideMouth: mode(e.overrideMouth),
    morphBinds: arr(e.morphTargetBinds).map((b) => ({ nodes: [num(obj(b).node, -1)], index: num(obj(b).index), weight: num(obj(b).weight) })),
    colorBinds: arr(e.materialColorBinds).map((b) => {
      const t = arr(obj(b).targetValue).map((v) => num(v));
      return { material: num(obj(b).material, -1), type: String(obj(b).type) as ColorBind['type'], target: [t[0] ?? 0, t[1] ?? 0, t[2] ?? 0, t[3] ?? 1] as const };
    }),
    uvBinds: arr(e.textureTransformBinds).map((b) => {
      const s = arr(obj(b).scale).map((v) => num(v, 1));
      const o = arr(obj(b).offset).map((v) => num(v));
      return { material: num(obj(b).material, -1), scale: [s[0] ?? 1, s[1] ?? 1] as const, offset: [o[0] ?? 0, o[1] ?? 0] as const };
    }),
  };
}

const VRM0_COLOR_PROPS: Readonly<Record<string, ColorBind['type']>> = {
  _Color: 'color',
  _ShadeColor: 'shadeColor',
  _EmissionColor: 'emissionColor',
  _RimColor: 'rimColor',
  _OutlineColor: 'outlineColor',
};

function readVrm0(gltf: GltfLike, v: Json): Omit<VrmModel, 'mtoon'> & { mtoon: Map<number, MToonParams> } {
  const humanBones: Record<string, number> = {};
  for (const b of arr(obj(v.humanoid).humanBones)) {
    const bone = obj(b);
    if (typeof bone.bone === 'string' && typeof bone.node === 'number') humanBones[bone.bone] = bone.node;
  }
  const materialIndex = new Map((gltf.materials ?? []).map((m, i) => [m.name ?? '', i]));
  const expressions: VrmExpression[] = arr(obj(v.blendShapeMaster).blendShapeGroups).map((g0) => {
    const g = obj(g0);
    const preset = String(g.presetName ?? 'unknown').toLowerCase();
    const name = preset !== 'unknown' && VRM0_PRESET_NAMES[preset] ? VRM0_PRESET_NAMES[preset] : String(g.name ?? preset);
    const colorBinds: ColorBind[] = [];
    const uvBinds: UvBind[] = [];
    for (const mv0 of arr(g.materialValues)) {
      const mv = obj(mv0);
      const material = materialIndex.get(String(mv.materialName)) ?? -1;
      const t = arr(mv.targetValue).map((x) => num(x));
      if (mv.propertyName === '_MainTex_ST') uvBinds.push({ material, scale: [t[0] ?? 1, t[1] ?? 1], offset: [t[2] ?? 0, t[3] ?? 0] });
      else if (typeof mv.propertyName === 'string' && VRM0_COLOR_PROPS[mv.propertyName]) {
        colorBinds.push({ material, type: VRM0_COLOR_PROPS[mv.propertyName], target: [t[0] ?? 0, t[1] ?? 0, t[2] ?? 0, t[3] ?? 1] });
      }
    }
    return {
      name,
      isBinary: g.isBinary === true,
      overrideBlink: 'none',
      overrideLookAt: 'none',
      overrideMouth: 'none',
      // 0.x weights are 0..100 and name meshes, not nodes.
      morphBinds: arr(g.binds).map((b) => ({ nodes: nodesOfMesh(gltf, num(obj(b).mesh, -1)), index: num(obj(b).index), weight: num(obj(b).weight) / 100 })),
      colorBinds,
      uvBinds,
    };
  });
  const fp = obj(v.firstPerson);
  const off = obj(fp.firstPersonBoneOffset);
  const mtoon = new Map<number, MToonParams>();
  arr(v.materialProperties).forEach((p0) => {
    const p = obj(p0);
    if (!String(p.shader ?? '').includes('MToon')) return;
    const i = materialIndex.get(String(p.name));
    if (i === undefined) return;
    const vec = obj(p.vectorProperties);
    const fl = obj(p.floatProperties);
    const shade = arr(vec._ShadeColor).map((x) => num(x));
    mtoon.set(i, {
      shadeColor: [shade[0] ?? 0.5, shade[1] ?? 0.5, shade[2] ?? 0.5],
      scrollX: num(fl._UvAnimScrollX),
      scrollY: num(fl._UvAnimScrollY),
      rotation: num(fl._UvAnimRotation),
    });
  });
  return {
    version: '0.x',
    humanBones,
    expressions,
    lookAt: { type: String(fp.lookAtTypeName) === 'BlendShape' ? 'expression' : 'bone', offsetFromHeadBone: [num(off.x), num(off.y, 0.06), num(off.z)] },
    mtoon,
    facesMinusZ: true,
  };
}

/** Reads the VRM extension of a glTF JSON; null when it is not a VRM. */
export function readVrm(gltf: GltfLike): VrmModel | null {
  const ext = gltf.extensions ?? {};
  if (ext.VRMC_vrm) {
    const v = obj(ext.VRMC_vrm);
    const humanBones: Record<string, number> = {};
    for (const [k, b] of Object.entries(obj(obj(v.humanoid).humanBones))) {
      const n = obj(b).node;
      if (typeof n === 'number') humanBones[k] = n;
    }
    const ex = obj(v.expressions);
    const expressions = [
      ...Object.entries(obj(ex.preset)).map(([k, e]) => readExpression10(k, obj(e))),
      ...Object.entries(obj(ex.custom)).map(([k, e]) => readExpression10(k, obj(e))),
    ];
    const la = obj(v.lookAt);
    const off = arr(la.offsetFromHeadBone).map((x) => num(x));
    const mtoon = new Map<number, MToonParams>();
    (gltf.materials ?? []).forEach((m, i) => {
      const t = obj(m.extensions?.VRMC_materials_mtoon);
      if (!m.extensions?.VRMC_materials_mtoon) return;
      const sc = arr(t.shadeColorFactor).map((x) => num(x));
      mtoon.set(i, {
        shadeColor: [sc[0] ?? 0, sc[1] ?? 0, sc[2] ?? 0],
        scrollX: num(t.uvAnimationScrollXSpeedFactor),
        scrollY: num(t.uvAnimationScrollYSpeedFactor),
        rotation: num(t.uvAnimationRotationSpeedFactor),
      });
    });
    return {
      version: '1.0',
      humanBones,
      expressions,
      lookAt: { type: la.type === 'expression' ? 'expression' : 'bone', offsetFromHeadBone: [off[0] ?? 0, off[1] ?? 0.06, off[2] ?? 0] },
      mtoon,
      facesMinusZ: false,
    };
  }
  if (ext.VRM) return readVrm0(gltf, obj(ext.VRM));
  return null;
}

/**
 * Final expression weights from input weights (VRM 1.0 rules): isBinary rounds at 0.5;
 * an expression with override "block" silences the blink / lookAt / mouth groups while its
 * weight is above 0, "blend" scales them by (1 - weight); the strongest override wins.
 */
export function resolveExpressionWeights(expressions: readonly VrmExpression[], input: ReadonlyMap<string, number>): Map<string, number> {
  const w = new Map<string, number>();
  for (const e of expressions) {
    let v = Math.min(1, Math.max(0, input.get(e.name) ?? 0));
    if (e.isBinary) v = v > 0.5 ? 1 : 0;
    w.set(e.name, v);
  }
  let blink = 1;
  let look = 1;
  let mouth = 1;
  const factor = (m: OverrideMode, v: number) => (m === 'block' ? (v > 0 ? 0 : 1) : m === 'blend' ? 1 - v : 1);
  for (const e of expressions) {
    const v = w.get(e.name) ?? 0;
    if (!v) continue;
    if (!BLINK.has(e.name)) blink = Math.min(blink, factor(e.overrideBlink, v));
    if (!LOOK.has(e.name)) look = Math.min(look, factor(e.overrideLookAt, v));
    if (!MOUTH.has(e.name)) mouth = Math.min(mouth, factor(e.overrideMouth, v));
  }
  for (const [name, v] of w) {
    if (BLINK.has(name)) w.set(name, v * blink);
    else if (LOOK.has(name)) w.set(name, v * look);
    else if (MOUTH.has(name)) w.set(name, v * mouth);
  }
  return w;
}
