/**
 * Mesh parts for the head builders: a vertex set with per-vertex tags (used by the morph
 * fields, never exported), triangle groups by material, and parametric surface helpers
 * (grids with optional wrap and poles) from which every primitive is made.
 */
import { type V3, cross, sub, norm, dot, add, scale } from './vec.js';

/** What a part is; morph fields pick their vertices by kind. */
export type PartKind =
  | 'skin' // head surface incl. lips and the mouth bag (tags: t, phi, qx, qy, bag)
  | 'eye' // eye white, iris, pupil, highlight (tags: side, layer)
  | 'lid' // upper lid shell (tags: side)
  | 'lash' // lash line along the lid edge (tags: side, cy = centre-line y)
  | 'brow' // eyebrow (tags: side, u from inner 0 to outer 1)
  | 'nose'
  | 'cheek' // blush patches that ride on the cheeks
  | 'tongue'
  | 'teethLower'
  | 'static'; // ears, neck, upper teeth, antennae: no morphs

export interface Group {
  material: string;
  indices: number[];
}

export interface Part {
  name: string;
  kind: PartKind;
  positions: number[];
  /** Smooth normals, filled by computeNormals. */
  normals: number[];
  groups: Group[];
  /** Per-vertex tags for the morph fields. Missing entries read as 0. */
  tags: Record<string, number[]>;
}

export function newPart(name: string, kind: PartKind): Part {
  return { name, kind, positions: [], normals: [], groups: [], tags: {} };
}

export function vertexCount(p: Part): number {
  return p.positions.length / 3;
}

export function getPos(p: Part, i: number): V3 {
  return [p.positions[3 * i], p.positions[3 * i + 1], p.positions[3 * i + 2]];
}

export function getNormal(p: Part, i: number): V3 {
  return [p.normals[3 * i], p.normals[3 * i + 1], p.normals[3 * i + 2]];
}

export function tag(p: Part, name: string, i: number): number {
  const t = p.tags[name];
  return t ? t[i] ?? 0 : 0;
}

/** Adds a vertex with tags; returns its index. */
export function addVertex(p: Part, pos: V3, tags: Record<string, number> = {}): number {
  const i = p.positions.length / 3;
  p.positions.push(pos[0], pos[1], pos[2]);
  for (const [k, v] of Object.entries(tags)) {
    let arr = p.tags[k];
    if (!arr) {
      arr = p.tags[k] = [];
    }
    while (arr.length < i) arr.push(0);
    arr[i] = v;
  }
  return i;
}

export function group(p: Part, material: string): Group {
  let g = p.groups.find((x) => x.material === material);
  if (!g) {
    g = { material, indices: [] };
    p.groups.push(g);
  }
  return g;
}

/** Fills tag arrays to the vertex count. */
export function finalizeTags(p: Part): void {
  const n = vertexCount(p);
  for (const arr of Object.values(p.tags)) while (arr.length < n) arr.push(0);
}

export interface GridOptions {
  material: string | ((u: number, v: number) => string);
  /** u wraps around (column nu == column 0). */
  wrapU?: boolean;
  /** Row v=0 / v=1 collapses to one vertex. */
  pole0?: boolean;
  pole1?: boolean;
  /** Per-vertex tags. */
  tags?: (u: number, v: number) => Record<string, number>;
  /** A point inside the surface; the grid's winding is chosen so most faces point away from it. */
  inside?: V3;
  /** Forces flipped winding (when no inside point is given). */
  flip?: boolean;
}

/**
 * A parametric surface f(u, v), u in [0,1) (or [0,1]) across nu columns, v in [0,1] over
 * nv rows. Returns the vertex index of each (row, column).
 */
