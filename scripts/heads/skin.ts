/**
 * The head skin: one grid of rings around the mouth. Ring 0 is the inner lip edge (the
 * slit); rings grow outward as ellipses in "q space" (azimuthal angles around the mouth's
 * direction from the head centre), over the lips, the face and the skull, and close in a
 * pole at the back of the head. Inward from the lip edge the same grid continues into the
 * mouth bag (the cavity behind the lips), closing in a pole deep in the mouth. Every vertex
 * carries its ring coordinates as tags, which the mouth and jaw morph fields read.
 */
import { type Part, newPart, grid } from './mesh.js';
import { type Sdf, rayExit, gradient } from './shape.js';
import { type V3, add, cross, norm, scale, sub, madd, smoothstep, lerp3 } from './vec.js';

export interface MouthSpec {
  /** Canonical y of the mouth line at the centre (MediaPipe's is about -4.3). */
  y: number;
  /** Half the mouth width, cm (to the corners). */
  halfWidth: number;
  /** Neutral upturn of the corners, cm (a friendly resting smile). */
  smile: number;
  /** Lip band width (cm) and outward bulge (cm). */
  lipWidth: number;
  lipHeight: number;
  /** Mouth bag: how deep behind the lips and how tall (each half), cm. */
  bagDepth: number;
  bagHeight: number;
}

export interface SkinSpec {
  shape: Sdf;
  /** A point inside the head from which every surface point is visible (star centre). */
  center: V3;
  mouth: MouthSpec;
  segments: number;
  /** Material of a skin triangle: ring distance from the lip edge in cm, angle around the mouth, and region. */
  material: (r: { sCm: number; phi: number; p: V3; region: 'bag' | 'lip' | 'face' }) => string;
}

/** Geometry of the mouth and skin frame, shared with the morph fields. */
export interface SkinFrame {
  center: V3;
  /** Unit direction from the centre to the mouth. */
  m: V3;
  e1: V3;
  e2: V3;
  /** Distance from centre to the mouth surface point. */
  radius: number;
  /** Mouth centre on the lip edge (between the lips), corners (subject left +x, right -x). */
  mouthCenter: V3;
  cornerLeft: V3;
  cornerRight: V3;
  halfWidth: number;
  /** q-space half-width of the slit (radians). */
  a0: number;
  /** Lip band width in q units. */
  sLip: number;
  smileAng: number;
  mouth: MouthSpec;
  /** Surface point for a q-space coordinate. */
  surface: (qx: number, qy: number) => V3;
}

function dirFromQ(f: SkinFrameBasis, qx: number, qy: number): V3 {
  const r = Math.hypot(qx, qy);
  if (r < 1e-9) return f.m;
  const s = Math.sin(r) / r;
  return norm(add(scale(f.m, Math.cos(r)), add(scale(f.e1, qx * s), scale(f.e2, qy * s))));
}

interface SkinFrameBasis {
  m: V3;
  e1: V3;
  e2: V3;
}

