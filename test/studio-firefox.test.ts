/**
 * The studio page's Live tab in headless Firefox (puppeteer-core over WebDriver BiDi; WebGL2
 * on Mesa's llvmpipe through an Xvfb display, see system/firefox.ts): the tab starts on
 * Firefox's fake camera with WebGL2 and the landmarker, and processes frames; with a cut of
 * the bundled sample clip played as the camera (the tab's "Video file..."), the fox covers
 * the face (>= 99% of the face oval differs from the camera frame, as in studio-live), a
 * recording decodes, the robot covers it too, and publishing feeds a bridge session. Skipped
 * when Firefox (or any X display for its WebGL) is missing. Screenshot and recording:
 * test-artifacts/studio/firefox-live-*.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { setLogLevel } from '../core/log.js';
import { openPage } from '../system/chromium.js';
import { FIREFOX_FAKE_CAMERA_PREFS, launchFirefox, type FirefoxHandle } from '../system/firefox.js';
import { SAMPLE_CLIP } from '../cli/commands/run.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { findFirefox, findXvfb } from '../system/tools.js';
import { ffmpeg } from './helpers/cli.js';
import { inspectRecording, liveProbe, liveStats, playInLiveTab, shotLiveStage, startStudio, untilLive, type StudioTestServer } from './helpers/studio.js';

setLogLevel(process.env.NOGGIN_LOG_LEVEL ?? 'silent');

const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts', 'studio');
const skip = !findFirefox()
  ? 'Firefox is not installed (apt-get install firefox-esr, or set NOGGIN_FIREFOX)'
  : !process.env.DISPLAY && !findXvfb()
    ? 'headless Firefox has WebGL only with an X display: no DISPLAY and no Xvfb (apt-get install xvfb)'
    : false;

let dir = '';
let clip = '';
let server: StudioTestServer | null = null;
let firefox: FirefoxHandle | null = null;
let page: Page | null = null;

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'noggin-studio-firefox-'));
  await mkdir(ARTIFACTS, { recursive: true });
  clip = join(dir, 'presenter-cut.mp4');
  // 4 s at 640x360 of the sample clip (the project's own material): small and quick to decode.
  ffmpeg(['-i', SAMPLE_CLIP, '-t', '4', '-vf', 'scale=640:360', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', clip]);
  server = await startStudio(dir);
  firefox = await launchFirefox({ prefs: FIREFOX_FAKE_CAMERA_PREFS });
  page = (await openPage(firefox, `${server.url}/?head=fox#live`)).page;
});

after(async () => {
  await firefox?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('Firefox: the live tab starts on the fake camera with WebGL2 and the landmarker, and processes frames', { skip, timeout: 60_000 }, async () => {
  const gl = await page!.evaluate(() => {
    const c = document.createElement('canvas').getContext('webgl2');
    return c ? String(c.getParameter(c.VERSION)) : null;
  });
  assert.match(gl ?? 'none', /^WebGL 2\.0/, `WebGL2 in Firefox on display ${firefox!.display}`);
  const s = await untilLive(page!, 'frames from the fake camera with the fox loaded', (x) => x.state === 'running' && x.frames >= 10 && x.head === 'fox' && !x.headLoading);
  assert.equal(s.delegate, 'CPU', 'the landmarker on the CPU delegate (software WebGL)');
  assert.ok(s.width > 0 && s.height > 0, `camera ${s.width}x${s.height}`);
  assert.match(await page!.$eval('#live-status', (e) => e.textContent ?? ''), /fps · .* ms per frame · latency \d+ ms/);
});

test('Firefox: with the sample clip as the camera, the fox covers the face and a recording decodes', { skip, timeout: 60_000 }, async () => {
  await playInLiveTab(page!, clip);
  await untilLive(page!, 'faces from the clip', (x) => x.state === 'running' && x.width === 640 && x.height === 360 && x.faceFrames >= 8);
  const fox = await liveProbe(page!);
  await shotLiveStage(page!, join(ARTIFACTS, 'firefox-live-fox.png') as `${string}.png`);
  assert.equal(fox.head, 'fox');
  assert.ok(fox.ovalPixels > 3000, `face oval of ${fox.ovalPixels} px`);
  assert.ok(fox.coverage >= 0.99, `in Firefox the fox covers ${(fox.coverage * 100).toFixed(2)}% of the face oval`);
  assert.match(await page!.$eval('#live-status', (e) => e.textContent ?? ''), /from presenter-cut\.mp4/);

  await page!.click('#live-record');
  await untilLive(page!, 'recording', (x) => x.recording, 10_000);
  // Three seconds, of which the check below wants more than one in the file: on a loaded
  // machine Firefox's software WebGL can deliver frames for only part of the time.
  await new Promise((r) => setTimeout(r, 3000));
  await page!.click('#live-record');
  const rec = await page!.waitForFunction(() => window.noggin_studio_live_lastRecording!(), { timeout: 20_000, polling: 250 }).then((h) => h.jsonValue());
  assert.ok(rec, 'a recording');
  const file = join(ARTIFACTS, `firefox-live-recording.${rec.fileName.split('.').pop()}`);
  await writeFile(file, Buffer.from(rec.base64, 'base64'));
  const { status, errors, pts } = inspectRecording(file);
  assert.equal(status, 0, `the ${rec.mimeType} recording decodes: ${errors}`);
  assert.ok(pts.length >= 5, `${pts.length} video frames recorded`);
  const lengthS = pts[pts.length - 1] - pts[0];
  assert.ok(lengthS > 1 && lengthS < rec.durationMs / 1000 + 0.5, `the video lasts ${lengthS.toFixed(2)} s for ${(rec.durationMs / 1000).toFixed(2)} s of recording`);
  assert.equal((await liveStats(page!)).state, 'running');
});

test('Firefox: switching to the robot keeps the face covered; publishing sends the tracking to the bridge', { skip, timeout: 60_000 }, async () => {
  await page!.select('#live-head', 'robot');
  await untilLive(page!, 'the robot', (x) => x.head === 'robot' && !x.headLoading);
  const robot = await liveProbe(page!);
  assert.ok(robot.coverage >= 0.99, `in Firefox the robot covers ${(robot.coverage * 100).toFixed(2)}% of the face oval`);

  await page!.$eval('#live-session', (e) => ((e as HTMLInputElement).value = 'firefox'));
  await page!.click('#live-publish');
  const session = async () => (await fetch(`${server!.url}/api/sessions/firefox`)).json() as Promise<{ live?: boolean; frames?: number; source?: { width: number } | null }>;
  let info = await session();
  for (let i = 0; i < 80 && !((info.frames ?? 0) >= 3); i++) {
    await new Promise((r) => setTimeout(r, 250));
    info = await session();
  }
  assert.ok((info.frames ?? 0) >= 3 && info.live && info.source?.width === 640, `session: ${JSON.stringify(info)}`);
  await page!.click('#live-publish');
});
