/**
 * Composing in YUV 4:2:0 without video files: the colour maths against ffmpeg's, odd
 * sizes, chroma from the alpha and mask averaged over 2x2 blocks, the background plate
 * in YUV, and the half-resolution feather against the full-resolution one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BackgroundPlateBuilder } from '../composite/background-plate.js';
import { buildPlateOffThread } from '../composite/plate-thread.js';
import { NogginError } from '../core/errors.js';
import { FrameCompositor, type LayerCrop } from '../composite/compose-frame.js';
import { ContactSheet } from '../composite/contact-sheet.js';
import { FeatherMask, HALF_RES_MIN_RADIUS } from '../composite/feather-mask.js';
import { DEFAULT_REGION, headRegion } from '../composite/head-region.js';
import { boundsOf, emptyMask, feather, fillPolygon, type Pt } from '../composite/mask.js';
import { rgbaToYuv420, yuv420Layout, yuv420ToRgba, yuvColorOf, yuvCoefficients, type YuvColor } from '../composite/yuv.js';
import { FACE_OVAL, KEY_POINTS, LANDMARK_FLOATS } from '../core/landmarks.js';
import type { FaceData } from '../core/track.js';
import { toStraightCrop } from '../render/renderer-client.js';
import { rng } from './helpers/synthetic.js';

const COLORS: YuvColor[] = (['bt601', 'bt709', 'bt2020'] as const).flatMap((matrix) => [false, true].map((fullRange) => ({ matrix, fullRange })));

/** Random RGBA whose colour is constant over each 2x2 block (so 4:2:0 loses nothing). */
function blockyRgba(w: number, h: number, seed: number): Uint8Array {
  const r = rng(seed);
  const cw = (w + 1) >> 1;
  const cols = Array.from({ length: cw * ((h + 1) >> 1) }, () => [r() * 256, r() * 256, r() * 256].map(Math.floor));
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set([...cols[(y >> 1) * cw + (x >> 1)], 255], (y * w + x) * 4);
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, skipAlpha = false): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (!(skipAlpha && i % 4 === 3)) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** ffmpeg converting raw frames between two pixel formats with an explicit matrix and range. */
function ffmpegConvert(data: Uint8Array, w: number, h: number, from: string, to: string, c: YuvColor): Buffer {
  const m = c.matrix === 'bt2020' ? 'bt2020' : c.matrix;
  const range = c.fullRange ? 'pc' : 'tv';
  // Area averaging makes each chroma sample its 2x2 block's mean; the way back uses each
  // sample for its block (swscale's default without full_chroma_int).
  const scale = from === 'rgba' ? `scale=out_color_matrix=${m}:out_range=${range}:flags=area` : `scale=in_color_matrix=${m}:in_range=${range}`;
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', from, '-s', `${w}x${h}`, '-i', '-', '-vf', scale, '-f', 'rawvideo', '-pix_fmt', to, '-'], { input: data, maxBuffer: 1 << 24 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

test('yuvColorOf: bt709 when tagged so, bt2020 for bt2020nc/c, else bt601; full range only for pc', () => {
  assert.deepEqual(yuvColorOf({ colorSpace: 'bt709', colorRange: 'tv' }), { matrix: 'bt709', fullRange: false });
  assert.deepEqual(yuvColorOf({ colorSpace: 'bt2020nc', colorRange: 'pc' }), { matrix: 'bt2020', fullRange: true });
  assert.deepEqual(yuvColorOf({ colorSpace: 'bt2020c', colorRange: null }), { matrix: 'bt2020', fullRange: false });
  assert.deepEqual(yuvColorOf({ colorSpace: 'smpte170m', colorRange: null }), { matrix: 'bt601', fullRange: false });
  assert.deepEqual(yuvColorOf({ colorSpace: null, colorRange: null }), { matrix: 'bt601', fullRange: false });
});

test('RGB -> YUV 4:2:0 -> RGB round trip within 2 levels, for every matrix and range', () => {
  for (const c of COLORS) {
    const rgba = blockyRgba(32, 18, 7);
    const back = yuv420ToRgba(rgbaToYuv420(rgba, 32, 18, c), 32, 18, c);
    assert.ok(maxDiff(rgba, back) <= 2, `${c.matrix} ${c.fullRange ? 'full' : 'limited'}: ${maxDiff(rgba, back)}`);
  }
});

test('the conversions agree with ffmpeg\'s for each matrix and range (a wrong matrix is 10+ levels off)', () => {
  const w = 16;
  const h = 8;
  const rgba = blockyRgba(w, h, 3);
  for (const c of COLORS) {
    const ours = rgbaToYuv420(rgba, w, h, c);
    const theirs = ffmpegConvert(rgba, w, h, 'rgba', 'yuv420p', c);
    assert.ok(maxDiff(ours, theirs) <= 1, `rgb->yuv ${JSON.stringify(c)}: ${maxDiff(ours, theirs)}`);
    const back = yuv420ToRgba(ours, w, h, c);
    const theirsBack = ffmpegConvert(ours, w, h, 'yuv420p', 'rgba', c);
    // swscale's fixed-point coefficients are a little coarser than these.
    assert.ok(maxDiff(back, theirsBack) <= 3, `yuv->rgb ${JSON.stringify(c)}: ${maxDiff(back, theirsBack)}`);
  }
  // The matrices differ enough that confusing them would show.
  const a = rgbaToYuv420(rgba, w, h, { matrix: 'bt601', fullRange: false });
  const b = rgbaToYuv420(rgba, w, h, { matrix: 'bt709', fullRange: false });
  assert.ok(maxDiff(a, b) >= 10);
});

test('odd sizes: chroma planes are ceil(w/2) x ceil(h/2), laid out as ffmpeg lays them out', () => {
  const L = yuv420Layout(5, 3);
  assert.deepEqual([L.chromaWidth, L.chromaHeight, L.uOffset, L.vOffset, L.bytes], [3, 2, 15, 21, 27]);
  const c: YuvColor = { matrix: 'bt601', fullRange: false };
  const rgba = blockyRgba(7, 5, 11);
  const ours = rgbaToYuv420(rgba, 7, 5, c);
  const theirs = ffmpegConvert(rgba, 7, 5, 'rgba', 'yuv420p', c);
  assert.equal(ours.length, theirs.length);
  // swscale resamples odd-sized chroma (7 pixels <-> 4 samples) where codecs give each
  // sample its 2x2 block, so only luma is compared directly...
  assert.ok(maxDiff(ours.subarray(0, 35), theirs.subarray(0, 35)) <= 1);
  // ...and the planes' places with chroma the same all over (U and V apart).
  const flat = new Uint8Array(ours.length);
  flat.set(ours.subarray(0, 35));
  flat.fill(90, 35, 47);
  flat.fill(170, 47);
  assert.ok(maxDiff(yuv420ToRgba(flat, 7, 5, c), ffmpegConvert(flat, 7, 5, 'yuv420p', 'rgba', c)) <= 3);
  assert.ok(maxDiff(yuv420ToRgba(ours, 7, 5, c), rgba) <= 2);
});

/** A face whose oval is an ellipse (normalised centre and radii), nose at its centre. */
function ovalFace(cx: number, cy: number, rx: number, ry: number): FaceData {
  const lm = new Float32Array(LANDMARK_FLOATS);
  for (let i = 0; i < lm.length; i += 3) {
    lm[i] = cx;
    lm[i + 1] = cy;
  }
  FACE_OVAL.forEach((id, k) => {
    const a = -Math.PI / 2 + (k / FACE_OVAL.length) * 2 * Math.PI;
    lm[id * 3] = cx + Math.cos(a) * rx;
    lm[id * 3 + 1] = cy + Math.sin(a) * ry;
  });
  lm[KEY_POINTS.noseTip * 3] = cx;
  lm[KEY_POINTS.noseTip * 3 + 1] = cy;
  return { landmarks: lm, blendshapes: new Float32Array(0), matrix: new Float32Array(0) };
}

test('a faceless frame passes through bit-exact; with a face only the head rectangle changes', () => {
  const w = 97;
  const h = 61;
  const c: YuvColor = { matrix: 'bt709', fullRange: false };
  const frame = rgbaToYuv420(blockyRgba(w, h, 1), w, h, c);
  const plate = rgbaToYuv420(blockyRgba(w, h, 2), w, h, c);
  const comp = new FrameCompositor(w, h, plate, c);
  const f1 = frame.slice();
  comp.compose(f1, null, null);
  assert.deepEqual(f1, frame);
  const face = ovalFace(0.5, 0.45, 0.12, 0.2);
  const f2 = frame.slice();
  const { region } = comp.compose(f2, face, null);
  const rect = boundsOf([...region!.head, ...region!.neck], region!.featherPx * 3 + 2, w, h);
  const L = yuv420Layout(w, h);
  let changed = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1;
      if (f2[y * w + x] !== frame[y * w + x]) {
        changed++;
        assert.ok(inside, `luma (${x},${y}) outside the head rectangle changed`);
      }
      // A chroma block with no pixel in the rectangle is untouched.
      const blockIn = 2 * (x >> 1) + 1 >= rect.x0 && 2 * (x >> 1) < rect.x1 && 2 * (y >> 1) + 1 >= rect.y0 && 2 * (y >> 1) < rect.y1;
      const ci = (y >> 1) * L.chromaWidth + (x >> 1);
      if (!blockIn) assert.equal(f2[L.uOffset + ci], frame[L.uOffset + ci]);
    }
  }
  assert.ok(changed > 100, `${changed} luma samples changed`);
});

