/**
 * Writes heads with @gltf-transform/core. A head .glb has one mesh "face" holding every
 * morphing part (one primitive per part and material, all with the 51 ARKit targets named
 * in mesh.extras.targetNames; targets stored as sparse accessors) and one mesh "body" for
 * the parts that never move relative to the head (neck, ears, upper teeth...). Marker nodes
 * give the eye centres, jaw hinge and neck bottom in canonical centimetres. The helpers
 * here are shared with the VRM writer, which moves the same parts into metres and skins them.
 */
import { Document, Logger, NodeIO, type Extension, type Accessor, type Buffer, type Material, type Mesh } from '@gltf-transform/core';
import { MeshoptEncoder } from 'meshoptimizer';
import { ARKIT_BLENDSHAPES } from '../../core/blendshapes.js';
import type { Part } from './mesh.js';
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

  /**
   * Adds one part to a mesh: one primitive per material group, each with only the vertices
   * its triangles use (a renderer transforms every vertex of a primitive's accessors, so
   * sharing the part's whole vertex set between its primitives multiplies the vertex work).
   */
  addPart(mesh: Mesh, part: Part, o: { xf?: SpaceTransform; targets?: PartTargets; morphNormals?: boolean; skin?: SkinAttributes } = {}): void {
    const xf = o.xf ?? IDENTITY;
    const sx = xf.turn ? -1 : 1;
    const doc = this.doc;
    const groups = part.groups.filter((g) => g.indices.length > 0);
    for (const g of groups) {
      const { used, indices } = cacheOrder(g.indices);
      const n = used.length;
      const mapPoints = (src: ArrayLike<number>, scale: number, offset: V3 | null): Float32Array => {
        const out = new Float32Array(n * 3);
        for (let k = 0; k < n; k++) {
          const i = used[k];
          out[3 * k] = src[3 * i] * sx * scale + (offset ? offset[0] : 0);
          out[3 * k + 1] = src[3 * i + 1] * scale + (offset ? offset[1] : 0);
          out[3 * k + 2] = src[3 * i + 2] * sx * scale + (offset ? offset[2] : 0);
        }
        return out;
      };
      const pick4 = <T extends Uint8Array | Uint16Array | Float32Array>(src: T): T => {
        const out = new (src.constructor as { new (len: number): T })(n * 4);
        for (let k = 0; k < n; k++) for (let c = 0; c < 4; c++) out[4 * k + c] = src[4 * used[k] + c];
        return out;
      };
      const id = `${part.name}_${g.material}`;
      const pos = doc.createAccessor(`${id}_position`).setType('VEC3').setArray(mapPoints(part.positions, xf.scale, xf.offset)).setBuffer(this.buffer);
      const nrm = doc.createAccessor(`${id}_normal`).setType('VEC3').setArray(mapPoints(part.normals, 1, null)).setBuffer(this.buffer);
      const idx = doc.createAccessor().setType('SCALAR').setArray(n < 65535 ? Uint16Array.from(indices) : indices).setBuffer(this.buffer);
      const prim = doc.createPrimitive().setAttribute('POSITION', pos).setAttribute('NORMAL', nrm).setIndices(idx).setMaterial(this.material(g.material));
      if (o.skin) {
        prim.setAttribute('JOINTS_0', doc.createAccessor(`${id}_joints`).setType('VEC4').setArray(pick4(o.skin.joints)).setBuffer(this.buffer));
        prim.setAttribute('WEIGHTS_0', doc.createAccessor(`${id}_weights`).setType('VEC4').setArray(pick4(o.skin.weights))
          .setNormalized(o.skin.weights instanceof Uint8Array).setBuffer(this.buffer));
      }
      if (o.targets) {
        const isZero = (arr: Float32Array): boolean => arr.every((x) => x === 0);
        ARKIT_BLENDSHAPES.forEach((name, k) => {
          const p = mapPoints(o.targets!.positions[k], xf.scale, null);
          const t = doc.createPrimitiveTarget(name).setAttribute('POSITION', isZero(p) ? this.zeros(n)
            : doc.createAccessor(`${id}_${name}_dp`).setType('VEC3').setArray(p).setSparse(true).setBuffer(this.buffer));
          if (o.morphNormals) {
            const q = mapPoints(o.targets!.normals[k], 1, null);
            t.setAttribute('NORMAL', isZero(q) ? this.zeros(n)
              : doc.createAccessor(`${id}_${name}_dn`).setType('VEC3').setArray(q).setSparse(true).setBuffer(this.buffer));
          }
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

await MeshoptEncoder.ready;

/**
 * A primitive's own vertices and triangles, in the order a GPU's vertex cache likes
 * (meshoptimizer: triangles reordered for cache hits, vertices in first-use order).
 * Software rasterisers gain most: SwiftShader shaded the fox's vertices 25-40% faster.
 * `used[k]` is the part's vertex behind primitive vertex k; `indices` index `used`.
 */
function cacheOrder(partIndices: readonly number[]): { used: number[]; indices: Uint32Array } {
  const ascending = [...new Set(partIndices)].sort((a, b) => a - b);
  const local = new Map<number, number>();
  ascending.forEach((v, k) => local.set(v, k));
  const indices = Uint32Array.from(partIndices, (v) => local.get(v)!);
  const [remap] = MeshoptEncoder.reorderMesh(indices, true, false);
  const used = new Array<number>(ascending.length);
  for (let k = 0; k < ascending.length; k++) used[remap[k]] = ascending[k];
  return { used, indices };
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
