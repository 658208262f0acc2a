/**
 * The studio page's Live tab in headless Chromium with a fake camera (a y4m made from a
 * ../shared clip): the mascot covers the face (>= 99% of the face oval differs from the
 * camera frame, read from the composited canvas), switching mascots works, recording gives
 * a playable file of the right length; no camera permission and no WebGL are said plainly;
 * a video file plays in the camera's place (a cut of the bundled sample clip).
 * Also the pure face transforms (mirroring, neutral subtraction). Screenshots go to
 * test-artifacts/studio/. Needs ../shared (the browser part is skipped without it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { BLENDSHAPE_COUNT, BLENDSHAPE_INDEX } from '../core/blendshapes.js';
import { setLogLevel } from '../core/log.js';
import type { FaceData } from '../core/track.js';
import { transformPoint } from '../render/camera-math.js';
import { openPage, type ChromiumHandle } from '../system/chromium.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { lostFaceOpacity } from '../studio/page/face-fade.js';
import { mirrorFace, subtractNeutral } from '../studio/page/face-transforms.js';
import { SAMPLE_CLIP } from '../cli/commands/run.js';
import { ffmpeg, SHARED, sharedVideo } from './helpers/cli.js';
import { inspectRecording, launchWithFakeCamera, liveProbe as probe, makeFakeCamera, playInLiveTab, shotLiveStage, startStudio, untilLive as until, type StudioTestServer } from './helpers/studio.js';

setLogLevel(process.env.NOGGIN_LOG_LEVEL ?? 'silent');

const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts', 'studio');
let dir = '';
let server: StudioTestServer | null = null;
let chromium: ChromiumHandle | null = null;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'noggin-studio-live-'));
  await mkdir(ARTIFACTS, { recursive: true });
  if (!SHARED) return;
  const cam = join(dir, 'camera.y4m');
  makeFakeCamera(sharedVideo('presenter-1.mp4'), cam, { seconds: 3, width: 480, height: 480, fps: 15 });
  server = await startStudio(dir, { maxUploadMb: 16 });
  chromium = await launchWithFakeCamera(cam);
});

after(async () => {
  await chromium?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const shot = (p: Page, name: string) => shotLiveStage(p, join(ARTIFACTS, name) as `${string}.png`);

test('mirroring swaps Left/Right blendshapes, mirrors landmarks and keeps the pose a rotation', () => {
  const blendshapes = new Float32Array(BLENDSHAPE_COUNT);
  blendshapes[BLENDSHAPE_INDEX.eyeBlinkLeft] = 0.9;
  blendshapes[BLENDSHAPE_INDEX.jawOpen] = 0.4;
  blendshapes[BLENDSHAPE_INDEX.mouthSmileRight] = 0.7;
  const landmarks = new Float32Array(478 * 3).map((_, i) => (i % 3 === 0 ? 0.3 : 0.5));
  // Turned 20 degrees about y, 50 cm away.
  const a = (20 * Math.PI) / 180;
  const matrix = Float32Array.from([Math.cos(a), 0, -Math.sin(a), 0, 0, 1, 0, 0, Math.sin(a), 0, Math.cos(a), 0, 3, 1, -50, 1]);
  const face: FaceData = { landmarks, blendshapes, matrix };
  const m = mirrorFace(face);
  assert.equal(m.blendshapes[BLENDSHAPE_INDEX.eyeBlinkRight], blendshapes[BLENDSHAPE_INDEX.eyeBlinkLeft]);
  assert.equal(m.blendshapes[BLENDSHAPE_INDEX.eyeBlinkLeft], 0);
  assert.equal(m.blendshapes[BLENDSHAPE_INDEX.mouthSmileLeft], blendshapes[BLENDSHAPE_INDEX.mouthSmileRight]);
  assert.equal(m.blendshapes[BLENDSHAPE_INDEX.jawOpen], blendshapes[BLENDSHAPE_INDEX.jawOpen]);
  assert.ok(Math.abs(m.landmarks[0] - 0.7) < 1e-6 && m.landmarks[1] === 0.5);
  // The mascot's own left eye (+x) lands where the user's right eye (-x) is shown mirrored.
  const eye = 3.2;
  const userRight = transformPoint(matrix, [-eye, 0, 0]);
  const mascotLeft = transformPoint(m.matrix, [eye, 0, 0]);
  assert.ok(Math.abs(mascotLeft[0] + userRight[0]) < 1e-4 && Math.abs(mascotLeft[1] - userRight[1]) < 1e-4 && Math.abs(mascotLeft[2] - userRight[2]) < 1e-4);
  const det = (x: Float32Array) =>
    x[0] * (x[5] * x[10] - x[9] * x[6]) - x[4] * (x[1] * x[10] - x[9] * x[2]) + x[8] * (x[1] * x[6] - x[5] * x[2]);
  assert.ok(Math.abs(det(m.matrix) - det(matrix)) < 1e-5, 'still a proper rotation');
  assert.equal(face.blendshapes[BLENDSHAPE_INDEX.eyeBlinkLeft], Math.fround(0.9), 'input untouched');
});

test('calibration: the neutral face maps to 0 and a full expression still reaches 1', () => {
  const neutral = new Float32Array(BLENDSHAPE_COUNT).fill(0.2);
  const out = subtractNeutral(Float32Array.from(neutral).fill(1, 5, 6), neutral);
  assert.equal(out[1], 0);
  assert.equal(out[5], 1);
  assert.ok(Math.abs(subtractNeutral(new Float32Array(BLENDSHAPE_COUNT).fill(0.6), neutral)[3] - 0.5) < 1e-6);
});

test('a lost face: the mascot holds, then fades out, and stays out', () => {
  assert.equal(lostFaceOpacity(0), 1);
  assert.equal(lostFaceOpacity(250), 1);
  const mid = lostFaceOpacity(550);
  assert.ok(mid > 0.3 && mid < 0.7, `half-way through the fade: ${mid}`);
  assert.ok(lostFaceOpacity(500) > lostFaceOpacity(700), 'fading, not jumping');
  assert.equal(lostFaceOpacity(900), 0);
  assert.equal(lostFaceOpacity(Infinity), 0);
});

test('live tab: the mascot covers the face, switching mascots works, recording gives a playable file, tracking publishes to the bridge', { skip: !SHARED, timeout: 150_000 }, async () => {
  const { page: p } = await openPage(chromium!, `${server!.url}/?head=fox#live`);
  await until(p, 'the fox over a tracked face', (s) => s.state === 'running' && s.head === 'fox' && s.faceFrames >= 8);
  const fox = await probe(p);
  await shot(p, 'live-fox.png');
  assert.equal(fox.head, 'fox');
  assert.ok(fox.ovalPixels > 5000, `face oval of ${fox.ovalPixels} px`);
  assert.ok(fox.coverage >= 0.99, `fox covers ${(fox.coverage * 100).toFixed(2)}% of the face oval`);

  await p.select('#live-head', 'robot');
  await until(p, 'the robot', (s) => s.head === 'robot' && !s.headLoading);
  const robot = await probe(p);
  await shot(p, 'live-robot.png');
  assert.equal(robot.head, 'robot');
  assert.ok(robot.coverage >= 0.99, `robot covers ${(robot.coverage * 100).toFixed(2)}% of the face oval`);
  const colourChange = Math.hypot(...fox.meanOutputRgb.map((v, i) => v - robot.meanOutputRgb[i]));
  assert.ok(colourChange > 30, `the face region changed colour with the mascot (fox ${fox.meanOutputRgb.map(Math.round)}, robot ${robot.meanOutputRgb.map(Math.round)})`);

  // Unmirrored, the mascot still sits on the face.
  await p.click('#live-mirror');
  await until(p, 'the unmirrored view', (s) => !s.mirror);
  const plain = await probe(p);
  await shot(p, 'live-robot-unmirrored.png');
  assert.ok(plain.coverage >= 0.99, `unmirrored, the robot covers ${(plain.coverage * 100).toFixed(2)}% of the face oval`);
  await p.click('#live-mirror');

  await p.click('#live-record');
  await until(p, 'recording', (s) => s.recording, 10_000);
  await new Promise((r) => setTimeout(r, 2500));
  await p.click('#live-record');
  const rec = await p.waitForFunction(() => window.noggin_studio_live_lastRecording!(), { timeout: 20_000, polling: 250 }).then((h) => h.jsonValue());
  assert.ok(rec, 'a recording');
  const file = join(ARTIFACTS, `live-recording.${rec.fileName.split('.').pop()}`);
  await writeFile(file, Buffer.from(rec.base64, 'base64'));
  const { status, errors, pts } = inspectRecording(file);
  assert.equal(status, 0, `the recording decodes: ${errors}`);
  assert.equal(errors, '', 'without decoder errors');
  assert.ok(pts.length >= 5, `${pts.length} video frames recorded`);
  const lengthS = pts[pts.length - 1] - pts[0];
  const wallS = rec.durationMs / 1000;
  // A canvas stream has a frame only when the page drew one: on a loaded machine without a
  // GPU that can be a few per second, so the file's first and last frame may each sit up to
  // one frame gap inside the recorded span.
  const gap = Math.max(...pts.slice(1).map((t, i) => t - pts[i]));
  assert.ok(wallS >= 2.4, `recorded for ${wallS} s`);
  assert.ok(Math.abs(lengthS - wallS) <= 0.3 + 2 * gap, `the video lasts ${lengthS.toFixed(2)} s for ${wallS.toFixed(2)} s of recording (largest frame gap ${gap.toFixed(2)} s)`);
  await shot(p, 'live-after-recording.png');

  // Publishing the tracking to a bridge session: a live producer whose frames arrive.
  await p.click('#live-publish');
  const session = async () => (await fetch(`${server!.url}/api/sessions/live`)).json() as Promise<{ state: string; live: boolean; frames: number; source: { width: number; height: number } | null }>;
  let info = await session();
  for (let i = 0; i < 120 && !(info.frames >= 3); i++) {
    await new Promise((r) => setTimeout(r, 250));
    info = await session();
  }
  assert.ok(info.frames >= 3 && info.live && info.source?.width === 480, `session: ${JSON.stringify(info)}`);
  await p.click('#live-publish');
  for (let i = 0; i < 40 && info.state !== 'ended'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    info = await session();
  }
  assert.equal(info.state, 'ended', 'stopping publishing ends the session');
  await p.close();
});

test('live tab: no camera permission and no WebGL are said plainly', { skip: !SHARED, timeout: 60_000 }, async () => {
  const denied = await chromium!.browser.newPage();
  await denied.evaluateOnNewDocument(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  const { page: p1 } = await openPageWith(denied, `${server!.url}/#live`);
  await p1.waitForFunction(() => !!document.getElementById('live-message')?.textContent, { timeout: 20_000 });
  const msg1 = await p1.$eval('#live-message', (e) => e.textContent ?? '');
  assert.match(msg1, /No permission to use the camera/);
  await p1.screenshot({ path: join(ARTIFACTS, 'live-no-permission.png') });
  await p1.close();

  const noGl = await chromium!.browser.newPage();
  await noGl.evaluateOnNewDocument(() => {
    const get = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, kind: string, ...rest: unknown[]) {
      return /webgl/.test(kind) ? null : (get as (...a: unknown[]) => unknown).call(this, kind, ...rest);
    } as typeof get;
  });
  const { page: p2 } = await openPageWith(noGl, `${server!.url}/#live`);
  await p2.waitForFunction(() => !!document.getElementById('live-message')?.textContent, { timeout: 20_000 });
  assert.match(await p2.$eval('#live-message', (e) => e.textContent ?? ''), /no WebGL2/);
  await p2.close();
});

test('live tab: a video file plays in the camera\'s place (the fox covers its face); a file that is no video is said plainly', { skip: !SHARED, timeout: 60_000 }, async () => {
  const clip = join(dir, 'presenter-cut.mp4');
  ffmpeg(['-i', SAMPLE_CLIP, '-t', '3', '-vf', 'scale=640:360', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', clip]);
  const { page: p } = await openPage(chromium!, `${server!.url}/?head=fox#live`);
  await until(p, 'the camera', (s) => s.state === 'running' && s.head === 'fox');
  await playInLiveTab(p, clip);
  await until(p, 'faces from the file', (s) => s.state === 'running' && s.width === 640 && s.height === 360 && s.faceFrames >= 5);
  const fox = await probe(p);
  await shot(p, 'live-video-file.png');
  assert.ok(fox.coverage >= 0.99, `the fox covers ${(fox.coverage * 100).toFixed(2)}% of the file's face oval`);
  assert.equal(await p.$eval('#live-camera', (e) => (e as HTMLSelectElement).selectedOptions[0]?.textContent), 'Video: presenter-cut.mp4');
  assert.ok(await p.$eval('#live-resolution', (e) => (e as HTMLSelectElement).disabled), 'a file plays at its own size');

  const notes = join(dir, 'notes.mp4');
  await writeFile(notes, 'not a video\n'.repeat(100));
  await playInLiveTab(p, notes);
  await p.waitForFunction(() => /could not be played/.test(document.getElementById('live-message')?.textContent ?? ''), { timeout: 20_000 });
  assert.match(await p.$eval('#live-message', (e) => e.textContent ?? ''), /^The video "notes\.mp4" could not be played as the camera \(.+\)\. Choose a video/);
  await p.close();
});

/** Loads `url` in an already opened page (with a script injected first). */
async function openPageWith(p: Page, url: string): Promise<{ page: Page }> {
  await p.goto(url, { waitUntil: 'load', timeout: 30_000 });
  return { page: p };
}
