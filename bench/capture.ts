/**
 * bench/capture: on ../shared/videos/presenter-1.mp4 (or BENCH_VIDEO), measured in one run:
 *  1. capture pipeline frames/s with one landmarker vs the bare landmarker (detectForVideo on
 *     frames already in the page) -> ratio;
 *  2. the same with one landmarker per core on segments -> ratio to the bare single rate;
 *  3. smoothing: jitter on still stretches and lag for none/live/offline, and whether
 *     MediaPipe already smooths in VIDEO mode (VIDEO vs IMAGE mode jitter);
 *  4. peak Node memory for the clip and for the clip three times over (flat = streaming).
 * Prints one JSON object; ratios are the figures to read, absolute numbers vary with load.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { smoothFrames, type SmoothingMode } from '../capture/smoothing/index.js';
import { LandmarkerClient } from '../capture/landmarker-client.js';
import { landmarkVideo } from '../capture/landmark-frames.js';
import { JITTER_PROBE_POINTS } from '../core/landmarks.js';
import { decomposeMatrix, matrixToYawPitchRoll, quatAngleDeg } from '../core/pose.js';
import type { TrackFrame } from '../core/track.js';
import { launchChromium } from '../system/chromium.js';
import { analysisSize, decodeFrames, probeVideo } from '../system/ffmpeg.js';
import { startPageHost } from '../system/page-host.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { modelPath } from '../system/tools.js';

const video = process.env.BENCH_VIDEO ?? join(PROJECT_ROOT, '..', 'shared', 'videos', 'presenter-1.mp4');
const model = modelPath();

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Raw capture through the real pipeline; returns frames, fps after ready, peak RSS (MB). */
async function pipeline(path: string, workers: number): Promise<{ frames: TrackFrame[]; fps: number; peakRssMb: number }> {
  const info = await probeVideo(path);
  let tReady = 0;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const frames: TrackFrame[] = [];
  let n = 0;
  for await (const f of landmarkVideo(info, { modelPath: model, workers, maxAnalysisSide: 1280, onReady: () => (tReady = performance.now()) })) {
    if (workers > 0 && path === video) frames.push(f);
    n++;
  }
  const fps = (n * 1000) / (performance.now() - tReady);
  clearInterval(sampler);
  return { frames, fps, peakRssMb: Math.round(peak / 1e6) };
}

/** Bare landmarker: ms per frame on frames already in the page, and IMAGE-mode frames for jitter. */
async function bareAndImageMode(path: string): Promise<{ bareFps: number; imageFrames: TrackFrame[] }> {
  const info = await probeVideo(path);
  const host = await startPageHost({ modelPath: model });
  const chromium = await launchChromium();
  try {
    const size = analysisSize(info, 1280);
    const lm = await LandmarkerClient.open(chromium, host, { runningMode: 'VIDEO', keepFramesForBench: 60 });
    await collect(lm.track(decodeFrames(info, { ...size, encoding: 'jpeg', endFrame: 60 })));
    await lm.benchBare(20); // warm
    const ms = await lm.benchBare(120);
    await lm.close();
    const img = await LandmarkerClient.open(chromium, host, { runningMode: 'IMAGE' });
    const imageFrames = await collect(img.track(decodeFrames(info, { ...size, encoding: 'jpeg' })));
    await img.close();
    return { bareFps: 1000 / ms, imageFrames };
  } finally {
    await chromium.close();
    await host.close();
  }
}

/** Frames where the head is still: under 3 deg/s across the 9 frames around them (judged on the offline result). */
function stillFrames(ref: readonly TrackFrame[]): number[] {
  const out: number[] = [];
  for (let k = 4; k < ref.length - 4; k++) {
    const w = ref.slice(k - 4, k + 5);
    if (w.some((f) => !f.face)) continue;
    const dt = (w[8].timeMs - w[0].timeMs) / 1000;
    const ang = quatAngleDeg(decomposeMatrix(w[0].face!.matrix).q, decomposeMatrix(w[8].face!.matrix).q);
    if (ang / dt < 3) out.push(k);
  }
  return out;
}

/** Mean frame-to-frame change on the given frames: pose (deg, cm) and landmarks (px at the source width). */
function jitter(frames: readonly TrackFrame[], at: readonly number[], width: number, height: number) {
  let rot = 0, trans = 0, lm = 0, n = 0;
  for (const k of at) {
    const a = frames[k - 1].face, b = frames[k].face;
    if (!a || !b) continue;
    const pa = decomposeMatrix(a.matrix), pb = decomposeMatrix(b.matrix);
    rot += quatAngleDeg(pa.q, pb.q);
    trans += Math.hypot(pa.t[0] - pb.t[0], pa.t[1] - pb.t[1], pa.t[2] - pb.t[2]);
    let s = 0;
    for (const i of JITTER_PROBE_POINTS) s += Math.hypot((a.landmarks[3 * i] - b.landmarks[3 * i]) * width, (a.landmarks[3 * i + 1] - b.landmarks[3 * i + 1]) * height);
    lm += s / JITTER_PROBE_POINTS.length;
    n++;
  }
  return { rotationDeg: rot / n, translationCm: trans / n, landmarkPx: lm / n, frames: n };
}

