/**
 * VRM avatars (.vrm): VRM 1.0 (`VRMC_vrm`) and 0.x (`VRM`) through glTF loader extensions
 * that capture the loaded glTF, then (./vrm-model.ts) humanoid bones, expressions with
 * morph / material colour / texture transform binds, isBinary and overrides, lookAt (bone
 * or expression), and an MToon approximation (flat or lit base colour, shade colour lifting
 * the shadows, UV scroll/rotation animation). The avatar is fitted from its head bone
 * (metres, eye level from the lookAt offset), turned to face +Z (0.x), and its body is
 * clipped below the neck.
 */
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { Material } from '@babylonjs/core/Materials/material.js';
import type { BaseTexture } from '@babylonjs/core/Materials/Textures/baseTexture.js';
import type { Texture } from '@babylonjs/core/Materials/Textures/texture.js';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode.js';
import type { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import type { GLTFLoader } from '@babylonjs/loaders/glTF/2.0/glTFLoader.js';
import type { IGLTFLoaderExtension } from '@babylonjs/loaders/glTF/2.0/glTFLoaderExtension.js';
import { registerGLTFExtension, unregisterGLTFExtension } from '@babylonjs/loaders/glTF/2.0/glTFLoaderExtensionRegistry.js';
import { GLTF_PLUGIN_EXTENSIONS } from './extensions.js';
import { loadGltfContainer } from './gltf.js';
import type { HeadExpressions, HeadLoaderPlugin, LoadedHead } from './types.js';
import { readVrm, resolveExpressionWeights, type MToonParams, type VrmModel } from './vrm-model.js';

/** The glTF the loader annotated (Babylon objects per node, material). */
interface AnnotatedGltf {
  nodes?: { mesh?: number; _babylonTransformNode?: TransformNode; _primitiveBabylonMeshes?: AbstractMesh[] }[];
  materials?: { name?: string; extensions?: Record<string, unknown>; _data?: Record<string, { babylonMaterial: Material }> }[];
  extensions?: Record<string, unknown>;
}

let captured: AnnotatedGltf | null = null;

/** Captures the loaded glTF when the load completes (one head loads at a time). */
class CaptureExtension implements IGLTFLoaderExtension {
  enabled: boolean;
  constructor(
    readonly name: string,
    private loader: GLTFLoader,
  ) {
    this.enabled = loader.isExtensionUsed(name) || !!(loader.gltf.extensions as Record<string, unknown> | undefined)?.[name];
  }
  dispose(): void {}
  onReady(): void {
    captured = this.loader.gltf as unknown as AnnotatedGltf;
  }
}

/** Extensions VRM files may require that need nothing at load time. */
class NoopExtension implements IGLTFLoaderExtension {
  enabled = true;
  constructor(readonly name: string) {}
  dispose(): void {}
}

/** Canonical eye midpoint (cm): eye level above, and ahead of, the canonical origin. */
const EYE_MID_CM = [0, 2.63, 3.5] as const;

function materialsOf(gltf: AnnotatedGltf, i: number): Material[] {
  return Object.values(gltf.materials?.[i]?._data ?? {}).map((d) => d.babylonMaterial);
}

function baseTexture(m: Material): Texture | null {
  const x = m as unknown as { albedoTexture?: BaseTexture | null; diffuseTexture?: BaseTexture | null };
  return ((x.albedoTexture ?? x.diffuseTexture) as Texture | null) ?? null;
}

type ColorKey = 'albedoColor' | 'diffuseColor' | 'emissiveColor';

/** Expressions, lookAt and MToon animation of one loaded VRM. */
class VrmController implements HeadExpressions {
  readonly names: string[];
  private readonly input = new Map<string, number>();
  private morphs: { target: MorphTarget; expr: string; weight: number }[] = [];
  private colors: { material: Material; key: ColorKey; base: Color3; target: Color3; expr: string }[] = [];
  private uvs: { texture: Texture; base: [number, number, number, number]; bind: [number, number, number, number]; expr: string }[] = [];
  private anims: { texture: Texture; base: [number, number, number]; p: MToonParams }[] = [];
  private eyes: { node: TransformNode; rest: Quaternion; left: boolean }[] = [];
  private gaze = { yaw: 0, pitch: 0 };

  constructor(
    private readonly model: VrmModel,
    private readonly gltf: AnnotatedGltf,
  ) {
    this.names = model.expressions.map((e) => e.name);
    for (const e of model.expressions) {
      for (const b of e.morphBinds) {
        for (const n of b.nodes) {
          for (const mesh of gltf.nodes?.[n]?._primitiveBabylonMeshes ?? []) {
            const mgr = mesh.morphTargetManager;
            if (mgr && b.index < mgr.numTargets) this.morphs.push({ target: mgr.getTarget(b.index), expr: e.name, weight: b.weight });
          }
        }
      }
      for (const b of e.uvBinds) {
        for (const m of materialsOf(gltf, b.material)) {
          const t = baseTexture(m);
          if (t) this.uvs.push({ texture: t, base: [t.uScale, t.vScale, t.uOffset, t.vOffset], bind: [b.scale[0], b.scale[1], b.offset[0], b.offset[1]], expr: e.name });
        }
      }
    }
    this.bindColors(model);
    for (const [i, p] of model.mtoon) {
      if (!p.scrollX && !p.scrollY && !p.rotation) continue;
      for (const m of materialsOf(gltf, i)) {
        const t = baseTexture(m);
        if (t) this.anims.push({ texture: t, base: [t.uOffset, t.vOffset, t.wAng], p });
      }
    }
    // Babylon compiles a texture without its UV matrix while the matrix is the identity; a
    // texture that will move must start (invisibly) off the identity.
    for (const t of new Set([...this.uvs.map((u) => u.texture), ...this.anims.map((a) => a.texture)])) {
      if (t.getTextureMatrix().isIdentityAs3x2()) t.uOffset += 1e-6;
    }
    if (model.lookAt.type === 'bone') {
      for (const [bone, left] of [['leftEye', true], ['rightEye', false]] as const) {
        const node = gltf.nodes?.[model.humanBones[bone] ?? -1]?._babylonTransformNode;
        if (node) {
          node.rotationQuaternion ??= Quaternion.FromEulerVector(node.rotation);
          this.eyes.push({ node, rest: node.rotationQuaternion.clone(), left });
        }
      }
    }
  }

  private bindColors(model: VrmModel): void {
    this.colors = [];
    for (const e of model.expressions) {
      for (const b of e.colorBinds) {
        for (const m of materialsOf(this.gltf, b.material).map((x) => this.current.get(x) ?? x)) {
          const x = m as unknown as Record<ColorKey, Color3 | undefined>;
          const key: ColorKey | null = b.type === 'color' ? (x.albedoColor ? 'albedoColor' : 'diffuseColor') : b.type === 'emissionColor' ? 'emissiveColor' : null;
          const c = key ? x[key] : undefined;
          if (!key || !c) continue;
          const target = new Color3(b.target[0], b.target[1], b.target[2]);
          this.colors.push({ material: m, key, base: c.clone(), target: key === 'diffuseColor' ? target.toGammaSpace() : target, expr: e.name });
        }
      }
    }
  }

  private readonly current = new Map<Material, Material>();

  /** Follows materials replaced after loading (fast materials). */
  remapMaterials(map: ReadonlyMap<Material, Material>): void {
    for (const [a, b] of map) this.current.set(a, b);
    this.bindColors(this.model);
  }

  animatedMaterials(): Material[] {
    const out = new Set<Material>(this.colors.map((c) => c.material));
    const textures = new Set<BaseTexture>([...this.uvs.map((u) => u.texture), ...this.anims.map((a) => a.texture)]);
    for (const m of this.gltf.materials ?? []) {
      for (const d of Object.values(m._data ?? {})) {
        const cur = this.current.get(d.babylonMaterial) ?? d.babylonMaterial;
        const t = baseTexture(cur);
        if (t && textures.has(t)) out.add(cur);
      }
    }
    return [...out];
  }

  set(name: string, weight: number): void {
    this.input.set(name, weight);
  }

  setGaze(yawDeg: number, pitchDeg: number): void {
    this.gaze = { yaw: yawDeg, pitch: pitchDeg };
  }

  setTime(ms: number): void {
    const t = ms / 1000;
    for (const a of this.anims) {
      a.texture.uOffset = a.base[0] + a.p.scrollX * t;
      a.texture.vOffset = a.base[1] + a.p.scrollY * t;
      a.texture.wAng = a.base[2] - a.p.rotation * 2 * Math.PI * t;
    }
  }

  update(): void {
    const w = resolveExpressionWeights(this.model.expressions, this.input);
    const sums = new Map<MorphTarget, number>();
    for (const m of this.morphs) sums.set(m.target, (sums.get(m.target) ?? 0) + m.weight * (w.get(m.expr) ?? 0));
    for (const [t, v] of sums) t.influence = Math.min(1, v);
    const colorSums = new Map<Color3, { base: Color3; r: number; g: number; b: number; owner: Record<ColorKey, Color3>; key: ColorKey }>();
    for (const c of this.colors) {
      const owner = c.material as unknown as Record<ColorKey, Color3>;
      const cur = owner[c.key];
      let s = colorSums.get(cur);
      if (!s) colorSums.set(cur, (s = { base: c.base, r: 0, g: 0, b: 0, owner, key: c.key }));
      const k = w.get(c.expr) ?? 0;
      s.r += k * (c.target.r - c.base.r);
      s.g += k * (c.target.g - c.base.g);
      s.b += k * (c.target.b - c.base.b);
    }
    for (const s of colorSums.values()) s.owner[s.key] = new Color3(s.base.r + s.r, s.base.g + s.g, s.base.b + s.b);
    const uv = new Map<Texture, { base: number[]; d: number[] }>();
    for (const u of this.uvs) {
      let s = uv.get(u.texture);
      if (!s) uv.set(u.texture, (s = { base: u.base, d: [0, 0, 0, 0] }));
      const k = w.get(u.expr) ?? 0;
      for (let i = 0; i < 4; i++) s.d[i] += k * (u.bind[i] - u.base[i]);
    }
    for (const [t, s] of uv) {
      t.uScale = s.base[0] + s.d[0];
      t.vScale = s.base[1] + s.d[1];
      t.uOffset = s.base[2] + s.d[2];
      t.vOffset = s.base[3] + s.d[3];
    }
    for (const e of this.eyes) {
      // Subject looking to their left turns both eyes toward +x of the head (its left).
      const q = Quaternion.RotationYawPitchRoll((this.gaze.yaw * Math.PI) / 180, (-this.gaze.pitch * Math.PI) / 180, 0);
      e.node.rotationQuaternion = e.rest.multiply(q);
    }
  }
}

/** Materials that approximate MToon: shade colour lifts the shadowed side. */
function approximateMToon(model: VrmModel, gltf: AnnotatedGltf): void {
  for (const [i, p] of model.mtoon) {
    for (const m of materialsOf(gltf, i)) {
      const x = m as unknown as { albedoColor?: Color3; emissiveColor?: Color3; unlit?: boolean; specularIntensity?: number; roughness?: number; metallic?: number };
      if (x.unlit) continue;
      const base = x.albedoColor ?? new Color3(1, 1, 1);
      if (x.emissiveColor) x.emissiveColor = new Color3(base.r * p.shadeColor[0] * 0.35, base.g * p.shadeColor[1] * 0.35, base.b * p.shadeColor[2] * 0.35);
      if (x.roughness !== undefined) x.roughness = 1;
      if (x.metallic !== undefined) x.metallic = 0;
    }
  }
}

export const vrmPlugin: HeadLoaderPlugin = {
  name: 'vrm',
  fileExtensions: ['vrm'],
  gltfExtensions: GLTF_PLUGIN_EXTENSIONS.vrm,
  install() {
    for (const name of ['VRMC_vrm', 'VRM']) {
      unregisterGLTFExtension(name);
      registerGLTFExtension(name, false, (loader) => new CaptureExtension(name, loader));
    }
    for (const name of ['VRMC_materials_mtoon', 'VRMC_springBone', 'VRMC_node_constraint', 'VRMC_materials_hdr_emissiveMultiplier']) {
      unregisterGLTFExtension(name);
      registerGLTFExtension(name, false, () => new NoopExtension(name));
    }
  },
  async load(ctx): Promise<LoadedHead> {
    captured = null;
    const { container, extensionsUsed } = await loadGltfContainer(ctx, '.glb');
    const gltf = captured as AnnotatedGltf | null;
    captured = null;
    const model = gltf ? readVrm(gltf) : null;
    if (!gltf || !model) {
      container.dispose();
      throw new Error('no VRMC_vrm or VRM extension: not a VRM avatar');
    }
    const root = container.rootNodes[0] as TransformNode | undefined;
    if (model.facesMinusZ && root) {
      root.rotationQuaternion = Quaternion.RotationAxis(Vector3.Up(), Math.PI).multiply(root.rotationQuaternion ?? Quaternion.Identity());
    }
    for (const n of container.transformNodes) n.computeWorldMatrix(true);
    for (const n of container.meshes) n.computeWorldMatrix(true);
    const node = (bone: string) => gltf.nodes?.[model.humanBones[bone] ?? -1]?._babylonTransformNode;
    const head = node('head');
    let anchor: LoadedHead['anchor'];
    let clipBelowModelY: number | undefined;
    if (head) {
      const h = head.getAbsolutePosition();
      const off = model.lookAt.offsetFromHeadBone;
      const eye = new Vector3(h.x + (model.facesMinusZ ? -off[0] : off[0]), h.y + off[1], h.z + (model.facesMinusZ ? -off[2] : off[2]));
      // Metres: 0.01 model units per cm.
      const origin: [number, number, number] = [eye.x * 100 - EYE_MID_CM[0], eye.y * 100 - EYE_MID_CM[1], eye.z * 100 - EYE_MID_CM[2]];
      anchor = { originCm: origin, unitsPerCm: 0.01 };
      const neck = node('neck');
      const chest = node('upperChest') ?? node('chest') ?? node('spine');
      if (neck && chest) {
        clipBelowModelY = (neck.getAbsolutePosition().y + chest.getAbsolutePosition().y) / 2;
      } else if (neck) {
        clipBelowModelY = neck.getAbsolutePosition().y - 0.04;
      }
    } else {
      ctx.warn('the VRM has no head bone: fitted from its bounding box');
    }
    // Arms would stick out sideways from the clipped body: fold them into the shoulders.
    for (const side of ['left', 'right']) {
      const arm = node(`${side}Shoulder`) ?? node(`${side}UpperArm`);
      arm?.scaling.setAll(1e-4);
    }
    approximateMToon(model, gltf);
    const expressions = new VrmController(model, gltf);
    const bones = { head, neck: node('neck'), leftEye: node('leftEye'), rightEye: node('rightEye') };
    return { container, plugins: [...new Set([...extensionsUsed, model.version === '1.0' ? 'VRMC_vrm' : 'VRM'])], expressions, bones, anchor, clipBelowModelY, turned: model.facesMinusZ };
  },
};
