/**
 * Alignment on the shared clips: a head whose anchor points are known (nose tip, eye
 * centres, chin: markers at the canonical positions, the head authored in metres on a
 * body and fitted by its profile) is projected through the render page's own camera and
 * compared with the track's landmarks (core/landmarks.ts ALIGNMENT_ANCHORS), on every
 * frame of every clip: mean error at most 5% of the inter-ocular distance. A sample of
 * frames is also rendered for real and the drawn markers found in the pixels.
 *
 * Tracks are captured once and cached in test-artifacts/render/tracks (30-60 s per clip
 * the first time).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALIGNMENT_ANCHORS } from '../core/landmarks.js';
import type { TrackFrame } from '../core/track.js';
import { openTrack } from '../core/track-file.js';
import { calibrateTrack } from '../render/index.js';
import { projectCanonical } from '../render/camera-math.js';
import { buildTestHead, colourCentroid, iter, MARKERS, RenderRig, SHARED, tempDir, trackFor } from './render-fixtures.js';

const CLIPS = ['presenter-1', 'presenter-2', 'presenter-3', 'presenter-4'].filter((c) => existsSync(join(SHARED, 'videos', `${c}.mp4`)));
const NAMES = Object.keys(MARKERS) as (keyof typeof MARKERS)[];
const LIMIT = 0.05;

let rig: RenderRig;
let headFile = '';

before(async () => {
  headFile = await buildTestHead(await tempDir(), { skull: false, file: 'anchors.glb', morphNames: [], jawTarget: null });
  rig = await RenderRig.start();
});
after(async () => {
  await rig?.close();
});

/** Landmark position (px) of an anchor: mean of its landmark indices. */
function landmarkAt(f: TrackFrame, name: keyof typeof ALIGNMENT_ANCHORS, w: number, h: number): { x: number; y: number } {
  const lm = f.face!.landmarks;
  let x = 0;
  let y = 0;
  for (const i of ALIGNMENT_ANCHORS[name]) {
    x += lm[i * 3] * w;
    y += lm[i * 3 + 1] * h;
  }
  const n = ALIGNMENT_ANCHORS[name].length;
  return { x: x / n, y: y / n };
}

function iod(f: TrackFrame, w: number, h: number): number {
  const a = landmarkAt(f, 'rightEyeCenter', w, h);
  const b = landmarkAt(f, 'leftEyeCenter', w, h);
  return Math.hypot(a.x - b.x, a.y - b.y);
}

describe('alignment with the presenter (5% of the inter-ocular distance, every frame)', { skip: CLIPS.length ? false : 'no ../shared/videos' }, () => {
  for (const clip of CLIPS) {
    it(`${clip}: anchor points land on the landmarks`, async (t) => {
      const trackPath = await trackFor(clip);
      const track = await openTrack(trackPath);
      const { width: w, height: h } = track.header.source;
      const frames: TrackFrame[] = [];
      for await (const f of track.frames) if (f.face) frames.push(f);
      assert.ok(frames.length > 50, `${clip}: faces in ${frames.length} frames`);
      const calibration = await calibrateTrack(trackPath);
      const results: Record<string, { mean: number; worst: number; worstFrame: number }> = {};
      const score = (projected: ({ x: number; y: number } | null)[][]) => {
        let sum = 0;
        let worst = 0;
        let worstFrame = -1;
        frames.forEach((f, k) => {
          const d = iod(f, w, h);
          let e = 0;
          NAMES.forEach((n, j) => {
            const p = projected[k][j]!;
            const q = landmarkAt(f, n, w, h);
            e += Math.hypot(p.x - q.x, p.y - q.y) / d;
          });
          e /= NAMES.length;
          sum += e;
          if (e > worst) {
            worst = e;
            worstFrame = f.frame;
          }
        });
        return { mean: sum / frames.length, worst, worstFrame };
      };
      const fov = track.header.camera.verticalFovDeg;
      // For reference: MediaPipe's matrix as is (camera math; the page test shows the page agrees).
      results.none = score(frames.map((f) => NAMES.map((n) => projectCanonical(f.face!.matrix, MARKERS[n].at, fov, w, h))));
      const { renderer } = await rig.open(headFile, { frameWidth: w, frameHeight: h, verticalFovDeg: fov, align: 'refit', calibration });
      try {
        const poses = frames.map((f) => renderer.poseFor(f.face!));
        results.refit = score(await renderer.project(poses, NAMES.map((n) => MARKERS[n].at)));
        // Render a sample for real: the drawn markers sit where the camera projects them.
        const sample = frames.filter((_, k) => k % 20 === 0);
        const proj = await renderer.project(sample.map((f) => renderer.poseFor(f.face!)), NAMES.map((n) => MARKERS[n].at));
        let k = 0;
        for await (const r of renderer.render(iter(sample))) {
          const f = sample[k];
          NAMES.forEach((n, j) => {
            const drawn = colourCentroid(r.crop!, MARKERS[n].rgb);
            assert.ok(drawn, `${clip} frame ${f.frame}: ${n} drawn`);
            const off = Math.hypot(drawn.x - proj[k][j]!.x, drawn.y - proj[k][j]!.y);
            assert.ok(off < 1.5, `${clip} frame ${f.frame}: ${n} drawn ${off.toFixed(2)} px from its projection`);
          });
          k++;
        }
        assert.equal(k, sample.length);
      } finally {
        await renderer.close();
      }
      const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
      t.diagnostic(
        `${clip} (${frames.length} frames, ${w}x${h}): mean error refit ${pct(results.refit.mean)}, worst frame ${pct(results.refit.worst)} (#${results.refit.worstFrame}); ` +
          `MediaPipe matrix as is: mean ${pct(results.none.mean)}, worst ${pct(results.none.worst)}; calibration rot ${calibration.rotationDeg.map((v) => v.toFixed(1)).join('/')} deg, scale ${calibration.scale.toFixed(3)}, vertical ${calibration.verticalScale.toFixed(3)}`,
      );
      assert.ok(results.refit.worst <= LIMIT, `${clip}: worst frame ${pct(results.refit.worst)} of the inter-ocular distance (frame ${results.refit.worstFrame})`);
    });
  }
});
