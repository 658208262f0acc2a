/** Composite building blocks without video: masks, plate inpainting, straight-alpha over, PNG. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeFrame, cropFromLayerFrame } from '../composite/compose-frame.js';
import { containerFor } from '../composite/output.js';
import { pushPull, reflectFill } from '../composite/background-plate.js';
import { emptyMask, feather, fillPolygon } from '../composite/mask.js';
import { encodePng } from '../composite/png.js';
import { rgbaToYuv420, yuv420ToRgba } from '../composite/yuv.js';
import { NogginError } from '../core/errors.js';

test('fillPolygon fills a square exactly; feather keeps the sum and softens the edge', () => {
  const m = emptyMask({ x0: 0, y0: 0, x1: 20, y1: 20 });
  fillPolygon(m, [[5, 5], [15, 5], [15, 15], [5, 15]]);
  assert.equal(m.data.reduce((a, b) => a + b, 0), 100);
  feather(m, 2);
  assert.ok(Math.abs(m.data.reduce((a, b) => a + b, 0) - 100) < 1);
  assert.ok(m.data[10 * 20 + 10] > 0.99);
  const edge = m.data[10 * 20 + 5];
  assert.ok(edge > 0.3 && edge < 0.7, `edge ${edge}`);
});

test('pushPull fills holes from their surroundings and keeps known pixels', () => {
  const w = 16;
  const h = 16;
  const rgb = new Float32Array(w * h * 3);
  const wt = new Float32Array(w * h);
  for (let p = 0; p < w * h; p++) {
    const x = p % w;
    const hole = x >= 6 && x < 10;
    if (!hole) {
      rgb[p * 3] = x < 6 ? 100 : 200;
      wt[p] = 1;
    }
  }
  pushPull(rgb, wt, w, h);
  assert.equal(rgb[0], 100);
  assert.equal(rgb[15 * 3], 200);
  const mid = rgb[(8 * w + 8) * 3];
  assert.ok(mid > 100 && mid < 200, `filled ${mid}`);
  assert.ok(wt.every((x) => x === 1));
});

test('reflectFill continues a striped background into a hole as stripes, not a grey blur', () => {
  const w = 64;
  const h = 64;
  const rgb = new Float32Array(w * h * 3);
  const wt = new Float32Array(w * h);
  const stripe = (x: number) => (Math.floor(x / 6) % 2 ? 250 : 10);
  let holes = 0;
  for (let p = 0; p < w * h; p++) {
    const x = p % w;
    const y = Math.floor(p / w);
    if (Math.hypot(x - 32, y - 30) < 14) {
      holes++;
      continue;
    }
    rgb.fill(stripe(x), p * 3, p * 3 + 3);
    wt[p] = 1;
  }
  const before = rgb.slice();
  const greyFill = rgb.slice();
  const greyW = wt.slice();
  reflectFill(rgb, wt, w, h);
  pushPull(greyFill, greyW, w, h);
  assert.ok(wt.every((x) => x === 1), 'every hole reached');
  let contrast = 0;
  let greyContrast = 0;
  for (let p = 0; p < w * h; p++) {
    if (before[p * 3] !== 0 || Math.hypot((p % w) - 32, Math.floor(p / w) - 30) >= 14) {
      assert.equal(rgb[p * 3], before[p * 3], 'known pixels kept');
      continue;
    }
    if (Math.abs(rgb[p * 3] - 130) > 80) contrast++;
    if (Math.abs(greyFill[p * 3] - 130) > 80) greyContrast++;
  }
  // Where the ray and the row reflections are about as near, they blend (and their stripes
  // differ in phase), so not every pixel keeps the full contrast.
  assert.ok(contrast > 0.55 * holes, `${contrast} of ${holes} filled pixels keep the stripes' contrast`);
  assert.ok(greyContrast < contrast / 2, `push-pull alone blurs (${greyContrast})`);
});

test('reflectFill continues horizontal bands at their own height: a wall above the head does not run down beside it', () => {
  // A red wall over a grey one; the hole is a head spanning both and a body down to the
  // frame's bottom edge, so the holes' centroid sits low, as with a real presenter.
  const w = 64;
  const h = 64;
  const rgb = new Float32Array(w * h * 3);
  const wt = new Float32Array(w * h);
  const red = [200, 40, 40];
  const grey = [90, 90, 90];
  const inHole = (x: number, y: number) => Math.hypot(x - 32, y - 24) < 12 || (x >= 24 && x < 41 && y >= 24);
  for (let p = 0; p < w * h; p++) {
    const x = p % w;
    const y = Math.floor(p / w);
    if (inHole(x, y)) continue;
    rgb.set(y < 20 ? red : grey, p * 3);
    wt[p] = 1;
  }
  reflectFill(rgb, wt, w, h);
  let greyBand = 0;
  let greyish = 0;
  for (let y = 22; y < 34; y++) {
    for (let x = 0; x < w; x++) {
      if (!inHole(x, y)) continue;
      const p = y * w + x;
      greyBand++;
      const toGrey = Math.hypot(rgb[p * 3] - grey[0], rgb[p * 3 + 1] - grey[1], rgb[p * 3 + 2] - grey[2]);
      const toRed = Math.hypot(rgb[p * 3] - red[0], rgb[p * 3 + 1] - red[1], rgb[p * 3 + 2] - red[2]);
      if (toGrey < toRed) greyish++;
    }
  }
  assert.ok(greyish >= 0.9 * greyBand, `${greyish} of ${greyBand} hole pixels at the grey wall's height are grey`);
});

test('straight-alpha over: opaque replaces, half alpha mixes, no premultiplied darkening', () => {
  // 6x2 blue frame (yuv420p): an opaque white block, a half-alpha white block, a clear one.
  const c = { matrix: 'bt601', fullRange: false } as const;
  const blue = new Uint8Array(6 * 2 * 4);
  for (let i = 0; i < 12; i++) blue.set([0, 0, 200, 255], i * 4);
  const frame = rgbaToYuv420(blue, 6, 2, c);
  const source = frame.slice();
  const layer = new Uint8Array(6 * 2 * 4);
  for (const p of [0, 1, 6, 7]) layer.set([255, 255, 255, 255], p * 4);
  for (const p of [2, 3, 8, 9]) layer.set([255, 255, 255, 128], p * 4);
  const crop = cropFromLayerFrame(layer, 6, 2)!;
  assert.deepEqual([crop.x, crop.width, crop.height], [0, 4, 2]);
  composeFrame(frame, 6, 2, null, crop, null, {}, c);
  const rgb = yuv420ToRgba(frame, 6, 2, c);
  const near = (p: number, want: number[]) => assert.ok([0, 1, 2].every((k) => Math.abs(rgb[p * 4 + k] - want[k]) <= 2), `pixel ${p}: ${[...rgb.subarray(p * 4, p * 4 + 3)]}`);
  near(0, [255, 255, 255]);
  near(2, [128, 128, 228]);
  near(4, [0, 0, 200]);
  assert.deepEqual([frame[4], frame[5], frame[12 + 2], frame[12 + 3 + 2]], [source[4], source[5], source[12 + 2], source[12 + 3 + 2]], 'the clear block is untouched');
});

test('containerFor: mp4 by name, ProRes refused in MP4', () => {
  assert.equal(containerFor('a.mp4', 'h264'), 'mp4');
  assert.equal(containerFor('a.mov', 'prores'), 'mov');
  assert.throws(() => containerFor('a.mp4', 'prores'), NogginError);
  assert.throws(() => containerFor('a.xyz', 'h264'), NogginError);
});

test('encodePng writes a PNG ffmpeg reads back pixel for pixel', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'noggin-png-'));
  try {
    const img = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 37) % 256);
    const p = join(dir, 'x.png');
    await writeFile(p, encodePng(img, 3, 2));
    const r = spawnSync('ffmpeg', ['-v', 'error', '-i', p, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 20 });
    assert.deepEqual([...r.stdout], [...img]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
