/**
 * Writes heads with @gltf-transform/core. A head .glb has one mesh "face" holding every
 * morphing part (one primitive per part and material, all with the 51 ARKit targets named
 * in mesh.extras.targetNames; targets stored as sparse accessors) and one mesh "body" for
 * the parts that never move relative to the head (neck, ears, upper teeth...). Marker nodes
 * give the eye centres, jaw hinge and neck bottom in canonical centimetres. The helpers
 * here are shared with the VRM writer, which moves the same parts into metres and skins them.
 */
import { Document, Logger, NodeIO, type Extension, type Accessor, type Buffer, type Material, type Mesh } from '@gltf-transform/core';
import { ARKIT_BLENDSHAPES } from '../../core/blendshapes.js';
import { type Part, vertexCount } from './mesh.js';
import type { PartTargets } from './morphs.js';
import { type MaterialSpec, hexToLinear } from './materials.js';
import type { V3 } from './vec.js';

/** Maps canonical cm into the file's space: out = turn(p) * scale + offset (turn: 180° about y). */
export interface SpaceTransform {
  scale: number;
  offset: V3;
  /** Turn 180 degrees about y (VRM 0.x models face -z). */
  turn: boolean;
}

export const IDENTITY: SpaceTransform = { scale: 1, offset: [0, 0, 0], turn: false };

/** Per-vertex skinning (4 joints per vertex). */
export interface SkinAttributes {
  joints: Uint8Array | Uint16Array;
  /** Float weights, or unsigned bytes read as normalized (0..255 -> 0..1). */
  weights: Float32Array | Uint8Array;
}

/** Shared state while adding parts to one document. */
export class GlbBuilder {
  readonly doc = new Document();
  readonly buffer: Buffer;
  readonly materials = new Map<string, Material>();
  private zeroCache = new Map<number, Accessor>();

  constructor(specs: MaterialSpec[], generator = 'noggin scripts/build-heads') {
    this.doc.setLogger(new Logger(Logger.Verbosity.ERROR));
    this.doc.getRoot().getAsset().generator = generator;
    this.buffer = this.doc.createBuffer();
    for (const m of specs) {
      const mat = this.doc.createMaterial(m.name)
        .setBaseColorFactor([...hexToLinear(m.color), 1])
        .setMetallicFactor(m.metallic)
        .setRoughnessFactor(m.roughness)
        .setDoubleSided(!!m.doubleSided);
      if (m.emissive) mat.setEmissiveFactor(hexToLinear(m.emissive));
      this.materials.set(m.name, mat);
    }
  }

  material(name: string): Material {
    const m = this.materials.get(name);
    if (!m) throw new Error(`unknown material ${name}`);
    return m;
  }

  /** One all-zero (bufferless) accessor per vertex count, shared by every empty target. */
  zeros(count: number): Accessor {
    let a = this.zeroCache.get(count);
    if (!a) {
      a = this.doc.createAccessor().setType('VEC3').setArray(new Float32Array(count * 3)).setSparse(true).setBuffer(this.buffer);
      this.zeroCache.set(count, a);
    }
    return a;
  }

