/**
 * Capture end to end on real clips: faces found, one track line per decoded frame with
 * its presentation time, and frame-exactness against the landmarker's IMAGE mode on frames
 * extracted independently by ffmpeg to PNG. Needs ../shared (skipped without it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LandmarkerClient } from '../capture/landmarker-client.js';
import { LANDMARK_COUNT } from '../core/landmarks.js';
import { openTrack } from '../core/track-file.js';
import type { TrackFrame } from '../core/track.js';
import { launchChromium, type ChromiumHandle } from '../system/chromium.js';
import type { DecodedFrame } from '../system/ffmpeg.js';
import { startPageHost, type PageHost } from '../system/page-host.js';
import { modelPath } from '../system/tools.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { countFrames, ffmpeg, framePtsMs, runCli, SHARED, sharedVideo } from './helpers/cli.js';
import { collect } from './helpers/synthetic.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'noggin-capture-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function captureOk(video: string, out: string, extra: string[] = []): Promise<TrackFrame[]> {
  const r = await runCli(['capture', video, '-o', out, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.leftovers, []);
  const done = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(done.event, 'done');
  const t = await openTrack(out);
  const frames = await collect(t.frames);
  assert.equal(t.header.source.frameCount, frames.length);
  return frames;
}

// The tracks go where the render tests look for them, so the suite captures each clip once.
const TRACK_CACHE = join(PROJECT_ROOT, 'test-artifacts', 'render', 'tracks');

for (const clip of ['presenter-1.mp4', 'presenter-2.mp4', 'presenter-3.mp4', 'presenter-4.mp4']) {
  test(`capture ${clip}: a face in at least 99% of frames, one line per decoded frame with its time`, { skip: !SHARED }, async () => {
    const video = sharedVideo(clip);
    await mkdir(TRACK_CACHE, { recursive: true });
    const frames = await captureOk(video, join(TRACK_CACHE, clip.replace(/\.mp4$/, '.track.ndjson')));
    assert.equal(frames.length, countFrames(video));
    const faces = frames.filter((f) => f.face).length;
    assert.ok(faces >= 0.99 * frames.length, `${faces}/${frames.length} frames with a face`);
    const pts = framePtsMs(video);
    frames.forEach((f, k) => assert.ok(Math.abs(f.timeMs - pts[k]) < 0.01, `frame ${k} time ${f.timeMs} vs ${pts[k]}`));
  });
}

/** RGBA of frame `k` of a video, extracted by ffmpeg's frame-number select to PNG, then to raw. */
function extractFrame(video: string, k: number, png: string): DecodedFrame {
  ffmpeg(['-i', video, '-vf', `select=eq(n\\,${k})`, '-fps_mode', 'passthrough', '-frames:v', '1', png]);
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', png], { encoding: 'utf8' });
  const [width, height] = probe.stdout.trim().split(',').map(Number);
  const raw = spawnSync('ffmpeg', ['-v', 'error', '-i', png, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'], { maxBuffer: 1 << 28 });
  return { index: k, timeMs: 0, width, height, encoding: 'rgba', data: raw.stdout };
}

/** Mean landmark distance in px divided by the image width. */
function meanError(a: Float32Array, b: Float32Array, w: number, h: number): number {
  let s = 0;
  for (let i = 0; i < LANDMARK_COUNT; i++) s += Math.hypot((a[3 * i] - b[3 * i]) * w, (a[3 * i + 1] - b[3 * i + 1]) * h);
  return s / LANDMARK_COUNT / w;
}

async function checkFrameExact(video: string, track: TrackFrame[], ks: number[], width: number, height: number): Promise<void> {
  let host: PageHost | null = null;
  let chromium: ChromiumHandle | null = null;
  try {
    host = await startPageHost({ modelPath: modelPath() });
    chromium = await launchChromium();
    const lm = await LandmarkerClient.open(chromium, host, { runningMode: 'IMAGE' });
    const wanted = [...new Set(ks.flatMap((k) => [k - 1, k, k + 1]).filter((k) => k >= 0 && k < track.length))];
    const images = wanted.map((k) => extractFrame(video, k, join(dir, `f${k}.png`)));
    const answers = await collect(lm.track((async function* () { yield* images.map((f, i) => ({ ...f, index: i })); })()));
    const byFrame = new Map(wanted.map((k, i) => [k, answers[i].face]));
    await lm.close();
    let same = 0;
    let neighbour = 0;
    for (const k of ks) {
      const t = track[k].face;
      const img = byFrame.get(k);
      assert.ok(t && img, `frame ${k} has a face in both`);
      const e = meanError(t.landmarks, img.landmarks, width, height);
      assert.ok(e < 0.005, `frame ${k}: mean landmark error ${(e * 100).toFixed(3)}% of width`);
      same += e;
      for (const n of [k - 1, k + 1]) {
        const f = byFrame.get(n);
        if (f) neighbour += meanError(t.landmarks, f.landmarks, width, height) / 2;
      }
    }
    assert.ok(same < neighbour, `track frames match their own frame (${same.toFixed(4)}) better than the neighbours (${neighbour.toFixed(4)})`);
  } finally {
    await chromium?.close();
    await host?.close();
  }
}

test('frame-exact: track landmarks of frame k match IMAGE mode on frame k extracted to PNG', { skip: !SHARED }, async () => {
  const video = sharedVideo('presenter-4.mp4');
  const frames = await captureOk(video, join(dir, 'exact.track.ndjson'), ['--smoothing', 'none', '--fill-gaps', '0', '--workers', '2']);
  await checkFrameExact(video, frames, [3, 40, 89, 91, 140, 176], 1280, 720);
});

test('rotated HEVC phone video in MOV: landmarks are in the upright (displayed) frame and match IMAGE mode', { skip: !SHARED }, async () => {
  // As a phone stores it: HEVC in MOV, pixels turned on their side, rotation metadata turning them upright.
  const sideways = join(dir, 'sideways.mov');
  const rotated = join(dir, 'rotated.mov');
  ffmpeg(['-i', sharedVideo('presenter-4.mp4'), '-t', '2', '-vf', 'transpose=1', '-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1', '-x265-params', 'log-level=error', sideways]);
  ffmpeg(['-i', sideways, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
  const frames = await captureOk(rotated, join(dir, 'rotated.track.ndjson'), ['--smoothing', 'none', '--fill-gaps', '0']);
  const t = await openTrack(join(dir, 'rotated.track.ndjson'));
  assert.notEqual((t.header.source as { rotationDeg?: number }).rotationDeg, 0);
  assert.deepEqual([t.header.source.width, t.header.source.height], [1280, 720]);
  assert.ok(frames.filter((f) => f.face).length >= 0.99 * frames.length);
  await checkFrameExact(rotated, frames, [5, 40], 1280, 720);
  // Upright: the forehead (landmark 10) is above the chin (152).
  const f = frames[10].face!;
  assert.ok(f.landmarks[10 * 3 + 1] < f.landmarks[152 * 3 + 1] - 0.1);
});

test('variable frame rate: every decoded frame gets a line with its own presentation time', { skip: !SHARED }, async () => {
  const vfr = join(dir, 'vfr.mkv');
  ffmpeg(['-i', sharedVideo('presenter-2.mp4'), '-t', '3', '-vf', "select='not(eq(mod(n\\,3)\\,1))'", '-fps_mode', 'vfr', '-an', '-c:v', 'libx264', '-preset', 'ultrafast', vfr]);
  const frames = await captureOk(vfr, join(dir, 'vfr.track.ndjson'), ['--smoothing', 'live']);
  const pts = framePtsMs(vfr);
  assert.equal(frames.length, pts.length);
  const gaps = new Set(pts.slice(1).map((t, i) => Math.round(t - pts[i])));
  assert.ok(gaps.size >= 2, 'the clip really has uneven frame intervals');
  frames.forEach((f, k) => assert.ok(Math.abs(f.timeMs - pts[k]) < 0.01, `frame ${k}`));
  assert.deepEqual(await readdir(dir).then((l) => l.filter((n) => n.endsWith('.tmp'))), []);
});

test('--csv writes a Live Link Face CSV with one row per face frame', { skip: !SHARED }, async () => {
  const csv = join(dir, 'p3.csv');
  const r = await runCli(['capture', sharedVideo('presenter-3.mp4'), '-o', join(dir, 'p3.track.ndjson'), '--csv', csv]);
  assert.equal(r.code, 0, r.stderr);
  const rows = (await import('node:fs')).readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(rows[0].split(',').length, 63);
  assert.ok(rows.length - 1 >= 0.99 * countFrames(sharedVideo('presenter-3.mp4')));
});
