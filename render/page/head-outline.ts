/**
 * The head's outline for cropping: the points (canonical cm) whose projection bounds every
 * pixel the head can draw, i.e. its vertices at rest and at each morph target's full
 * weight, thinned on a grid. A turned head's projected bounding box is up to twice as wide
 * as the head; the crop, its readback, transfer and compositing shrink with it.
 */
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import type { Box3 } from '../camera-math.js';

/** A mesh and the morph targets it had when loaded (CPU morphing detaches them from the mesh). */
export interface OutlineSource {
  readonly mesh: AbstractMesh;
  readonly targets: readonly MorphTarget[];
}

/** Grid step (cm) the points are thinned on: far below a pixel's worth of crop. */
const GRID_CM = 0.5;
/** Vertices this far (cm) below the neck cut are kept, moved up onto the cut (its rim). */
const CUT_RIM_CM = 3;

/** A head's outline, and how low it reaches. */
export interface HeadOutline {
  /** xyz triples, canonical cm; null when the meshes have no positions. */
  readonly points: Float32Array | null;
  /** Lowest canonical y (cm) any vertex reaches, at rest or under a morph target. */
  readonly lowestCm: number;
}

/**
 * Outline points (xyz triples, canonical cm) of meshes posed at the identity (the caller
 * poses the head so world space is canonical space), clamped into `bounds`; parts below
 * `clipBelowCm` are not drawn and left out.
 */
export function headOutline(sources: readonly OutlineSource[], bounds: Box3, clipBelowCm: number | null): HeadOutline {
  const seen = new Set<string>();
  const out: number[] = [];
  const v = new Vector3();
  let lowestCm = Infinity;
  const add = (x: number, y: number, z: number) => {
    if (y < lowestCm) lowestCm = y;
    if (clipBelowCm !== null) {
      if (y < clipBelowCm - CUT_RIM_CM) return;
      if (y < clipBelowCm) y = clipBelowCm;
    }
    x = Math.min(bounds.max[0], Math.max(bounds.min[0], x));
    y = Math.min(bounds.max[1], Math.max(bounds.min[1], y));
    z = Math.min(bounds.max[2], Math.max(bounds.min[2], z));
    const key = `${Math.round(x / GRID_CM)},${Math.round(y / GRID_CM)},${Math.round(z / GRID_CM)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(x, y, z);
  };
  for (const { mesh, targets } of sources) {
    const local = mesh.getVerticesData(VertexBuffer.PositionKind);
    if (!local || !mesh.isEnabled(false)) continue;
    // Skinned meshes: their rest pose as drawn (morph deltas are added on top of it).
    const posed = mesh.skeleton ? mesh.getPositionData(true, false) : local;
    if (!posed) continue;
    const world = mesh.computeWorldMatrix(true);
    const put = (x: number, y: number, z: number) => {
      Vector3.TransformCoordinatesFromFloatsToRef(x, y, z, world, v);
      add(v.x, v.y, v.z);
    };
    for (let i = 0; i + 2 < posed.length; i += 3) put(posed[i], posed[i + 1], posed[i + 2]);
    for (const t of targets) {
      const tp = t.getPositions();
      if (!tp || tp.length !== local.length) continue;
      for (let i = 0; i + 2 < tp.length; i += 3) {
        const dx = tp[i] - local[i];
        const dy = tp[i + 1] - local[i + 1];
        const dz = tp[i + 2] - local[i + 2];
        if (dx === 0 && dy === 0 && dz === 0) continue;
        put(posed[i] + dx, posed[i + 1] + dy, posed[i + 2] + dz);
      }
    }
  }
  return { points: out.length ? Float32Array.from(out) : null, lowestCm };
}