  /** Adds one part (one primitive per material group) to a mesh. */
  addPart(mesh: Mesh, part: Part, o: { xf?: SpaceTransform; targets?: PartTargets; morphNormals?: boolean; skin?: SkinAttributes } = {}): void {
    const xf = o.xf ?? IDENTITY;
    const n = vertexCount(part);
    const sx = xf.turn ? -1 : 1;
    const mapPoints = (src: ArrayLike<number>, scale: number, offset: V3 | null): Float32Array => {
      const out = new Float32Array(n * 3);
      for (let i = 0; i < n; i++) {
        out[3 * i] = src[3 * i] * sx * scale + (offset ? offset[0] : 0);
        out[3 * i + 1] = src[3 * i + 1] * scale + (offset ? offset[1] : 0);
        out[3 * i + 2] = src[3 * i + 2] * sx * scale + (offset ? offset[2] : 0);
      }
      return out;
    };
    const doc = this.doc;
    const pos = doc.createAccessor(`${part.name}_position`).setType('VEC3').setArray(mapPoints(part.positions, xf.scale, xf.offset)).setBuffer(this.buffer);
    const nrm = doc.createAccessor(`${part.name}_normal`).setType('VEC3').setArray(mapPoints(part.normals, 1, null)).setBuffer(this.buffer);
    let joints: Accessor | null = null;
    let weights: Accessor | null = null;
    if (o.skin) {
      joints = doc.createAccessor(`${part.name}_joints`).setType('VEC4').setArray(o.skin.joints).setBuffer(this.buffer);
      weights = doc.createAccessor(`${part.name}_weights`).setType('VEC4').setArray(o.skin.weights)
        .setNormalized(o.skin.weights instanceof Uint8Array).setBuffer(this.buffer);
    }
    const isZero = (arr: Float32Array): boolean => arr.every((x) => x === 0);
    const tPos: Accessor[] = [];
    const tNrm: Accessor[] = [];
    if (o.targets) {
      ARKIT_BLENDSHAPES.forEach((name, k) => {
        const p = o.targets!.positions[k];
        const q = o.targets!.normals[k];
        tPos.push(isZero(p) ? this.zeros(n) : doc.createAccessor(`${part.name}_${name}_dp`).setType('VEC3').setArray(mapPoints(p, xf.scale, null)).setSparse(true).setBuffer(this.buffer));
        tNrm.push(isZero(q) ? this.zeros(n) : doc.createAccessor(`${part.name}_${name}_dn`).setType('VEC3').setArray(mapPoints(q, 1, null)).setSparse(true).setBuffer(this.buffer));
      });
    }
    for (const g of part.groups) {
      if (g.indices.length === 0) continue;
      const idx = doc.createAccessor().setType('SCALAR')
        .setArray(n < 65535 ? new Uint16Array(g.indices) : new Uint32Array(g.indices)).setBuffer(this.buffer);
      const prim = doc.createPrimitive().setAttribute('POSITION', pos).setAttribute('NORMAL', nrm).setIndices(idx).setMaterial(this.material(g.material));
      if (joints && weights) prim.setAttribute('JOINTS_0', joints).setAttribute('WEIGHTS_0', weights);
      if (o.targets) {
        ARKIT_BLENDSHAPES.forEach((name, k) => {
          const t = doc.createPrimitiveTarget(name).setAttribute('POSITION', tPos[k]);
          if (o.morphNormals) t.setAttribute('NORMAL', tNrm[k]);
          prim.addTarget(t);
        });
        // VRM 0.x readers look for the names on each primitive; glTF tools on the mesh.
        prim.setExtras({ targetNames: [...ARKIT_BLENDSHAPES] });
      }
      mesh.addPrimitive(prim);
    }
  }

  /** Names a morphing mesh's targets (mesh.extras.targetNames) and sets zero weights. */
  nameTargets(mesh: Mesh): void {
    mesh.setWeights(new Array(ARKIT_BLENDSHAPES.length).fill(0));
    mesh.setExtras({ ...(mesh.getExtras() as object), targetNames: [...ARKIT_BLENDSHAPES] });
  }

  async write(extensions: (typeof Extension)[] = []): Promise<Uint8Array> {
    return new NodeIO().setLogger(new Logger(Logger.Verbosity.ERROR)).registerExtensions(extensions).writeBinary(this.doc);
  }
}

export interface GlbInput {
  name: string;
  materials: MaterialSpec[];
  morphParts: { part: Part; targets: PartTargets }[];
  staticParts: Part[];
  markers: Record<string, V3>;
  extras?: Record<string, unknown>;
  includeMorphNormals: boolean;
}

export async function writeGlb(input: GlbInput): Promise<Uint8Array> {
  const b = new GlbBuilder(input.materials);
  const doc = b.doc;
  const root = doc.createNode(input.name);
  if (input.extras) root.setExtras(input.extras);
  const face = doc.createMesh('face');
  for (const { part, targets } of input.morphParts) b.addPart(face, part, { targets, morphNormals: input.includeMorphNormals });
  b.nameTargets(face);
  root.addChild(doc.createNode('face').setMesh(face));
  if (input.staticParts.length) {
    const body = doc.createMesh('body');
    for (const part of input.staticParts) b.addPart(body, part);
    root.addChild(doc.createNode('body').setMesh(body));
  }
  for (const [name, at] of Object.entries(input.markers)) root.addChild(doc.createNode(name).setTranslation(at));
  doc.createScene(input.name).addChild(root);
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]);
  return b.write();
}