test('hiding the head: luma takes the plate by the mask, each chroma block by the mask averaged over the block', () => {
  const w = 120;
  const h = 90;
  const c: YuvColor = { matrix: 'bt601', fullRange: false };
  const L = yuv420Layout(w, h);
  // A flat grey frame and a flat, strongly coloured plate: every mixed value shows its weight.
  const frame = new Uint8Array(L.bytes).fill(128);
  frame.fill(60, 0, L.uOffset);
  const plate = new Uint8Array(L.bytes);
  plate.fill(200, 0, L.uOffset);
  plate.fill(40, L.uOffset, L.vOffset);
  plate.fill(220, L.vOffset);
  const face = ovalFace(0.5, 0.4, 0.15, 0.2);
  const out = frame.slice();
  new FrameCompositor(w, h, plate, c).compose(out, face, null);
  // The same mask, built on its own.
  const g = headRegion(face.landmarks, w, h, DEFAULT_REGION);
  const rect = boundsOf([...g.head, ...g.neck], g.featherPx * 3 + 2, w, h);
  const mask = new FeatherMask();
  mask.build([g.head, g.neck], g.featherPx, rect);
  const m = new Float32Array(w * h);
  for (let y = rect.y0; y < rect.y1; y++) m.set(mask.row(y).subarray(0, rect.x1 - rect.x0), y * w + rect.x0);
  let full = 0;
  let mixed = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = m[y * w + x];
      const want = a <= 0.002 ? 60 : a >= 0.998 ? 200 : 60 + 140 * a;
      assert.ok(Math.abs(out[y * w + x] - want) <= 0.51, `luma (${x},${y}) ${out[y * w + x]} vs ${want}`);
      if (a >= 0.998) full++;
    }
  }
  for (let cy = 0; cy < L.chromaHeight; cy++) {
    for (let cx = 0; cx < L.chromaWidth; cx++) {
      const a = (m[2 * cy * w + 2 * cx] + m[2 * cy * w + 2 * cx + 1] + m[(2 * cy + 1) * w + 2 * cx] + m[(2 * cy + 1) * w + 2 * cx + 1]) / 4;
      if (a <= 0.002 || a >= 0.998) continue;
      mixed++;
      const i = cy * L.chromaWidth + cx;
      assert.ok(Math.abs(out[L.uOffset + i] - (128 - 88 * a)) <= 0.51, `U (${cx},${cy})`);
      assert.ok(Math.abs(out[L.vOffset + i] - (128 + 92 * a)) <= 0.51, `V (${cx},${cy})`);
    }
  }
  assert.ok(full > 500 && mixed > 50, `${full} pixels hidden, ${mixed} chroma blocks mixed`);
});

