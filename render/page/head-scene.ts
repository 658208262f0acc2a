/**
 * The head scene (browser): a Babylon.js engine on one canvas, MediaPipe's camera (at the
 * origin looking down -Z, right-handed, the track's vertical field of view), a loaded head
 * under two nodes (pose <- face matrix, anchor <- the head's profile), and rendering of
 * just the crop of the frame the head covers, with a transparent background. The render
 * page drives it over its channel; the live page can drive it from its own landmarker.
 */
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera.js';
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight.js';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js';
import { RenderingGroup } from '@babylonjs/core/Rendering/renderingGroup.js';
import { Color3, Color4 } from '@babylonjs/core/Maths/math.color.js';
import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { Plane } from '@babylonjs/core/Maths/math.plane.js';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode.js';
import { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { Scene } from '@babylonjs/core/scene.js';
import type { BaseTexture } from '@babylonjs/core/Materials/Textures/baseTexture.js';
import { PBRMaterial } from '@babylonjs/core/Materials/PBR/pbrMaterial.js';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import type { Material } from '@babylonjs/core/Materials/material.js';
import type { RenderHeadInfo, RenderHeadSpec, SceneLighting } from '../../core/page-contract.js';
import { cropProjection, headCrop, outlineCrop, perspective, type Box3, type PixelRect, type Vec3 } from '../camera-math.js';
import { headOutline, type OutlineSource } from './head-outline.js';
import { getHeadLoader, headLoaderFor, installHeadLoaders, type HeadExpressions, type LoadedHead } from '../loaders/index.js';
import { buildRetarget, type Retarget } from '../retarget/index.js';
import { driveExpressions } from '../retarget/expressions.js';
import { CpuMorph } from './cpu-morph.js';
import { VertexLighting } from './vertex-lighting.js';
import { Ktx2Configuration } from '../loaders/ktx2.js';

/** Options of a head scene. */
export interface HeadSceneOptions {
  readonly antialias: boolean;
  readonly verticalFovDeg: number;
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly cropMarginPx: number;
  readonly cropQuantumPx: number;
  /** Most morph targets active at once (largest weights win). */
  readonly maxActiveMorphs: number;
  /** Morph normals as well as positions. */
  readonly morphNormals: boolean;
  /** PBR -> Blinn-Phong materials. */
  readonly fastMaterials: boolean;
  /** With fast materials, matte parts lit per vertex (default true). */
  readonly vertexLighting?: boolean;
  /**
   * Where morph targets are applied: 'cpu' (default: sparse deltas in JS, one buffer upload;
   * much faster on software WebGL) or 'gpu' (Babylon's vertex shader morphing).
   */
  readonly morphsOn?: 'cpu' | 'gpu';
  /** Lights (camera space) matched to the footage; default: studio lighting. */
  readonly lighting?: SceneLighting | null;
}

/** An error whose message starts with its kind (`webgl:`, `load:`, `limits:`). */
export class SceneError extends Error {
  constructor(kind: 'webgl' | 'load' | 'limits', message: string) {
    super(`${kind}: ${message}`);
  }
}

/** Where the canonical origin sits, relative to a bare head's bounding box centre (cm). */
const AUTO_FIT_CENTRE_CM: Vec3 = [0, 1.8, -2];
/** noggin's fixed lighting (`--lighting studio`), camera space. */
const STUDIO_LIGHTING: SceneLighting = { keyFrom: [0.35, 0.45, 1], key: 1, ambient: 1, color: [1, 1, 1] };
/** Light intensities: sky, key, ground colour, for PBR and for fast materials. */
const PBR_LIGHTS = [0.9, 1.6, 0.35];
const FAST_LIGHTS = [0.7, 0.9, 0.3];
/**
 * With fast materials, a material whose specular colour stays below this (max channel) is
 * lit without a specular term: software WebGL pays for the term on every pixel (measured:
 * 30-45% of a fox frame on SwiftShader) while on matte fur or skin it barely shows.
 */
const MATTE_SPECULAR = 0.15;
/**
 * Room around the outline's projection, as a fraction of its size: morph targets acting
 * together can reach a little past each one's own extreme.
 */
const OUTLINE_SLACK = 0.03;
/** A head whose vertices stay within this (cm) above its neck cut needs no clip plane. */
const CLIP_TOLERANCE_CM = 0.05;
/** Morph weights below this are treated as 0 (saves vertex work, invisible). */
const MIN_INFLUENCE = 0.01;
/** Chin-to-crown height a bare head's bounding box is fitted to (cm). */
const AUTO_FIT_HEIGHT_CM = 26;

export class HeadScene {
  readonly canvas: HTMLCanvasElement;
  readonly engine: Engine;
  readonly scene: Scene;
  readonly camera: FreeCamera;
  readonly gl: WebGL2RenderingContext | WebGLRenderingContext;
  private readonly pose: TransformNode;
  private readonly anchor: TransformNode;
  private morphs: { target: MorphTarget; slot: number }[] = [];
  private cpuMorphs: CpuMorph[] = [];
  /** Matte parts lit per vertex (fast materials only). */
  private vertexLit: VertexLighting | null = null;
  private retarget: Retarget | null = null;
  private weights = new Float32Array(0);
  private keep = new Uint8Array(0);
  private expressions: HeadExpressions | null = null;
  private clipBelowCm: number | null = null;
  private readonly canonicalClip = new Plane(0, -1, 0, 0);
  private bounds: Box3 = { min: [-10, -12, -12], max: [10, 14, 10] };
  /** Outline points (canonical cm) the crop is fitted to; null: the bounds box. */
  private outline: Float32Array | null = null;
  private readonly tmpMatrix = Matrix.Identity();
  private readonly tmpScale = new Vector3();
  private width = 0;
  private height = 0;
  /** Set when the WebGL context is lost; nothing renders after. */
  contextLost = false;
  resizes = 0;
  /** The key light with specular and its twin without (fast materials only). */
  private keyLights: { shiny: DirectionalLight; matte: DirectionalLight } | null = null;
  private lights!: { hemi: HemisphericLight; key: DirectionalLight };

  constructor(readonly opts: HeadSceneOptions) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = 16;
    this.canvas.height = 16;
    this.canvas.addEventListener('webglcontextlost', () => {
      this.contextLost = true;
    });
    try {
      this.engine = new Engine(
        this.canvas,
        opts.antialias,
        {
          preserveDrawingBuffer: true,
          premultipliedAlpha: false,
          alpha: true,
          stencil: false,
          depth: true,
          antialias: opts.antialias,
          powerPreference: 'high-performance',
          failIfMajorPerformanceCaveat: false,
          doNotHandleContextLost: true,
          audioEngine: false,
          adaptToDeviceRatio: false,
        },
        false,
      );
    } catch (e) {
      throw new SceneError('webgl', `WebGL could not be created (${(e as Error).message})`);
    }
    const gl = (this.engine as unknown as { _gl?: WebGL2RenderingContext }). _gl;
    if (!gl) throw new SceneError('webgl', 'WebGL could not be created (no context)');
    this.gl = gl;
    this.scene = new Scene(this.engine);
    this.scene.useRightHandedSystem = true;
    this.scene.clearColor = new Color4(0, 0, 0, 0);
    this.scene.skipPointerMovePicking = true;
    this.scene.skipFrustumClipping = true;
    this.camera = new FreeCamera('noggin-camera', Vector3.Zero(), this.scene);
    this.camera.setTarget(new Vector3(0, 0, -1));
    this.camera.minZ = 1;
    this.camera.maxZ = 10000;
    this.camera.inputs.clear();
    const hemi = new HemisphericLight('noggin-sky', new Vector3(0, 1, 0.3), this.scene);
    const key = new DirectionalLight('noggin-key', new Vector3(0, 0, -1), this.scene);
    if (opts.fastMaterials) {
      // The sky's highlight is a faint sheen from above; the key's stays on shiny parts only
      // (eyes, nose, teeth), through a twin key without specular for the matte ones.
      hemi.specular = Color3.Black();
      const matte = new DirectionalLight('noggin-key-matte', new Vector3(0, 0, -1), this.scene);
      matte.specular = Color3.Black();
      this.keyLights = { shiny: key, matte };
    }
    this.lights = { hemi, key };
    this.setLighting(opts.lighting ?? null);
    // Opaque parts nearest first: a software rasteriser then skips shading hidden pixels.
    this.scene.setRenderingOrder(0, RenderingGroup.frontToBackSortCompare);
    this.pose = new TransformNode('noggin-pose', this.scene);
    this.pose.rotationQuaternion = Quaternion.Identity();
    this.anchor = new TransformNode('noggin-anchor', this.scene);
    this.anchor.parent = this.pose;
  }

  /** Sets the lights (camera space) to match footage; null: studio lighting. Cheap: no shader changes. */
  setLighting(lighting: SceneLighting | null): void {
    // Blinn-Phong (fast materials) lights in gamma space: dimmer lights give the same look.
    const fast = this.opts.fastMaterials;
    const L = fast ? FAST_LIGHTS : PBR_LIGHTS;
    const lit = lighting ?? STUDIO_LIGHTING;
    const tint = lit.color.map((c) => (fast ? c ** (1 / 2.2) : c));
    const { hemi, key } = this.lights;
    hemi.intensity = L[0] * lit.ambient;
    hemi.diffuse = new Color3(tint[0], tint[1], tint[2]);
    hemi.groundColor = new Color3(L[2] * tint[0], L[2] * 0.95 * tint[1], L[2] * 0.92 * tint[2]);
    key.direction = new Vector3(-lit.keyFrom[0], -lit.keyFrom[1], -lit.keyFrom[2]);
    key.intensity = L[1] * lit.key;
    key.diffuse = new Color3(tint[0], tint[1], tint[2]);
    const matte = this.keyLights?.matte;
    if (matte) {
      matte.direction = key.direction.clone();
      matte.intensity = key.intensity;
      matte.diffuse = key.diffuse.clone();
    }
  }

  /** The WebGL renderer string. */
  rendererName(): string {
    const gl = this.gl;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  }

  /** Loads the head, fits it to the canonical face and binds its morph targets. */
  async loadHead(spec: RenderHeadSpec): Promise<RenderHeadInfo> {
    installHeadLoaders();
    const plugin = spec.loader ? getHeadLoader(spec.loader) : headLoaderFor(spec.fileName);
    if (!plugin?.load) throw new SceneError('load', `no loader plugin for ${spec.loader ?? spec.fileName}`);
    const warnings: string[] = [];
    let loaded: LoadedHead;
    try {
      Ktx2Configuration.maxTextureSide = spec.maxTextureSide;
      loaded = await plugin.load({ scene: this.scene, spec, warn: (m) => warnings.push(m), gammaMaterials: this.opts.fastMaterials });
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      throw new SceneError('load', msg.replace(/^Unable to load from \S+: /, '').split('\n')[0].slice(0, 300));
    }
    const c = loaded.container;
    const meshes = c.meshes as AbstractMesh[];
    let vertices = 0;
    for (const m of meshes) vertices += m.getTotalVertices();
    if (vertices > spec.maxVertices) {
      c.dispose();
      throw new SceneError('limits', `the head has ${vertices} vertices, more than the ${spec.maxVertices} allowed`);
    }
    for (const t of c.textures as BaseTexture[]) {
      const s = t.getSize();
      if (s.width > spec.maxTextureSide || s.height > spec.maxTextureSide) {
        c.dispose();
        throw new SceneError('limits', `texture "${t.name}" is ${s.width}x${s.height}, larger than ${spec.maxTextureSide} px per side`);
      }
    }
    c.addAllToScene();
    for (const n of [...c.rootNodes]) n.parent = this.anchor;
    this.applyColors(spec.colors, c.materials);
    const replaced = this.opts.fastMaterials ? this.useFastMaterials(meshes) : new Map<Material, Material>();
    this.splitKeyLight(meshes);

    // Anchor: canonical = model / unitsPerCm - originCm.
    let anchor = spec.anchor ?? loaded.anchor ?? null;
    if (!anchor) {
      anchor = this.autoFit(meshes);
      warnings.push('no profile anchor: fitted from the bounding box (write a profile to line it up exactly)');
    }
    const k = anchor.unitsPerCm;
    const yaw = loaded.turned ? 0 : (anchor.yawDeg ?? 0);
    this.anchor.scaling.setAll(1 / k);
    this.anchor.rotationQuaternion = Quaternion.RotationAxis(Vector3.Up(), (-yaw * Math.PI) / 180);
    this.anchor.position.set(-anchor.originCm[0], -anchor.originCm[1], -anchor.originCm[2]);
    this.anchor.computeWorldMatrix(true);

    // Morph targets, by distinct name.
    const names: string[] = [];
    const slotOf = new Map<string, number>();
    this.morphs = [];
    this.cpuMorphs = [];
    const cpuByMesh = new Map<AbstractMesh, CpuMorph>();
    const outlineSources: OutlineSource[] = [];
    for (const m of meshes) {
      const mgr = m.morphTargetManager;
      const targets: MorphTarget[] = [];
      if (m.getTotalVertices() > 0) outlineSources.push({ mesh: m, targets });
      if (!mgr) continue;
      for (let i = 0; i < mgr.numTargets; i++) targets.push(mgr.getTarget(i));
      if ((this.opts.morphsOn ?? 'cpu') === 'cpu' && m instanceof Mesh) {
        const cpu = CpuMorph.takeOver(m, this.opts.morphNormals);
        if (cpu) {
          this.cpuMorphs.push(cpu);
          cpuByMesh.set(m, cpu);
        }
      } else {
        // One shader for any number of active targets: without this, Babylon recompiles the
        // shader each time the count of non-zero influences changes (100+ ms on SwiftShader).
        mgr.numMaxInfluencers = Math.max(1, Math.min(mgr.numTargets, this.opts.maxActiveMorphs));
        mgr.enableNormalMorphing = this.opts.morphNormals;
        mgr.enableTangentMorphing = false;
        mgr.enableUVMorphing = false;
      }
      for (const t of targets) {
        let slot = slotOf.get(t.name);
        if (slot === undefined) {
          slot = names.length;
          names.push(t.name);
          slotOf.set(t.name, slot);
        }
        this.morphs.push({ target: t, slot });
      }
    }
    this.vertexLit = this.keyLights && (this.opts.vertexLighting ?? true) ? VertexLighting.setUp(meshes, (s) => specularOf(s) < MATTE_SPECULAR, (m) => cpuByMesh.get(m)?.normals ?? null, this.pose) : null;
    this.retarget = buildRetarget(names, spec.retarget);
    this.weights = new Float32Array(names.length);
    this.keep = new Uint8Array(names.length);
    this.expressions = loaded.expressions ?? null;
    if (replaced.size) this.expressions?.remapMaterials?.(replaced);
    this.clipBelowCm = spec.clipBelowCm ?? (loaded.clipBelowModelY !== undefined ? loaded.clipBelowModelY / k - anchor.originCm[1] : null);
    if (this.clipBelowCm !== null) this.scene.clipPlane = new Plane(0, -1, 0, this.clipBelowCm);
    if (!names.length && !this.expressions) warnings.push('the head has no morph targets: it follows the head pose only');
    else if (names.length && !this.retarget.bound.size && !this.expressions) {
      warnings.push(`none of its ${names.length} morph targets matches a known naming convention (${names.slice(0, 4).join(', ')}...): it follows the head pose only`);
    }

    this.bounds = spec.boundsCm ? { min: spec.boundsCm.minCm as Vec3, max: spec.boundsCm.maxCm as Vec3 } : this.measureBounds(meshes);
    if (this.clipBelowCm !== null && !spec.boundsCm) {
      // A body under the head: only the head and neck are drawn.
      const b = this.bounds;
      this.bounds = {
        min: [Math.max(b.min[0], -20), Math.max(b.min[1], this.clipBelowCm - 1), Math.max(b.min[2], -20)],
        max: [Math.min(b.max[0], 20), Math.min(b.max[1], 35), Math.min(b.max[2], 20)],
      };
    }
    this.poseAtIdentity();
    const outline = headOutline(outlineSources, this.bounds, this.clipBelowCm);
    this.outline = outline.points;
    if (this.clipBelowCm !== null && outline.lowestCm >= this.clipBelowCm - CLIP_TOLERANCE_CM) {
      // Nothing reaches below the cut (a neck that ends there): the clip plane would only
      // cost a discard test on every pixel.
      this.clipBelowCm = null;
      this.scene.clipPlane = null;
    }
    this.setFace(null, null);
    await this.scene.whenReadyAsync();
    this.freeze();
    return {
      loader: plugin.name,
      plugins: loaded.plugins,
      meshes: meshes.filter((m) => m.getTotalVertices() > 0).length,
      vertices,
      vertexLitMeshes: this.vertexLit?.meshes ?? 0,
      morphTargets: names,
      bound: Object.fromEntries(this.retarget.bound),
      unbound: [...this.retarget.unbound],
      expressions: this.expressions ? [...this.expressions.names] : [],
      boundsCm: { minCm: [...this.bounds.min], maxCm: [...this.bounds.max] },
      warnings,
    };
  }

  private applyColors(colors: Readonly<Record<string, string>>, materials: readonly { name: string }[]): void {
    for (const mat of materials) {
      const hex = colors[mat.name];
      if (!hex) continue;
      const c = Color3.FromHexString(hex);
      const m = mat as unknown as { albedoColor?: Color3; diffuseColor?: Color3; emissiveColor?: Color3; unlit?: boolean };
      if (m.albedoColor) m.albedoColor = c.toLinearSpace();
      else if (m.diffuseColor) m.diffuseColor = c;
    }
  }

  /** Replaces PBR materials by Blinn-Phong ones (same colours, textures, alpha, culling). */
  private useFastMaterials(meshes: readonly AbstractMesh[]): Map<Material, Material> {
    const made = new Map<Material, StandardMaterial>();
    for (const m of meshes) {
      const p = m.material;
      if (!(p instanceof PBRMaterial)) continue;
      let s = made.get(p);
      if (!s) {
        s = new StandardMaterial(`${p.name}`, this.scene);
        s.diffuseColor = p.albedoColor.toGammaSpace();
        s.diffuseTexture = p.albedoTexture;
        s.emissiveColor = p.emissiveColor.toGammaSpace();
        s.emissiveTexture = p.emissiveTexture;
        s.alpha = p.alpha;
        s.transparencyMode = p.transparencyMode;
        s.useAlphaFromDiffuseTexture = p.useAlphaFromAlbedoTexture;
        s.backFaceCulling = p.backFaceCulling;
        s.zOffset = p.zOffset;
        const rough = p.roughness ?? 1;
        const shine = Math.max(0, 1 - rough) * (p.metallic ? 0.5 : 1);
        s.specularColor = new Color3(0.04 + 0.3 * shine, 0.04 + 0.3 * shine, 0.04 + 0.3 * shine);
        s.specularPower = 8 + 120 * shine;
        if (p.unlit) {
          // Unlit: (white emissive) x diffuse x texture, so colour binds on diffuse keep working.
          s.disableLighting = true;
          s.linkEmissiveWithDiffuse = true;
          s.emissiveColor = new Color3(1, 1, 1);
          s.emissiveTexture = null;
          s.specularColor = new Color3(0, 0, 0);
        }
        made.set(p, s);
      }
      m.material = s;
    }
    for (const p of made.keys()) p.dispose(false, false);
    return made;
  }

  /** Lights each mesh by the key with specular (shiny material) or the one without (matte). */
  private splitKeyLight(meshes: readonly AbstractMesh[]): void {
    if (!this.keyLights) return;
    const shiny: AbstractMesh[] = [];
    const matte: AbstractMesh[] = [];
    for (const m of meshes) {
      const mat = m.material;
      const s = mat instanceof StandardMaterial ? (mat.disableLighting ? 0 : specularOf(mat)) : 1;
      (s < MATTE_SPECULAR ? matte : shiny).push(m);
    }
    this.keyLights.shiny.excludedMeshes = matte;
    this.keyLights.matte.excludedMeshes = shiny;
  }

  /** Poses the head at the identity: world space is then canonical space. */
  private poseAtIdentity(): void {
    this.pose.position.setAll(0);
    this.pose.rotationQuaternion!.copyFromFloats(0, 0, 0, 1);
    this.pose.scaling.setAll(1);
    this.pose.computeWorldMatrix(true);
    this.anchor.computeWorldMatrix(true);
  }

  /** World-space (= canonical, pose at identity) bounds of the meshes, with a 10% margin. */
  private measureBounds(meshes: readonly AbstractMesh[]): Box3 {
    this.poseAtIdentity();
    const min = [Infinity, Infinity, Infinity];
    const max = [-Infinity, -Infinity, -Infinity];
    for (const m of meshes) {
      if (!m.getTotalVertices()) continue;
      m.computeWorldMatrix(true);
      m.refreshBoundingInfo({ applySkeleton: true, applyMorph: false });
      const b = m.getBoundingInfo().boundingBox;
      for (let i = 0; i < 3; i++) {
        min[i] = Math.min(min[i], b.minimumWorld.asArray()[i]);
        max[i] = Math.max(max[i], b.maximumWorld.asArray()[i]);
      }
    }
    if (!Number.isFinite(min[0])) return { min: [-10, -12, -12], max: [10, 14, 10] };
    const pad = (i: number) => (max[i] - min[i]) * 0.1;
    return {
      min: [min[0] - pad(0), min[1] - pad(1), min[2] - pad(2)],
      max: [max[0] + pad(0), max[1] + pad(1), max[2] + pad(2)],
    };
  }

  /** An anchor from the bounding box of the model (no profile). */
  private autoFit(meshes: readonly AbstractMesh[]): { originCm: Vec3; unitsPerCm: number } {
    this.anchor.scaling.setAll(1);
    this.anchor.position.setAll(0);
    const b = this.measureBounds(meshes);
    // measureBounds padded 10% each side: undo it.
    const size = (b.max[1] - b.min[1]) / 1.2;
    const k = size > 0 ? size / AUTO_FIT_HEIGHT_CM : 1;
    const centre = [0, 1, 2].map((i) => (b.min[i] + b.max[i]) / 2);
    return {
      unitsPerCm: k,
      originCm: [centre[0] / k - AUTO_FIT_CENTRE_CM[0], centre[1] / k - AUTO_FIT_CENTRE_CM[1], centre[2] / k - AUTO_FIT_CENTRE_CM[2]],
    };
  }

  /** Poses the head (null: hidden) and applies the blendshape scores (null: neutral). */
  setFace(matrix: ArrayLike<number> | null, blendshapes: ArrayLike<number> | null): void {
    if (!matrix) {
      this.pose.setEnabled(false);
      return;
    }
    this.pose.setEnabled(true);
    Matrix.FromArrayToRef(matrix as number[], 0, this.tmpMatrix);
    this.tmpMatrix.decompose(this.tmpScale, this.pose.rotationQuaternion!, this.pose.position);
    this.pose.scaling.copyFrom(this.tmpScale);
    if (this.clipBelowCm !== null && this.scene.clipPlane) {
      // Keep canonical y > clipBelowCm: the plane follows the head (points on its + side are cut).
      this.canonicalClip.normal.set(0, -1, 0);
      this.canonicalClip.d = this.clipBelowCm;
      const t = this.canonicalClip.transform(this.pose.computeWorldMatrix(true));
      this.scene.clipPlane.normal.copyFrom(t.normal);
      this.scene.clipPlane.d = t.d;
    }
    if (blendshapes && this.retarget) {
      this.retarget.apply(blendshapes, this.weights);
      this.pickActive();
      for (const m of this.morphs) m.target.influence = this.keep[m.slot] ? this.weights[m.slot] : 0;
      if (this.expressions) driveExpressions(this.expressions, blendshapes);
    }
  }

  /** Time of the frame being drawn (material animations). */
  setTime(ms: number): void {
    this.expressions?.setTime?.(ms);
  }

  /** Marks in `keep` the (at most maxActiveMorphs) largest weights above MIN_INFLUENCE. */
  private pickActive(): void {
    const w = this.weights;
    const keep = this.keep;
    const k = this.opts.maxActiveMorphs;
    keep.fill(0);
    for (let n = 0; n < k; n++) {
      let best = -1;
      let bestW = MIN_INFLUENCE;
      for (let i = 0; i < w.length; i++) {
        const a = Math.abs(w[i]);
        if (!keep[i] && a > bestW) {
          bestW = a;
          best = i;
        }
      }
      if (best < 0) break;
      keep[best] = 1;
    }
  }

  /** The crop of the frame the posed head covers (null: off the frame). */
  cropFor(matrix: ArrayLike<number>): PixelRect | null {
    const o = this.opts;
    const crop = { marginPx: o.cropMarginPx, quantumPx: o.cropQuantumPx };
    if (!this.outline) return headCrop(matrix, this.bounds, o.verticalFovDeg, o.frameWidth, o.frameHeight, crop);
    return outlineCrop(matrix, this.outline, o.verticalFovDeg, o.frameWidth, o.frameHeight, { ...crop, slackFraction: OUTLINE_SLACK });
  }

  /** Renders `crop` of the frame into the canvas (resized to the crop when it changed). */
  render(crop: PixelRect): void {
    if (this.contextLost) throw new SceneError('webgl', 'the WebGL context was lost');
    if (crop.width !== this.width || crop.height !== this.height) {
      this.engine.setSize(crop.width, crop.height);
      this.width = crop.width;
      this.height = crop.height;
      this.resizes++;
    }
    const o = this.opts;
    this.camera.freezeProjectionMatrix(Matrix.FromArray(Array.from(cropProjection(o.verticalFovDeg, o.frameWidth, o.frameHeight, crop))));
    for (const m of this.cpuMorphs) m.apply();
    if (this.vertexLit && this.keyLights) this.vertexLit.update({ hemi: this.lights.hemi, key: this.keyLights.matte });
    this.scene.render();
  }

  /** Reads the canvas (as last rendered) into `into`: RGBA, rows bottom-up, premultiplied. */
  readPixels(into: Uint8Array): void {
    const gl = this.gl;
    gl.readPixels(0, 0, this.width, this.height, gl.RGBA, gl.UNSIGNED_BYTE, into);
  }

  /** Projects canonical points posed by `matrix` through the scene's camera and nodes to frame pixels. */
  project(matrix: ArrayLike<number>, pointsCm: readonly Vec3[]): ({ x: number; y: number } | null)[] {
    const o = this.opts;
    this.setFace(matrix, null);
    this.camera.freezeProjectionMatrix(Matrix.FromArray(Array.from(perspective(o.verticalFovDeg, o.frameWidth / o.frameHeight))));
    const world = this.pose.computeWorldMatrix(true);
    const vp = this.camera.getViewMatrix(true).multiply(this.camera.getProjectionMatrix(true));
    return pointsCm.map((p) => {
      const w = Vector3.TransformCoordinates(new Vector3(p[0], p[1], p[2]), world);
      const view = Vector3.TransformCoordinates(w, this.camera.getViewMatrix());
      if (view.z >= -this.camera.minZ) return null;
      const ndc = Vector3.TransformCoordinates(w, vp);
      return { x: ((ndc.x + 1) / 2) * o.frameWidth, y: ((1 - ndc.y) / 2) * o.frameHeight };
    });
  }

  /**
   * Freezes what does not change between frames (the active mesh list, materials): Babylon
   * then skips most of its per-frame bookkeeping (20 ms -> 4 ms per frame on 2 cores).
   * Pose and morph influences still update.
   */
  private freeze(): void {
    this.pose.setEnabled(true);
    this.pose.computeWorldMatrix(true);
    const animated = new Set(this.expressions?.animatedMaterials?.() ?? []);
    for (const m of this.scene.materials) if (!animated.has(m)) m.freeze();
    this.scene.freezeActiveMeshes(false);
  }

  /** Shows or hides the head (for the bare-cost benchmark). */
  setHeadVisible(visible: boolean): void {
    this.scene.unfreezeActiveMeshes();
    this.anchor.setEnabled(visible);
    this.scene.freezeActiveMeshes(false);
  }

  /** Loses the context on purpose (test hook). */
  loseContext(): void {
    this.gl.getExtension('WEBGL_lose_context')?.loseContext();
  }

  dispose(): void {
    this.scene.dispose();
    this.engine.dispose();
  }
}

/** A standard material's specular strength (largest channel). */
function specularOf(m: StandardMaterial): number {
  return Math.max(m.specularColor.r, m.specularColor.g, m.specularColor.b);
}
