/**
 * Each mascot hides a real head: seen from the front and turned up to 60 degrees either
 * way (and tilted up and down), the mascot's silhouette covers the silhouette of a human
 * head with hair, ears and nose (HUMAN_HEAD_PROXY in canonical-face space), and its neck
 * stub covers a neck down to the collar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { HUMAN_HEAD_PROXY } from '../core/canonical-face.js';
import { findProjectRoot, listHeads } from '../core/head-catalog.js';
import { readHeadGeometry } from '../scripts/heads/inspect.js';

const CELL = 0.25; // cm
const X0 = -22;
const Y0 = -32;
const NX = Math.round(44 / CELL);
const NY = Math.round(60 / CELL);

type V3 = readonly [number, number, number];

/** Rotation: yaw about y, then pitch about x (head turned by yaw, nodding by pitch). */
function rotator(yawDeg: number, pitchDeg: number): (p: V3) => [number, number, number] {
  const cy = Math.cos((yawDeg * Math.PI) / 180);
  const sy = Math.sin((yawDeg * Math.PI) / 180);
  const cp = Math.cos((pitchDeg * Math.PI) / 180);
  const sp = Math.sin((pitchDeg * Math.PI) / 180);
  return (p) => {
    const x = p[0] * cy + p[2] * sy;
    const z1 = -p[0] * sy + p[2] * cy;
    const y = p[1] * cp - z1 * sp;
    const z = p[1] * sp + z1 * cp;
    return [x, y, z];
  };
}

/** Orthographic silhouette of triangles (viewed along -z after rotation). */
function silhouette(pos: Float32Array, tris: Uint32Array, rot: (p: V3) => [number, number, number]): Uint8Array {
  const mask = new Uint8Array(NX * NY);
  const n = pos.length / 3;
  const sx = new Float32Array(n);
  const sy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rot([pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]]);
    sx[i] = (r[0] - X0) / CELL;
    sy[i] = (r[1] - Y0) / CELL;
  }
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t];
    const b = tris[t + 1];
    const c = tris[t + 2];
    const area = (sx[b] - sx[a]) * (sy[c] - sy[a]) - (sy[b] - sy[a]) * (sx[c] - sx[a]);
    if (Math.abs(area) < 1e-12) continue;
    const x0 = Math.max(0, Math.floor(Math.min(sx[a], sx[b], sx[c])));
    const x1 = Math.min(NX - 1, Math.ceil(Math.max(sx[a], sx[b], sx[c])));
    const y0 = Math.max(0, Math.floor(Math.min(sy[a], sy[b], sy[c])));
    const y1 = Math.min(NY - 1, Math.ceil(Math.max(sy[a], sy[b], sy[c])));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const w0 = ((sx[b] - px) * (sy[c] - py) - (sy[b] - py) * (sx[c] - px)) / area;
        const w1 = ((sx[c] - px) * (sy[a] - py) - (sy[c] - py) * (sx[a] - px)) / area;
        if (w0 >= -1e-6 && w1 >= -1e-6 && 1 - w0 - w1 >= -1e-6) mask[y * NX + x] = 1;
      }
    }
  }
  return mask;
}

/** Cells whose viewing ray hits any of the ellipsoids (exact ray-ellipsoid test). */
function ellipsoidMask(ells: { center: V3; radii: V3 }[], yawDeg: number, pitchDeg: number): Uint8Array {
  const mask = new Uint8Array(NX * NY);
  // Inverse rotation: a view-space point back to head space is the transpose.
  const cy = Math.cos((yawDeg * Math.PI) / 180);
  const sy = Math.sin((yawDeg * Math.PI) / 180);
  const cp = Math.cos((pitchDeg * Math.PI) / 180);
  const sp = Math.sin((pitchDeg * Math.PI) / 180);
  const inv = (v: V3): [number, number, number] => {
    const y1 = v[1] * cp + v[2] * sp;
    const z1 = -v[1] * sp + v[2] * cp;
    return [v[0] * cy - z1 * sy, y1, v[0] * sy + z1 * cy];
  };
  const dir = inv([0, 0, 1]);
  for (let y = 0; y < NY; y++) {
    for (let x = 0; x < NX; x++) {
      const o = inv([X0 + (x + 0.5) * CELL, Y0 + (y + 0.5) * CELL, 0]);
      for (const e of ells) {
        let A = 0;
        let B = 0;
        let C = -1;
        for (let k = 0; k < 3; k++) {
          const d = dir[k] / e.radii[k];
          const q = (o[k] - e.center[k]) / e.radii[k];
          A += d * d;
          B += 2 * d * q;
          C += q * q;
        }
        if (B * B - 4 * A * C >= 0) {
          mask[y * NX + x] = 1;
          break;
        }
      }
    }
  }
  return mask;
}

function coverage(target: Uint8Array, cover: Uint8Array): { fraction: number; missing: number } {
  let n = 0;
  let hit = 0;
  for (let i = 0; i < target.length; i++) {
    if (!target[i]) continue;
    n++;
    if (cover[i]) hit++;
  }
  return { fraction: hit / n, missing: n - hit };
}

const human = [HUMAN_HEAD_PROXY.skull, HUMAN_HEAD_PROXY.nose, ...HUMAN_HEAD_PROXY.ears];
const root = findProjectRoot();
const views: [number, number][] = [[0, 0], [30, 0], [-30, 0], [60, 0], [-60, 0], [0, 15], [0, -15], [45, 10], [-45, -10]];

for (const head of listHeads(root).filter((h) => h.kind === 'glb')) {
  test(`${head.name}: hides a human head with hair and ears at yaw up to 60 degrees`, async () => {
    const g = await readHeadGeometry(new Uint8Array(readFileSync(head.file)));
    const bad: string[] = [];
    for (const [yaw, pitch] of views) {
      const mine = silhouette(g.positions, g.triangles, rotator(yaw, pitch));
      const theirs = ellipsoidMask(human, yaw, pitch);
      const c = coverage(theirs, mine);
      // Allow a few stray cells along the outline (rasterisation), nothing more.
      if (c.fraction < 0.998) bad.push(`yaw ${yaw} pitch ${pitch}: ${(c.fraction * 100).toFixed(2)}% covered, ${c.missing} cells missing`);
    }
    assert.deepEqual(bad, []);
  });

  test(`${head.name}: neck stub covers a neck down to the collar`, async () => {
    const g = await readHeadGeometry(new Uint8Array(readFileSync(head.file)));
    const mine = silhouette(g.positions, g.triangles, rotator(0, 0));
    // A neck 11 cm wide from under the chin to the collar, 17 cm below the chin.
    const neck = new Uint8Array(NX * NY);
    for (let y = 0; y < NY; y++) {
      const cy = Y0 + (y + 0.5) * CELL;
      if (cy > -10 || cy < -26.4) continue;
      for (let x = 0; x < NX; x++) if (Math.abs(X0 + (x + 0.5) * CELL) < 5.5) neck[y * NX + x] = 1;
    }
    const c = coverage(neck, mine);
    assert.ok(c.fraction > 0.995, `${(c.fraction * 100).toFixed(2)}% of the neck covered`);
  });
}
