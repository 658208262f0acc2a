/**
 * Morph targets applied on the CPU. Babylon morphs in the vertex shader, fetching every
 * influencer's target for every vertex; on SwiftShader (no GPU) that vertex work is most of
 * a frame (measured: a 35K-vertex head, 64 influencers: 29 ms even at a 72x87 crop, 10 ms
 * with one). A blendshape moves only a small part of a head, so adding each active target's
 * sparse deltas in JS and uploading one position (and normal) buffer costs far less.
 *
 * The mesh's MorphTargetManager is detached (the shader then has no morph code) but its
 * MorphTarget objects stay the API: retargeting and VRM expressions keep setting
 * `target.influence`, and `apply()` reads those influences before each render.
 */
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer.js';
import type { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';

/** Influences with a magnitude below this are skipped (invisible, saves work). */
const MIN_INFLUENCE = 0.001;
/** A vertex whose target differs from the base by less than this (model units) is not part of it. */
const DELTA_EPSILON = 1e-7;

/** One target as sparse deltas: the vertices it moves and by how much. */
interface SparseTarget {
  readonly target: MorphTarget;
  /** Indices of the moved vertices. */
  readonly index: Uint32Array;
  /** Position deltas of those vertices, xyz (model units). */
  readonly dPos: Float32Array;
  /** Normal deltas of those vertices, xyz; null when normals are not morphed. */
  readonly dNrm: Float32Array | null;
}

/** One mesh whose morph targets are applied on the CPU. */
export class CpuMorph {
  private readonly basePos: Float32Array;
  private readonly baseNrm: Float32Array | null;
  private readonly pos: Float32Array;
  private readonly nrm: Float32Array | null;
  private readonly targets: SparseTarget[] = [];
  private readonly last: Float32Array;

  private constructor(
    private readonly mesh: Mesh,
    basePos: Float32Array,
    baseNrm: Float32Array | null,
  ) {
    this.basePos = basePos;
    this.baseNrm = baseNrm;
    this.pos = basePos.slice();
    this.nrm = baseNrm ? baseNrm.slice() : null;
    const mgr = mesh.morphTargetManager!;
    for (let t = 0; t < mgr.numTargets; t++) this.targets.push(sparse(mgr.getTarget(t), basePos, baseNrm));
    this.last = new Float32Array(this.targets.length);
    // Updatable buffers, then no morph code in the shader.
    mesh.setVerticesData(VertexBuffer.PositionKind, this.pos, true);
    if (this.nrm) mesh.setVerticesData(VertexBuffer.NormalKind, this.nrm, true);
    mesh.morphTargetManager = null;
  }

  /**
   * Takes over `mesh`'s morph targets (normals too when `morphNormals` and the targets have
   * them). Returns null when the mesh has no morph targets or no positions.
   */
  static takeOver(mesh: Mesh, morphNormals: boolean): CpuMorph | null {
    const mgr = mesh.morphTargetManager;
    if (!mgr || mgr.numTargets === 0) return null;
    const p = mesh.getVerticesData(VertexBuffer.PositionKind, true, true);
    if (!p) return null;
    const n = morphNormals && mgr.getTarget(0).hasNormals ? mesh.getVerticesData(VertexBuffer.NormalKind, true, true) : null;
    return new CpuMorph(mesh, Float32Array.from(p), n ? Float32Array.from(n) : null);
  }

  /** Morph targets of the mesh (their `influence` drives `apply`). */
  get morphTargets(): readonly MorphTarget[] {
    return this.targets.map((t) => t.target);
  }

  /** The normals as last applied (model space), or null when morphs leave them alone. */
  get normals(): Float32Array | null {
    return this.nrm;
  }

  /** Vertices moved by at least one target, summed over targets (for stats). */
  get sparseVertices(): number {
    return this.targets.reduce((s, t) => s + t.index.length, 0);
  }

  /** Applies the targets' current influences to the mesh's buffers (nothing when none changed). */
  apply(): void {
    let changed = false;
    for (let t = 0; t < this.targets.length; t++) {
      const w = this.targets[t].target.influence;
      if (w !== this.last[t]) {
        this.last[t] = w;
        changed = true;
      }
    }
    if (!changed) return;
    const pos = this.pos;
    const nrm = this.nrm;
    pos.set(this.basePos);
    if (nrm) nrm.set(this.baseNrm!);
    for (const t of this.targets) {
      const w = t.target.influence;
      if (w < MIN_INFLUENCE && w > -MIN_INFLUENCE) continue;
      const { index, dPos, dNrm } = t;
      for (let k = 0, j = 0; k < index.length; k++, j += 3) {
        const o = index[k] * 3;
        pos[o] += w * dPos[j];
        pos[o + 1] += w * dPos[j + 1];
        pos[o + 2] += w * dPos[j + 2];
      }
      if (nrm && dNrm) {
        for (let k = 0, j = 0; k < index.length; k++, j += 3) {
          const o = index[k] * 3;
          nrm[o] += w * dNrm[j];
          nrm[o + 1] += w * dNrm[j + 1];
          nrm[o + 2] += w * dNrm[j + 2];
        }
      }
    }
    this.mesh.updateVerticesData(VertexBuffer.PositionKind, pos, false, false);
    if (nrm) this.mesh.updateVerticesData(VertexBuffer.NormalKind, nrm, false, false);
  }
}

/** Babylon stores absolute target attributes; keep only the vertices that differ from the base. */
function sparse(target: MorphTarget, basePos: Float32Array, baseNrm: Float32Array | null): SparseTarget {
  const tp = target.getPositions();
  const tn = baseNrm ? target.getNormals() : null;
  const count = basePos.length / 3;
  const moved: number[] = [];
  for (let v = 0; v < count; v++) {
    const o = v * 3;
    if (tp && moves(tp, basePos, o)) moved.push(v);
    else if (tn && moves(tn, baseNrm!, o)) moved.push(v);
  }
  const index = Uint32Array.from(moved);
  const dPos = new Float32Array(index.length * 3);
  const dNrm = tn ? new Float32Array(index.length * 3) : null;
  for (let k = 0; k < index.length; k++) {
    const o = index[k] * 3;
    for (let c = 0; c < 3; c++) {
      dPos[k * 3 + c] = tp ? tp[o + c] - basePos[o + c] : 0;
      if (dNrm) dNrm[k * 3 + c] = tn![o + c] - baseNrm![o + c];
    }
  }
  return { target, index, dPos, dNrm };
}

function moves(a: ArrayLike<number>, b: ArrayLike<number>, o: number): boolean {
  return Math.abs(a[o] - b[o]) > DELTA_EPSILON || Math.abs(a[o + 1] - b[o + 1]) > DELTA_EPSILON || Math.abs(a[o + 2] - b[o + 2]) > DELTA_EPSILON;
}