test('the layer: luma per pixel, chroma = frame * (1 - mean alpha) + mean of alpha * layer chroma over the 2x2 block', () => {
  const c: YuvColor = { matrix: 'bt709', fullRange: false };
  const k = yuvCoefficients(c);
  const w = 6;
  const h = 2;
  const L = yuv420Layout(w, h);
  const frame = rgbaToYuv420(new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 2 ? 200 : i % 4 === 3 ? 255 : 0)), w, h, c);
  // Block 0: opaque white; block 1: red at 255 in one pixel only, the others clear; block 2: nothing.
  const rgba = new Uint8Array(w * h * 4);
  for (const p of [0, 1, 6, 7]) rgba.set([255, 255, 255, 255], p * 4);
  rgba.set([255, 0, 0, 255], 2 * 4);
  const crop: LayerCrop = { x: 0, y: 0, width: w, height: h, rgba };
  const out = frame.slice();
  new FrameCompositor(w, h, null, c).compose(out, null, crop);
  const back = yuv420ToRgba(out, w, h, c);
  assert.ok(maxDiff(back.subarray(0, 8), [255, 255, 255, 255, 255, 255, 255, 255]) <= 1, 'opaque white block');
  assert.equal(out[2], Math.round(k.yOff + k.yr * 255), 'the red pixel\'s luma');
  assert.equal(out[3], frame[3], 'clear pixels keep their luma');
  const redU = 128 + k.ur * 255;
  const redV = 128 + k.vr * 255;
  assert.equal(out[L.uOffset + 1], Math.round(frame[L.uOffset + 1] * 0.75 + redU * 0.25), 'U: a quarter of the block');
  assert.equal(out[L.vOffset + 1], Math.round(frame[L.vOffset + 1] * 0.75 + redV * 0.25), 'V: a quarter of the block');
  assert.deepEqual([out[4], out[5], out[L.uOffset + 2], out[L.vOffset + 2]], [frame[4], frame[5], frame[L.uOffset + 2], frame[L.vOffset + 2]], 'block 2 untouched');
  // Half alpha over blue: the straight-alpha mix of the RGB, not premultiplied darkening.
  const half = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) half.set([255, 255, 255, 128], p * 4);
  const out2 = frame.slice();
  new FrameCompositor(w, h, null, c).compose(out2, null, { ...crop, rgba: half });
  assert.ok(maxDiff(yuv420ToRgba(out2, w, h, c).subarray(0, 4), [128, 128, 228, 255]) <= 2);
});