export function buildSkin(spec: SkinSpec): { part: Part; frame: SkinFrame } {
  const { shape, center: C, mouth } = spec;
  // Find the mouth direction: on the midline, elevation chosen so the surface point has y = mouth.y.
  let lo = -1.2;
  let hi = 0.8;
  for (let i = 0; i < 50; i++) {
    const el = (lo + hi) / 2;
    const p = rayExit(shape, C, [0, Math.sin(el), Math.cos(el)]);
    if (p[1] < mouth.y) lo = el;
    else hi = el;
  }
  const el = (lo + hi) / 2;
  const m: V3 = [0, Math.sin(el), Math.cos(el)];
  const e1: V3 = [1, 0, 0];
  const e2 = cross(m, e1);
  const basis = { m, e1, e2 };
  const surf = (qx: number, qy: number): V3 => rayExit(shape, C, dirFromQ(basis, qx, qy));
  const M0 = surf(0, 0);
  const radius = Math.hypot(...sub(M0, C));
  // q half-width so that the corner lands at x = halfWidth.
  let alo = 0;
  let ahi = 1.2;
  for (let i = 0; i < 40; i++) {
    const a = (alo + ahi) / 2;
    if (surf(a, 0)[0] < mouth.halfWidth) alo = a;
    else ahi = a;
  }
  const a0 = (alo + ahi) / 2;
  const b0 = 0.02 / radius; // slit half-gap
  const sLip = mouth.lipWidth / radius;
  const smileAng = mouth.smile / radius;
  const sFade = sLip + 1.5 / radius;

  // Ring offsets s (q units): dense over the lips, even where the mouth, jaw and cheek
  // morphs act (about 9 cm around the mouth), then coarser over the forehead and skull,
  // where the surface is smooth and nothing moves.
  const sList: number[] = [];
  const lipRings = 6;
  for (let k = 0; k <= lipRings; k++) sList.push(sLip * (k / lipRings) ** 1.15);
  let s = sLip;
  let ds = sLip / lipRings;
  const spacingCm = (sv: number): number => 0.85 + 0.55 * smoothstep(9, 13, sv * radius) + 0.9 * smoothstep(13, 24, sv * radius);
  for (;;) {
    ds = Math.min(ds * 1.3, spacingCm(s) / radius);
    s += ds;
    const u = smoothstep(0.4, 2.6, s);
    const A = a0 * (1 - u) + s;
    if (A > Math.PI - ds * 0.6) break;
    sList.push(s);
  }
  const ringQ = (sv: number, phi: number): [number, number] => {
    const u = smoothstep(0.4, 2.6, sv);
    const A = a0 * (1 - u) + sv;
    const B = b0 * (1 - u) + sv;
    const qx = A * Math.cos(phi);
    const qy = B * Math.sin(phi) + smileAng * Math.cos(phi) ** 2 * (1 - smoothstep(0, sFade, sv));
    return [qx, qy];
  };
  const lipProfile = (sv: number): number => {
    const u = sv / sLip;
    if (u >= 1) return 0;
    const bump = Math.sin(Math.PI * u) ** 0.8;
    return mouth.lipHeight * bump - 0.25 * (1 - u) ** 3;
  };

  const N = spec.segments;
  // Face rows (lip edge first).
  const faceRows: { pos: V3; tags: Record<string, number> }[][] = [];
  for (let k = 0; k < sList.length; k++) {
    const sv = sList[k];
    const row: { pos: V3; tags: Record<string, number> }[] = [];
    for (let j = 0; j < N; j++) {
      const phi = (2 * Math.PI * j) / N;
      const [qx, qy] = ringQ(sv, phi);
      let p = surf(qx, qy);
      const h = lipProfile(sv);
      if (h !== 0) p = madd(p, gradient(shape, p), h);
      row.push({ pos: p, tags: { t: k, s: sv, sCm: sv * radius, phi, qx, qy, bag: 0, lip: sv <= sLip + 1e-9 ? 1 : 0, depth: 0 } });
    }
    faceRows.push(row);
  }
  const edge = faceRows[0].map((r) => r.pos);
  // Mouth bag rows, from the lip edge inward.
  const bagA = [1.0, 0.97, 0.94, 0.88, 0.72, 0.4];
  const bagB = [0, 0.62, 1.02, 1.08, 0.95, 0.55];
  const bagD = [0, 0.18, 0.42, 0.66, 0.86, 1.0];
  const mouthCenter: V3 = lerp3(edge[N / 4], edge[(3 * N) / 4], 0.5);
  const bagRows: { pos: V3; tags: Record<string, number> }[][] = [];
  for (let jb = 1; jb < bagA.length; jb++) {
    const row: { pos: V3; tags: Record<string, number> }[] = [];
    const lam = smoothstep(0, 0.55, bagD[jb]);
    for (let j = 0; j < N; j++) {
      const phi = (2 * Math.PI * j) / N;
      const target: V3 = [
        mouth.halfWidth * bagA[jb] * Math.cos(phi),
        mouthCenter[1] + mouth.bagHeight * bagB[jb] * Math.sin(phi),
        mouthCenter[2],
      ];
      const fromEdge: V3 = [
        edge[j][0] * bagA[jb],
        edge[j][1] + mouth.bagHeight * bagB[jb] * Math.sin(phi),
        edge[j][2],
      ];
      const p = lerp3(fromEdge, target, lam);
      p[2] -= mouth.bagDepth * bagD[jb] + 0.25;
      row.push({ pos: p, tags: { t: -jb, s: 0, sCm: 0, phi, qx: 0, qy: 0, bag: 1, lip: 0, depth: mouth.bagDepth * bagD[jb] + 0.25 } });
    }
    bagRows.push(row);
  }
  const bagPole: V3 = [0, mouthCenter[1], mouthCenter[2] - mouth.bagDepth - 0.6];
  const backPole = rayExit(shape, C, scale(m, -1));
  const rows = [
    ...bagRows.reverse(),
    ...faceRows,
  ];
  const nv = rows.length + 1; // + two poles => nv+1 rows in the grid
  const part = newPart('skin', 'skin');
  const cell = (u: number, v: number) => {
    const j = Math.round(v * nv);
    const i = Math.round(u * N) % N;
    if (j === 0) return { pos: bagPole, tags: { t: -bagA.length, s: 0, sCm: 0, phi: 0, qx: 0, qy: 0, bag: 1, lip: 0, depth: mouth.bagDepth + 0.6 } };
    if (j === nv) return { pos: backPole, tags: { t: 99, s: Math.PI, sCm: Math.PI * radius, phi: 0, qx: 0, qy: -Math.PI, bag: 0, lip: 0, depth: 0 } };
    return rows[j - 1][i];
  };
  const nBag = bagRows.length;
  grid(part, N, nv, (u, v) => cell(u, v).pos, {
    wrapU: true,
    pole0: true,
    pole1: true,
    inside: C,
    tags: (u, v) => cell(u, v).tags,
    material: (u, v) => {
      const j = Math.floor(v * nv); // band between grid rows j and j+1
      const i = Math.floor(u * N);
      const phi = (2 * Math.PI * (i + 0.5)) / N;
      if (j <= nBag) return spec.material({ sCm: 0, phi, p: cell(u, v).pos, region: 'bag' });
      const k = j - nBag - 1; // face row index of the band's inner ring
      const sCm = (sList[k] + (sList[k + 1] ?? Math.PI)) / 2 * radius;
      return spec.material({ sCm, phi, p: cell(u, v).pos, region: k < lipRings ? 'lip' : 'face' });
    },
  });
  const frame: SkinFrame = {
    center: C, m, e1, e2, radius, mouthCenter,
    cornerLeft: edge[0], cornerRight: edge[N / 2], halfWidth: mouth.halfWidth, a0, sLip, smileAng, mouth,
    surface: surf,
  };
  return { part, frame };
}
