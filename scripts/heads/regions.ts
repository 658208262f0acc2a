/**
 * Paints a region of a part with another material along an exact boundary: triangles that
 * straddle the boundary (the zero set of a signed function, negative inside) are cut, with
 * new vertices placed where each edge crosses it, so colour edges are smooth curves rather
 * than the staircase of whole triangles. New vertices interpolate every tag (angles by the
 * short way round) so the morph fields treat them like their neighbours.
 */
import { type Part, vertexCount, getPos, group } from './mesh.js';
import type { V3 } from './vec.js';

const ANGLE_TAGS = new Set(['phi']);

function lerpAngle(a: number, b: number, t: number): number {
  let d = b - a;
  while (d > Math.PI) d -= 2 * Math.PI;
  while (d < -Math.PI) d += 2 * Math.PI;
  let r = a + d * t;
  if (r < 0) r += 2 * Math.PI;
  if (r >= 2 * Math.PI) r -= 2 * Math.PI;
  return r;
}

/**
 * Moves the part of `from`-material triangles where f < 0 into material `to`.
 * f is evaluated on vertex positions (and may read the vertex index for tags).
 */
export function paintRegion(part: Part, from: string, to: string, f: (p: V3, i: number) => number): void {
  const src = part.groups.find((g) => g.material === from);
  if (!src) return;
  const n0 = vertexCount(part);
  const val = new Float64Array(n0);
  for (let i = 0; i < n0; i++) {
    const v = f(getPos(part, i), i);
    val[i] = v === 0 ? 1e-9 : v; // keep vertices off the boundary
  }
  const edgeCache = new Map<string, number>();
  const cut = (a: number, b: number): number => {
    const key = a < b ? `${a}:${b}` : `${b}:${a}`;
    const hit = edgeCache.get(key);
    if (hit !== undefined) return hit;
    const t = val[a] / (val[a] - val[b]);
    const pa = getPos(part, a);
    const pb = getPos(part, b);
    const id = vertexCount(part);
    part.positions.push(pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t, pa[2] + (pb[2] - pa[2]) * t);
    for (const [name, arr] of Object.entries(part.tags)) {
      const x = arr[a] ?? 0;
      const y = arr[b] ?? 0;
      arr[id] = ANGLE_TAGS.has(name) ? lerpAngle(x, y, t) : x + (y - x) * t;
    }
    edgeCache.set(key, id);
    return id;
  };
  const keep: number[] = [];
  const inside = group(part, to).indices;
  const valueOf = (i: number): number => (i < n0 ? val[i] : 0);
  const ix = src.indices;
  for (let k = 0; k < ix.length; k += 3) {
    const tri = [ix[k], ix[k + 1], ix[k + 2]];
    const s = tri.map((i) => valueOf(i) < 0);
    const nIn = s.filter(Boolean).length;
    if (nIn === 0) {
      keep.push(...tri);
      continue;
    }
    if (nIn === 3) {
      inside.push(...tri);
      continue;
    }
    // Rotate so that vertex 0 is the lone one (alone on its side); winding is preserved.
    const lone = nIn === 1 ? s.indexOf(true) : s.indexOf(false);
    const a = tri[lone];
    const b = tri[(lone + 1) % 3];
    const c = tri[(lone + 2) % 3];
    const ab = cut(a, b);
    const ac = cut(a, c);
    const loneList = nIn === 1 ? inside : keep;
    const otherList = nIn === 1 ? keep : inside;
    loneList.push(a, ab, ac);
    otherList.push(ab, b, c, ab, c, ac);
  }
  src.indices = keep;
}

/** Signed distance to a 2D rounded rectangle centred at (cx, cy), half sizes hx, hy, corner r. */
export function roundRect2(x: number, y: number, cx: number, cy: number, hx: number, hy: number, r: number): number {
  const qx = Math.abs(x - cx) - hx + r;
  const qy = Math.abs(y - cy) - hy + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}