test('a plate built from identical frames is that frame (no conversion in between), odd size too', () => {
  for (const [w, h] of [[64, 48], [33, 19]]) {
    const c: YuvColor = { matrix: 'bt601', fullRange: false };
    const frame = rgbaToYuv420(blockyRgba(w, h, 5), w, h, c);
    const b = new BackgroundPlateBuilder(w, h, 5);
    for (let i = 0; i < 5; i++) b.add(frame, null);
    const { yuv, inpaintedFraction } = b.build();
    assert.equal(inpaintedFraction, 0);
    assert.ok(maxDiff(yuv, frame) <= 2, `${w}x${h}: ${maxDiff(yuv, frame)}`);
  }
});

test('a plate from frames with the face moving: composing the same background back changes nothing beyond 2 levels', () => {
  const w = 160;
  const h = 120;
  const c: YuvColor = { matrix: 'bt601', fullRange: false };
  const bg = rgbaToYuv420(blockyRgba(w, h, 9), w, h, c);
  const b = new BackgroundPlateBuilder(w, h, 6);
  // The head moves across the samples, so every pixel is seen uncovered in some of them.
  for (let i = 0; i < 6; i++) b.add(bg, ovalFace(0.2 + 0.12 * i, 0.45, 0.06, 0.12));
  const { yuv, inpaintedFraction } = b.build();
  assert.equal(inpaintedFraction, 0);
  const out = bg.slice();
  new FrameCompositor(w, h, yuv, c).compose(out, ovalFace(0.5, 0.45, 0.06, 0.12), null);
  assert.ok(maxDiff(out, bg) <= 2, `${maxDiff(out, bg)}`);
});

test('a plate built on a worker thread is the plate built in place; bad samples fail with a one-line error', async () => {
  const w = 96;
  const h = 64;
  const c: YuvColor = { matrix: 'bt601', fullRange: false };
  const bg = rgbaToYuv420(blockyRgba(w, h, 7), w, h, c);
  const here = new BackgroundPlateBuilder(w, h, 5);
  const there = new BackgroundPlateBuilder(w, h, 5);
  // A head that barely moves leaves a hole to inpaint: the whole build runs on both sides.
  for (let i = 0; i < 5; i++) {
    here.add(bg, ovalFace(0.5 + 0.01 * i, 0.45, 0.1, 0.2));
    there.add(bg, ovalFace(0.5 + 0.01 * i, 0.45, 0.1, 0.2));
  }
  const a = here.build();
  const b = await buildPlateOffThread(there.takeSamples());
  assert.ok(a.inpaintedFraction > 0.01);
  assert.equal(b.inpaintedFraction, a.inpaintedFraction);
  assert.ok(Buffer.from(b.yuv).equals(Buffer.from(a.yuv)));
  await assert.rejects(buildPlateOffThread({ width: w, height: h, frames: [new Uint8Array(10)], masks: [] }), (e: Error) => e instanceof NogginError && /background plate could not be built/.test(e.message));
});

test('contact sheet cells are the frames in RGB with the source\'s matrix', () => {
  const c: YuvColor = { matrix: 'bt709', fullRange: true };
  const w = 8;
  const h = 4;
  const rgba = blockyRgba(w, h, 4);
  const sheet = new ContactSheet(w, h, 1, 1, c, 4);
  sheet.addSource(0, rgbaToYuv420(rgba, w, h, c));
  const cell = (sheet as unknown as { rows: { src: Uint8Array }[] }).rows[0].src;
  assert.ok(maxDiff(cell, rgba) <= 2, `${maxDiff(cell, rgba)}`);
});