/** Lag in frames at the peak of the cross-correlation of yaw/pitch velocity against raw. */
function lag(raw: readonly TrackFrame[], smooth: readonly TrackFrame[]): number {
  const series = (fr: readonly TrackFrame[]) => {
    const ypr = fr.map((f) => (f.face ? matrixToYawPitchRoll(f.face.matrix) : null));
    return ypr.slice(1).map((e, i) => (e && ypr[i] ? [e.yawDeg - ypr[i]!.yawDeg, e.pitchDeg - ypr[i]!.pitchDeg] : [0, 0]));
  };
  const r = series(raw), s = series(smooth);
  let best = 0, bestC = -Infinity;
  for (let l = -5; l <= 5; l++) {
    let c = 0;
    for (let i = 6; i < r.length - 6; i++) c += r[i][0] * s[i + l][0] + r[i][1] * s[i + l][1];
    if (c > bestC) [bestC, best] = [c, l];
  }
  return best;
}

async function main(): Promise<void> {
  const info = await probeVideo(video);
  const cores = availableParallelism();
  const { bareFps, imageFrames } = await bareAndImageMode(video);
  const single = await pipeline(video, 1);
  const multi = await pipeline(video, Math.max(2, Math.min(4, cores)));
  const raw = single.frames;
  const smoothed: Record<SmoothingMode, TrackFrame[]> = {
    none: raw,
    live: await collect(smoothFrames((async function* () { yield* raw; })(), 'live', 5)),
    offline: await collect(smoothFrames((async function* () { yield* raw; })(), 'offline', 5)),
  };
  const still = stillFrames(smoothed.offline);
  const j = Object.fromEntries(Object.entries(smoothed).map(([m, fr]) => [m, jitter(fr, still, info.width, info.height)]));
  const cut = (m: 'live' | 'offline') => ({
    rotation: 1 - j[m].rotationDeg / j.none.rotationDeg,
    landmarks: 1 - j[m].landmarkPx / j.none.landmarkPx,
  });
  const imageJitter = jitter(imageFrames, still, info.width, info.height);

  // Memory with clip length: the same clip three times over.
  const dir = await mkdtemp(join(tmpdir(), 'noggin-bench-'));
  const triple = join(dir, 'triple.mp4');
  spawnSync('ffmpeg', ['-v', 'error', '-stream_loop', '2', '-i', video, '-c', 'copy', triple]);
  const long = await pipeline(triple, 1);
  await rm(dir, { recursive: true, force: true });

  const r2 = (x: number) => Math.round(x * 100) / 100;
  console.log(JSON.stringify({
    video, frames: info.frameCount, size: `${info.width}x${info.height}`, cores,
    speed: {
      bareLandmarkerFps: r2(bareFps),
      pipelineFps1: r2(single.fps), ratio1: r2(single.fps / bareFps),
      workers: Math.max(2, Math.min(4, cores)), pipelineFpsN: r2(multi.fps), ratioNToBareSingle: r2(multi.fps / bareFps),
    },
    smoothing: {
      stillFrames: still.length,
      jitter: Object.fromEntries(Object.entries(j).map(([m, v]) => [m, { rotationDeg: r2(v.rotationDeg * 100) / 100, translationCm: r2(v.translationCm * 100) / 100, landmarkPx: r2(v.landmarkPx) }])),
      jitterCut: { live: { rotation: r2(cut('live').rotation), landmarks: r2(cut('live').landmarks) }, offline: { rotation: r2(cut('offline').rotation), landmarks: r2(cut('offline').landmarks) } },
      lagFrames: { live: lag(raw, smoothed.live), offline: lag(raw, smoothed.offline) },
      mediapipeVideoVsImageMode: { videoModeLandmarkPx: r2(j.none.landmarkPx), imageModeLandmarkPx: r2(imageJitter.landmarkPx), videoModeRotationDeg: r2(j.none.rotationDeg * 100) / 100, imageModeRotationDeg: r2(imageJitter.rotationDeg * 100) / 100 },
    },
    memory: { peakRssMbClip: single.peakRssMb, peakRssMbClipX3: long.peakRssMb },
  }, null, 2));
}

await main();