export function grid(p: Part, nu: number, nv: number, f: (u: number, v: number) => V3, o: GridOptions): number[][] {
  const cols = o.wrapU ? nu : nu + 1;
  const rows: number[][] = [];
  for (let j = 0; j <= nv; j++) {
    const v = j / nv;
    const row: number[] = [];
    if ((j === 0 && o.pole0) || (j === nv && o.pole1)) {
      const id = addVertex(p, f(0, v), o.tags ? o.tags(0, v) : {});
      for (let i = 0; i < cols; i++) row.push(id);
    } else {
      for (let i = 0; i < cols; i++) {
        const u = i / nu;
        row.push(addVertex(p, f(u, v), o.tags ? o.tags(u, v) : {}));
      }
    }
    rows.push(row);
  }
  const tris: [number, number, number, string][] = [];
  const mat = (u: number, v: number): string => (typeof o.material === 'string' ? o.material : o.material(u, v));
  for (let j = 0; j < nv; j++) {
    for (let i = 0; i < nu; i++) {
      const i1 = o.wrapU ? (i + 1) % nu : i + 1;
      const a = rows[j][i];
      const b = rows[j][i1];
      const c = rows[j + 1][i1];
      const d = rows[j + 1][i];
      const m = mat((i + 0.5) / nu, (j + 0.5) / nv);
      if (a !== b && b !== c && a !== c) tris.push([a, b, c, m]);
      if (a !== c && c !== d && a !== d) tris.push([a, c, d, m]);
    }
  }
  let flip = !!o.flip;
  if (o.inside) {
    let votes = 0;
    for (const [a, b, c] of tris) {
      const pa = getPos(p, a);
      const n = cross(sub(getPos(p, b), pa), sub(getPos(p, c), pa));
      const centroid = scale(add(add(pa, getPos(p, b)), getPos(p, c)), 1 / 3);
      votes += Math.sign(dot(n, sub(centroid, o.inside)));
    }
    flip = votes < 0;
  }
  for (const [a, b, c, m] of tris) {
    const g = group(p, m);
    if (flip) g.indices.push(a, c, b);
    else g.indices.push(a, b, c);
  }
  return rows;
}

/** Area-weighted smooth normals over all groups of the part. */
export function computeNormals(p: Part, positions: ArrayLike<number> = p.positions): number[] {
  const n = positions.length / 3;
  const acc = new Float64Array(n * 3);
  for (const g of p.groups) {
    const ix = g.indices;
    for (let k = 0; k < ix.length; k += 3) {
      const a = ix[k] * 3;
      const b = ix[k + 1] * 3;
      const c = ix[k + 2] * 3;
      const e1x = positions[b] - positions[a];
      const e1y = positions[b + 1] - positions[a + 1];
      const e1z = positions[b + 2] - positions[a + 2];
      const e2x = positions[c] - positions[a];
      const e2y = positions[c + 1] - positions[a + 1];
      const e2z = positions[c + 2] - positions[a + 2];
      const nx = e1y * e2z - e1z * e2y;
      const ny = e1z * e2x - e1x * e2z;
      const nz = e1x * e2y - e1y * e2x;
      for (const v of [a, b, c]) {
        acc[v] += nx;
        acc[v + 1] += ny;
        acc[v + 2] += nz;
      }
    }
  }
  const out: number[] = new Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = norm([acc[3 * i], acc[3 * i + 1], acc[3 * i + 2]]);
    if (v[0] === 0 && v[1] === 0 && v[2] === 0) v[1] = 1;
    out[3 * i] = v[0];
    out[3 * i + 1] = v[1];
    out[3 * i + 2] = v[2];
  }
  return out;
}

/** Applies fn to every vertex position from index `from` on. */
export function transformVertices(p: Part, from: number, fn: (v: V3) => V3): void {
  for (let i = from; i < vertexCount(p); i++) {
    const q = fn(getPos(p, i));
    p.positions[3 * i] = q[0];
    p.positions[3 * i + 1] = q[1];
    p.positions[3 * i + 2] = q[2];
  }
}

/** Appends all of `src` into `dst` (tags merged by name). */
export function appendPart(dst: Part, src: Part): void {
  const base = vertexCount(dst);
  const n = vertexCount(src);
  finalizeTags(dst);
  finalizeTags(src);
  for (const x of src.positions) dst.positions.push(x);
  const names = new Set([...Object.keys(dst.tags), ...Object.keys(src.tags)]);
  for (const k of names) {
    const d = (dst.tags[k] ??= new Array(base).fill(0));
    const s = src.tags[k];
    for (let i = 0; i < n; i++) d.push(s ? s[i] : 0);
  }
  for (const g of src.groups) {
    const out = group(dst, g.material).indices;
    for (const x of g.indices) out.push(x + base);
  }
}
