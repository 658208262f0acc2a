/**
 * Closed loop on the bundled sample clip: capture assets/samples/presenter.mp4 with the
 * project's capture (default options, as `noggin capture` runs it) and compare with the
 * ground truth the clip was rendered from (assets/samples/presenter.truth.json):
 * - head pose: yaw/pitch/roll error per axis and the angle of the rotation error, median
 *   and 95th percentile, in degrees. Both rotations are decomposed the same way
 *   (core/pose.ts, R = Ry Rx Rz). The goal is asserted on the raw figures. Reported
 *   beside them: the constant rotation between the presenter's rig and the canonical face
 *   MediaPipe fits to it (a synthetic face is not MediaPipe's canonical face, so its
 *   best-fit canonical frame may sit at a fixed angle in the rig), measured on the first
 *   0.4 s (frontal, at rest) like a per-presenter calibration, and the errors with it removed.
 * - blendshapes: Pearson correlation of captured and true curves, per driven shape.
 * Figures are written to test-artifacts/sample-accuracy.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { captureVideo } from '../capture/index.js';
import { BLENDSHAPE_INDEX, MEDIAPIPE_BLENDSHAPES, type MediaPipeBlendshape } from '../core/blendshapes.js';
import { decomposeMatrix, composeMatrix, matrixToYawPitchRoll, quatAngleDeg } from '../core/pose.js';
import type { TrackFrame } from '../core/track.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { modelPath } from '../system/tools.js';

const CLIP = join(PROJECT_ROOT, 'assets', 'samples', 'presenter.mp4');
const TRUTH = join(PROJECT_ROOT, 'assets', 'samples', 'presenter.truth.json');
const ARTIFACT = join(PROJECT_ROOT, 'test-artifacts', 'sample-accuracy.json');

/** Goals (issue #4): median rotation error, and correlations of these shapes. */
const MEDIAN_POSE_GOAL_DEG = 3;
/** Not a goal: a bound on the 95th percentile (measured 3.5 degrees), to catch regressions. */
const P95_POSE_BOUND_DEG = 6;
const CORRELATION_GOAL = 0.8;
const GOAL_SHAPES: MediaPipeBlendshape[] = ['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight', 'mouthSmileLeft', 'mouthSmileRight', 'browInnerUp'];
/** Frames (from 0) the constant rig offset is measured on: frontal, at rest. */
const OFFSET_FRAMES = 10;

interface TruthFrame {
  frame: number;
  timeMs: number;
  matrix: number[];
  blendshapes: number[];
}

type Quat = [number, number, number, number];

const qMul = (a: Quat, b: Quat): Quat => [
  a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
  a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
  a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
  a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2],
];
const qInv = (a: Quat): Quat => [-a[0], -a[1], -a[2], a[3]];
const quatOf = (m: ArrayLike<number>): Quat => [...decomposeMatrix(m).q] as Quat;
const ypr = (q: Quat) => matrixToYawPitchRoll(composeMatrix({ q, t: [0, 0, 0], s: 1 }));

/** Mean of unit quaternions (sign-aligned to the first, normalised): fine for nearby rotations. */
function meanQuat(qs: Quat[]): Quat {
  const s: Quat = [0, 0, 0, 0];
  for (const q of qs) {
    const sign = q[0] * qs[0][0] + q[1] * qs[0][1] + q[2] * qs[0][2] + q[3] * qs[0][3] < 0 ? -1 : 1;
    for (let i = 0; i < 4; i++) s[i] += sign * q[i];
  }
  const n = Math.hypot(...s);
  return s.map((v) => v / n) as Quat;
}

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const f = (s.length - 1) * p;
  const i = Math.floor(f);
  return s[i] + (s[Math.min(s.length - 1, i + 1)] - s[i]) * (f - i);
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Error statistics of captured vs true rotations (degrees). */
function poseErrors(captured: Quat[], truth: Quat[]) {
  const axes = { yaw: [] as number[], pitch: [] as number[], roll: [] as number[], angle: [] as number[] };
  captured.forEach((c, k) => {
    const a = ypr(c);
    const b = ypr(truth[k]);
    axes.yaw.push(Math.abs(a.yawDeg - b.yawDeg));
    axes.pitch.push(Math.abs(a.pitchDeg - b.pitchDeg));
    axes.roll.push(Math.abs(a.rollDeg - b.rollDeg));
    axes.angle.push(quatAngleDeg(c, truth[k]));
  });
  return Object.fromEntries(Object.entries(axes).map(([k, v]) => [k, { medianDeg: r2(quantile(v, 0.5)), p95Deg: r2(quantile(v, 0.95)) }])) as Record<
    keyof typeof axes,
    { medianDeg: number; p95Deg: number }
  >;
}

