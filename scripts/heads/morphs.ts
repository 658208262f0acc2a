/**
 * Builds every ARKit morph target for every morphing part: position deltas from the
 * fields, and normal deltas from re-computing smooth normals on the displaced mesh.
 * Tiny deltas are snapped to exactly zero so targets are stored sparsely.
 */
import { ARKIT_BLENDSHAPES } from '../../core/blendshapes.js';
import { type Part, vertexCount, getPos, computeNormals } from './mesh.js';
import type { FaceRig } from './rig.js';
import { type Field, EYE_FIELDS } from './morph-eyes.js';
import { MOUTH_FIELDS } from './morph-mouth.js';

export const FIELDS: Record<string, Field> = { ...EYE_FIELDS, ...MOUTH_FIELDS };

export interface PartTargets {
  /** One Float32Array (xyz per vertex) per ARKit name, in ARKIT_BLENDSHAPES order. */
  positions: Float32Array[];
  normals: Float32Array[];
}

const POS_EPS = 0.035; // cm: a third of a millimetre, below a pixel at video size
const NRM_EPS = 0.07;
/**
 * Shapes whose normal changes are worth their bytes (the skin bends visibly); the others
 * mostly translate or squash small parts, and keep the neutral normals.
 */
const WITH_NORMALS = new Set([
  'jawOpen', 'cheekPuff', 'mouthSmileLeft', 'mouthSmileRight', 'mouthFunnel', 'mouthPucker',
  'mouthRollLower', 'mouthRollUpper', 'mouthFrownLeft', 'mouthFrownRight',
]);

export function missingFields(): string[] {
  return ARKIT_BLENDSHAPES.filter((n) => !FIELDS[n]);
}

export function buildTargets(rig: FaceRig, part: Part): PartTargets {
  const n = vertexCount(part);
  const positions: Float32Array[] = [];
  const normals: Float32Array[] = [];
  for (const name of ARKIT_BLENDSHAPES) {
    const field = FIELDS[name];
    if (!field) throw new Error(`no morph field for ${name}`);
    const d = new Float32Array(n * 3);
    let any = false;
    for (let i = 0; i < n; i++) {
      const v = field(rig, part, i, getPos(part, i));
      if (Math.abs(v[0]) + Math.abs(v[1]) + Math.abs(v[2]) < POS_EPS) continue;
      d[3 * i] = v[0];
      d[3 * i + 1] = v[1];
      d[3 * i + 2] = v[2];
      any = true;
    }
    const dn = new Float32Array(n * 3);
    if (any && WITH_NORMALS.has(name) && part.kind === 'skin') {
      const moved = part.positions.map((x, k) => x + d[k]);
      const nn = computeNormals(part, moved);
      for (let i = 0; i < n; i++) {
        const dx = nn[3 * i] - part.normals[3 * i];
        const dy = nn[3 * i + 1] - part.normals[3 * i + 1];
        const dz = nn[3 * i + 2] - part.normals[3 * i + 2];
        if (Math.abs(dx) + Math.abs(dy) + Math.abs(dz) < NRM_EPS) continue;
        dn[3 * i] = dx;
        dn[3 * i + 1] = dy;
        dn[3 * i + 2] = dz;
      }
    }
    positions.push(d);
    normals.push(dn);
  }
  return { positions, normals };
}