/** A head-shaped outline (wider at the cheeks, a bump for the hair) around (cx, cy). */
function headPolygon(cx: number, cy: number, fh: number): Pt[] {
  return Array.from({ length: 36 }, (_, i): Pt => {
    const a = (i / 36) * 2 * Math.PI;
    const k = 1 + 0.1 * Math.sin(2 * a) ** 2 + (Math.sin(a) < 0 ? 0.2 * -Math.sin(a) : 0);
    return [cx + Math.cos(a) * fh * 0.45 * k, cy + Math.sin(a) * fh * 0.55 * k];
  });
}

test('the half-resolution feather stays within 0.03 of the full-resolution one, also where the frame cuts the head', () => {
  let worst = 0;
  let halfCases = 0;
  // Centres inside the frame, and near each edge so the rectangle is clipped.
  const centres: [number, number][] = [[200.3, 160.7], [201, 161], [60.5, 150.2], [340.7, 170], [200.2, 55.9], [199.6, 255.4]];
  for (const fh of [60, 120, 190, 260, 330, 410]) {
    for (const [cx, cy] of centres) {
      const featherPx = Math.max(1.5, fh * DEFAULT_REGION.feather);
      if (Math.round(featherPx / 2) >= HALF_RES_MIN_RADIUS) halfCases++;
      const head = headPolygon(cx, cy, fh);
      const neck: Pt[] = [[cx - fh * 0.25, cy + fh * 0.4], [cx + fh * 0.27, cy + fh * 0.42], [cx + fh * 0.3, cy + fh * 0.9], [cx - fh * 0.3, cy + fh * 0.88]];
      const rect = boundsOf([...head, ...neck], featherPx * 3 + 2, 401, 301);
      const ref = emptyMask(rect);
      fillPolygon(ref, head);
      fillPolygon(ref, neck);
      feather(ref, featherPx);
      const fast = new FeatherMask();
      fast.build([head, neck], featherPx, rect);
      const rw = rect.x1 - rect.x0;
      for (let y = rect.y0; y < rect.y1; y++) {
        const row = fast.row(y);
        for (let x = 0; x < rw; x++) worst = Math.max(worst, Math.abs(row[x] - ref.data[(y - rect.y0) * rw + x]));
      }
    }
  }
  assert.ok(halfCases >= 24, `${halfCases} cases at half resolution`);
  assert.ok(worst < 0.03, `worst difference ${worst.toFixed(4)}`);
});

test('the page\'s own crop (premultiplied spans, rows bottom-up) composites as its straight-alpha conversion does, collar fade included', () => {
  const c: YuvColor = { matrix: 'bt709', fullRange: false };
  const w = 90;
  const h = 80;
  const frame = rgbaToYuv420(blockyRgba(w, h, 5), w, h, c);
  // A 41x50 crop at (23, 21): ragged spans, empty rows, alphas 0 / partial / 255, RGB premultiplied.
  const cw = 41;
  const ch = 50;
  const r = rng(9);
  const table = new Uint8Array(ch * 4);
  const pixels: number[] = [];
  for (let k = 0; k < ch; k++) {
    const empty = k % 11 === 3;
    const x0 = empty ? 0 : Math.floor(r() * 10);
    const n = empty ? 0 : Math.floor(r() * (cw - x0)) + 1;
    table.set([x0 & 255, x0 >> 8, n & 255, n >> 8], k * 4);
    for (let i = 0; i < n; i++) {
      const a = i % 7 === 0 ? 0 : i % 3 === 0 ? Math.floor(r() * 255) : 255;
      pixels.push(...[r(), r(), r()].map((v) => Math.round(v * a)), a);
    }
  }
  const page = { x: 23, y: 21, width: cw, height: ch, bottomUp: true, premultiplied: true, layout: 'spans' as const, data: new Uint8Array([...table, ...pixels]) };
  const straight = toStraightCrop({ frame: 0, timeMs: 0, ...page });
  const face = ovalFace(0.5, 0.35, 0.12, 0.18);
  const viaStraight = frame.slice();
  const viaPage = frame.slice();
  new FrameCompositor(w, h, null, c).compose(viaStraight, face, straight);
  const { region } = new FrameCompositor(w, h, null, c).compose(viaPage, face, page);
  assert.ok(region && region.chin[1] + region.collarDepth < 21 + ch, 'the collar fade falls inside the crop');
  assert.ok(maxDiff(viaPage, viaStraight) <= 2, `max difference ${maxDiff(viaPage, viaStraight)} levels`);
  assert.ok(maxDiff(viaPage, frame) > 50, 'the layer was drawn');
});
