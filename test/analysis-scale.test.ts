/**
 * The landmarker's frame size follows the face (capture/analysis-scale.ts): the choice after
 * the first faces, the way back up, and on a real clip that the switch happens at the same
 * frame every time, gives the same track twice and moves landmarks by a fraction of a pixel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisScaler, faceSizePx, landmarkVideo } from '../capture/index.js';
import type { TrackFrame } from '../core/track.js';
import { probeVideo } from '../system/ffmpeg.js';
import { modelPath } from '../system/tools.js';
import { join } from 'node:path';
import { ffmpeg, SHARED, sharedVideo } from './helpers/cli.js';
import { collect } from './helpers/synthetic.js';
import { tempDir } from './helpers/temp-dir.js';

const HD = { width: 1280, height: 720 };

/** Feeds `faces` (source px or null) and returns the frame indices and sizes of each switch. */
function feed(s: AnalysisScaler, faces: (number | null)[]): { at: number; width: number; height: number }[] {
  const out: { at: number; width: number; height: number }[] = [];
  faces.forEach((f, at) => {
    const next = s.observe(f);
    if (next) out.push({ at, ...next });
  });
  return out;
}

test('faceSizePx: the larger side of the landmarks box, in source pixels', () => {
  const lm = new Float32Array([0.4, 0.2, 0, 0.6, 0.2, 0, 0.5, 0.6, 0]);
  assert.equal(Math.round(faceSizePx(lm, 1280, 720)), 288); // 0.4 * 720 tall, 0.2 * 1280 wide
  assert.equal(faceSizePx(new Float32Array(0), 1280, 720), 0);
});

test('a large face: after five faces, one switch to the smallest size keeping it minFacePx tall', () => {
  const s = new AnalysisScaler(HD, 1280, 160);
  assert.deepEqual(s.current, HD);
  // 400 px faces: 160 px needs 1280 * 160 / 400 = 512 px on the long side.
  const sw = feed(s, Array(20).fill(400));
  assert.deepEqual(sw, [{ at: 4, width: 512, height: 288 }]);
  assert.deepEqual(s.current, { width: 512, height: 288 });
});

test('the smallest face of the probe decides; sizes are multiples of 64 px on the long side', () => {
  const s = new AnalysisScaler(HD, 1280, 160);
  const sw = feed(s, [400, 420, 300, 410, 400, 400]);
  // 1280 * 160 / 300 = 683 -> 704.
  assert.deepEqual(sw, [{ at: 4, width: 704, height: 396 }]);
});

test('no switch when the saving is small, when the face is small, or when turned off', () => {
  assert.deepEqual(feed(new AnalysisScaler(HD, 1280, 160), Array(10).fill(175)), []); // 1216 px: not worth a new decode
  assert.deepEqual(feed(new AnalysisScaler(HD, 1280, 160), Array(10).fill(90)), []);
  assert.deepEqual(feed(new AnalysisScaler(HD, 1280, 0), Array(10).fill(600)), []);
  // --analysis-size caps the start; the choice is below it.
  const capped = new AnalysisScaler({ width: 1920, height: 1080 }, 1280, 160);
  assert.deepEqual(capped.current, HD);
  assert.deepEqual(feed(capped, Array(6).fill(600)), [{ at: 4, width: 512, height: 288 }]);
});

test('frames without a face while probing wait; lost faces or a shrinking face go back to the largest size for good', () => {
  const lost = new AnalysisScaler(HD, 1280, 160);
  const a = feed(lost, [null, 400, null, 400, 400, 400, 400, null, null, 400, null, null, null, 400, 400, 400, 400, 400, 400]);
  assert.deepEqual(a, [
    { at: 6, width: 512, height: 288 },
    { at: 12, width: 1280, height: 720 },
  ]);
  const shrink = new AnalysisScaler(HD, 1280, 160);
  // At 512 px a 300 px face is 120 px: below 0.8 * 160.
  const b = feed(shrink, [400, 400, 400, 400, 400, 380, 300, 400, 400, 400, 400, 400, 400]);
  assert.deepEqual(b, [
    { at: 4, width: 512, height: 288 },
    { at: 6, width: 1280, height: 720 },
  ]);
});

test('presenter-1: the landmarker switches to smaller frames at a fixed frame; the track is the same twice and close to full size', { skip: !SHARED }, async () => {
  const info = await probeVideo(sharedVideo('presenter-1.mp4'));
  const run = (face: number) => collect(landmarkVideo(info, { modelPath: modelPath(), workers: 1, maxAnalysisSide: 1280, analysisFacePx: face }));
  const [full, a, b] = [await run(0), await run(160), await run(160)];
  assert.equal(a.length, info.frameCount);
  assert.deepEqual(a, b, 'the same track twice');
  // Before the switch (5 probe faces + the lag) the frames are the same as at full size; after it they differ slightly.
  const diff = (k: number) => maxDiffPx(full[k], a[k], info.width, info.height);
  for (let k = 0; k < 10; k++) assert.equal(diff(k), 0, `frame ${k} is decoded at full size`);
  let worst = 0;
  for (let k = 11; k < a.length; k++) worst = Math.max(worst, diff(k));
  assert.ok(worst > 0, 'later frames were decoded smaller');
  assert.ok(worst < 3, `landmarks within 3 px of the full-size track (worst ${worst.toFixed(2)} px)`);
});

test('a face lost after the switch: the rest of the clip goes back to full size and every frame is answered', { skip: !SHARED }, async () => {
  // Presenter-1 with the face blacked out for frames 40-49: the landmarker loses it, the
  // segment switches back to full size six frames after the third miss and finds it again.
  const dir = await tempDir('noggin-scale-');
  const video = join(dir, 'covered.mp4');
  ffmpeg(['-i', sharedVideo('presenter-1.mp4'), '-vf', "drawbox=x=150:y=60:w=400:h=420:color=black:t=fill:enable='between(n,40,49)'", '-fps_mode', 'passthrough', '-an', '-c:v', 'libx264', '-preset', 'ultrafast', video]);
  const info = await probeVideo(video);
  const run = (face: number) => collect(landmarkVideo(info, { modelPath: modelPath(), workers: 1, maxAnalysisSide: 1280, analysisFacePx: face }));
  const [full, a] = [await run(0), await run(160)];
  assert.equal(a.length, info.frameCount);
  a.forEach((f, k) => assert.equal(f.frame, k));
  assert.deepEqual(a.map((f, k) => (f.face ? -1 : k)).filter((k) => k >= 0), [40, 41, 42, 43, 44, 45, 46, 47, 48, 49], 'no face while covered, found again at once');
  // Frames 10-39 were landmarked smaller; from 48 (the third miss, 42, plus six) on, at full
  // size again: once the face is found again, exactly as in a full-size run.
  assert.ok(maxDiffPx(full[30], a[30], info.width, info.height) > 0, 'frame 30 was landmarked at the smaller size');
  for (let k = 50; k < a.length; k++) assert.equal(maxDiffPx(full[k], a[k], info.width, info.height), 0, `frame ${k} is landmarked at full size again`);
});

/** Largest landmark displacement (x, y in source px) between two frames' faces. */
function maxDiffPx(p: TrackFrame, q: TrackFrame, w: number, h: number): number {
  assert.ok(p.face && q.face, `frame ${p.frame} has a face in both`);
  let m = 0;
  for (let i = 0; i < p.face.landmarks.length; i += 3) {
    m = Math.max(m, Math.abs(p.face.landmarks[i] - q.face.landmarks[i]) * w, Math.abs(p.face.landmarks[i + 1] - q.face.landmarks[i + 1]) * h);
  }
  return m;
}