const ready = existsSync(CLIP) && existsSync(TRUTH) && existsSync(modelPath());

test('sample clip closed loop: captured pose and blendshapes match the ground truth', { skip: !ready && 'needs assets/samples (npm run make-sample) and the model (npm run setup)', timeout: 180000 }, async () => {
  const truth = JSON.parse(await readFile(TRUTH, 'utf8')) as { frameCount: number; blendshapeNames: string[]; frames: TruthFrame[] };
  assert.deepEqual(truth.blendshapeNames, [...MEDIAPIPE_BLENDSHAPES]);
  const frames: TrackFrame[] = [];
  await captureVideo({
    input: CLIP,
    smoothing: 'offline',
    fillGapFrames: 5,
    workers: 2,
    maxAnalysisSide: 1280,
    modelPath: modelPath(),
    minDetectionConfidence: 0.5,
    onFrame: (f) => void frames.push(f),
  });
  assert.equal(frames.length, truth.frameCount, 'one captured frame per frame of the clip');
  const found = frames.filter((f) => f.face && !f.interpolated);
  assert.ok(found.length >= 0.98 * frames.length, `a face in ${found.length}/${frames.length} frames`);

  const pairs = found.map((f) => ({ cap: f, truth: truth.frames[f.frame] }));
  pairs.forEach((p) => assert.ok(Math.abs(p.cap.timeMs - p.truth.timeMs) < 1, `frame ${p.cap.frame} time`));
  const capQ = pairs.map((p) => quatOf(p.cap.face!.matrix));
  const truQ = pairs.map((p) => quatOf(p.truth.matrix));
  // Constant offset O in the rig's frame: captured = truth * O.
  const early = pairs.map((p, i) => [p.cap.frame, i] as const).filter(([frame]) => frame < OFFSET_FRAMES).map(([, i]) => i);
  const offset = meanQuat(early.map((i) => qMul(qInv(truQ[i]), capQ[i])));
  const corrected = capQ.map((q) => qMul(q, qInv(offset)));
  const raw = poseErrors(capQ, truQ);
  const calibrated = poseErrors(corrected, truQ);

  const correlations: Record<string, number> = {};
  for (const name of MEDIAPIPE_BLENDSHAPES) {
    const k = BLENDSHAPE_INDEX[name];
    const t = pairs.map((p) => p.truth.blendshapes[k]);
    if (Math.max(...t) - Math.min(...t) < 0.05) continue;
    correlations[name] = r3(pearson(pairs.map((p) => p.cap.face!.blendshapes[k]), t));
  }
  const o = ypr(offset);
  const figures = {
    clip: 'assets/samples/presenter.mp4',
    frames: frames.length,
    facesFound: found.length,
    capture: { smoothing: 'offline', fillGapFrames: 5, maxAnalysisSide: 1280 },
    poseRaw: raw,
    rigOffset: { measuredOnFrames: OFFSET_FRAMES, yawDeg: r2(o.yawDeg), pitchDeg: r2(o.pitchDeg), rollDeg: r2(o.rollDeg), angleDeg: r2(quatAngleDeg(offset, [0, 0, 0, 1])) },
    poseOffsetRemoved: calibrated,
    correlations,
  };
  await mkdir(join(PROJECT_ROOT, 'test-artifacts'), { recursive: true });
  await writeFile(ARTIFACT, JSON.stringify(figures, null, 2) + '\n');

  assert.ok(raw.angle.medianDeg < MEDIAN_POSE_GOAL_DEG, `median rotation error ${raw.angle.medianDeg} deg`);
  assert.ok(raw.angle.p95Deg < P95_POSE_BOUND_DEG, `95th percentile rotation error ${raw.angle.p95Deg} deg`);
  assert.ok(calibrated.angle.medianDeg < MEDIAN_POSE_GOAL_DEG, `median rotation error ${calibrated.angle.medianDeg} deg (rig offset removed)`);
  for (const name of GOAL_SHAPES) {
    assert.ok(name in correlations, `${name} is driven in the clip`);
    assert.ok(correlations[name] >= CORRELATION_GOAL, `${name}: correlation ${correlations[name]} < ${CORRELATION_GOAL}`);
  }
});
