/**
 * bench/live: the studio page's Live tab in headless Chromium with a fake camera (a
 * 640x480, 30 fps y4m made from a ../shared clip): frames per second and per-frame cost
 * of the whole live path (landmarker + smoothing + alignment + mascot render + GPU
 * compositing) against the landmarker alone in the same page and run, and the latency from
 * the camera frame's capture to the composited canvas. For the per-frame cost each frame
 * waits for the GPU at its end (a 1-pixel readback), so its time includes the GPU's work,
 * and the modes alternate (landmarker, full, full without the mascot, twice) so a change of
 * machine load hits all; then both free-running (frames/s and latency as a user sees
 * them), and one profiled run that waits for the GPU after each compositing stage.
 *
 * With `--browser firefox` the same page runs in headless Firefox (system/firefox.ts: Mesa's
 * llvmpipe on an Xvfb display). Its fake camera shows no face, so the same cut of the clip,
 * as a 30 fps H.264 MP4, is played through the tab's "Video file..." input in the camera's
 * place; a file frame has no capture time, so latency there counts from the frame callback.
 *
 * Usage: node dist/bench/live.js [--browser chromium|firefox] [--clip presenter-1]
 *   [--head fox] [--seconds 8] [--size 640x480] [--delegate auto|CPU|GPU] [--json]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StudioLiveMode, StudioLiveStats } from '../core/page-contract.js';
import { NogginError } from '../core/errors.js';
import { setLogLevel } from '../core/log.js';
import { openPage, type ChromiumHandle } from '../system/chromium.js';
import { runToCompletion } from '../system/child-process.js';
import { FIREFOX_FAKE_CAMERA_PREFS, launchFirefox } from '../system/firefox.js';
import { findFfmpeg } from '../system/tools.js';
import { SHARED, sharedVideo } from '../test/helpers/cli.js';
import { launchWithFakeCamera, liveStats, playInLiveTab, startStudio, untilLive } from '../test/helpers/studio.js';

const { values: args } = parseArgs({
  options: {
    browser: { type: 'string', default: 'chromium' },
    clip: { type: 'string', default: 'presenter-1' },
    head: { type: 'string', default: 'fox' },
    seconds: { type: 'string', default: '8' },
    size: { type: 'string', default: '640x480' },
    delegate: { type: 'string', default: 'auto' },
    json: { type: 'boolean', default: false },
  },
});

setLogLevel(process.env.NOGGIN_LOG_LEVEL ?? 'warn');
if (!SHARED) {
  process.stdout.write('bench/live: skipped (no ../shared/videos)\n');
  process.exit(0);
}
if (args.browser !== 'chromium' && args.browser !== 'firefox') {
  const e = new NogginError('bench/live', `unknown browser "${args.browser}"`, 'use --browser chromium or --browser firefox', 2);
  process.stderr.write(e.oneLine() + '\n');
  process.exit(e.exitCode);
}
const firefox = args.browser === 'firefox';
const [W, H] = args.size.split('x').map(Number);
const seconds = Number(args.seconds);
const dir = await mkdtemp(join(tmpdir(), 'noggin-bench-live-'));
// The same 4 s, 30 fps cut either way: a y4m for Chromium's fake camera, an MP4 for Firefox's video-file input.
const cam = join(dir, firefox ? 'camera.mp4' : 'camera.y4m');
const codec = firefox ? ['-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20'] : [];
const enc = await runToCompletion('ffmpeg', findFfmpeg(), ['-v', 'error', '-y', '-i', sharedVideo(`${args.clip}.mp4`), '-t', '4',
  '-vf', `scale=${W}:${W}*ih/iw,crop=${W}:${H}:0:0,fps=30`, '-pix_fmt', 'yuv420p', ...codec, cam], 60_000);
if (enc.exit.state !== 'exited') throw new Error(`ffmpeg failed: ${enc.exit.stderrTail}`);

const server = await startStudio(dir, { maxUploadMb: 16 });
// Firefox reports a generic renderer ("llvmpipe, or similar") unless told not to.
const firefoxPrefs = { ...FIREFOX_FAKE_CAMERA_PREFS, 'webgl.sanitize-unmasked-renderer': false };
const browser: ChromiumHandle = firefox ? await launchFirefox({ prefs: firefoxPrefs }) : await launchWithFakeCamera(cam);
try {
  const { page } = await openPage(browser, `${server.url}/?head=${encodeURIComponent(args.head)}&delegate=${args.delegate}#live`);
  const stats = () => liveStats(page);
  if (firefox) {
    // Firefox's own fake camera first (no face), then the clip in its place.
    await untilLive(page, "the live tab on Firefox's fake camera", (s) => s.state === 'running', 120_000);
    await playInLiveTab(page, cam);
    await untilLive(page, 'faces from the video file with the mascot loaded', (s) => s.state === 'running' && s.width === W && s.height === H && s.head === args.head && !s.headLoading && s.faceFrames >= 10, 120_000);
  } else {
    await untilLive(page, 'faces from the fake camera with the mascot', (s) => s.state === 'running' && s.head === args.head && s.faceFrames >= 10, 120_000);
  }
  await new Promise((r) => setTimeout(r, 2000));
  /** Runs `mode` for `secs` after a settling second; returns the page's figures. */
  const measure = async (mode: StudioLiveMode, sync: boolean, profile: boolean, secs: number) => {
    await page.evaluate((m, y, p) => window.noggin_studio_live_setMode!(m, y, p), mode, sync, profile);
    await new Promise((r) => setTimeout(r, 1000));
    await page.evaluate(() => window.noggin_studio_live_resetStats!());
    await new Promise((r) => setTimeout(r, secs * 1000));
    return stats();
  };
  /** Frame-weighted mean over runs. */
  const weighted = (xs: StudioLiveStats[], get: (x: StudioLiveStats) => number) =>
    xs.reduce((s, x) => s + get(x) * x.frames, 0) / Math.max(1, xs.reduce((s, x) => s + x.frames, 0));
  const mean = (xs: StudioLiveStats[], k: keyof StudioLiveStats) => weighted(xs, (x) => x[k] as number);
  const summary = (xs: StudioLiveStats[]) => ({
    frames: xs.reduce((s, x) => s + x.frames, 0),
    faceFrames: xs.reduce((s, x) => s + x.faceFrames, 0),
    fps: xs.reduce((s, x) => s + x.fps, 0) / xs.length,
    frameMs: mean(xs, 'frameMs'),
    detectMs: mean(xs, 'detectMs'),
    renderMs: mean(xs, 'renderMs'),
    compositeMs: mean(xs, 'compositeMs'),
    latencyMs: mean(xs, 'latencyMs'),
    latencyP95Ms: Math.max(...xs.map((x) => x.latencyP95Ms)),
    stagesMs: Object.fromEntries(Object.keys(xs[0].stagesMs).map((k) => [k, weighted(xs, (x) => x.stagesMs[k] ?? 0)])),
  });
  // Per-frame cost: each frame waits for the GPU at its end; modes alternate twice.
  const synced: Record<StudioLiveMode, StudioLiveStats[]> = { landmarker: [], full: [], 'no-mascot': [] };
  for (const mode of ['landmarker', 'full', 'no-mascot', 'landmarker', 'full', 'no-mascot'] as const) synced[mode].push(await measure(mode, true, false, seconds / 2));
  // As a user sees it: free-running (the GPU works while the page goes on).
  const free: Record<'landmarker' | 'full', StudioLiveStats[]> = { landmarker: [], full: [] };
  for (const mode of ['landmarker', 'full'] as const) free[mode].push(await measure(mode, false, false, seconds / 2));
  // Where compositing time goes: every stage waited for (slower overall; for the breakdown only).
  const profiled = summary([await measure('full', true, true, seconds / 2)]);
  const lm = summary(synced.landmarker);
  const full = summary(synced.full);
  const noMascot = summary(synced['no-mascot']);
  const freeLm = summary(free.landmarker);
  const freeFull = summary(free.full);
  const last = synced.full[synced.full.length - 1];
  const result = {
    bench: 'live',
    browser: args.browser,
    browserVersion: await browser.browser.version(),
    clip: args.clip,
    size: `${last.width}x${last.height}`,
    head: args.head,
    delegate: last.delegate,
    renderer: last.renderer,
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, loadavg: loadavg().map((x) => Math.round(x * 10) / 10) },
    landmarker: lm,
    full,
    noMascot,
    free: { landmarker: freeLm, full: freeFull },
    stagesMs: profiled.stagesMs,
    ratio: full.frameMs / lm.frameMs,
    addedPercent: ((full.frameMs - lm.frameMs) / lm.frameMs) * 100,
  };
  if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    const f = (x: number) => x.toFixed(1);
    const stages = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${f(v)}`).join(', ');
    const header = firefox
      ? `live page in Firefox (${result.browserVersion}), ${result.size} video file at 30 fps (H.264 MP4) as the camera, ${args.head}, landmarker on ${result.delegate}, ${last.renderer}\n` +
        `  (latency from the frame callback: a file frame has no capture time)\n`
      : `live page, ${result.size} fake camera at 30 fps, ${args.head}, landmarker on ${result.delegate}, ${last.renderer}\n`;
    process.stdout.write(
      header +
        `  per-frame cost (GPU waited for at the end of each frame):\n` +
        `    landmarker alone:   ${f(lm.frameMs)} ms per frame (detect ${f(lm.detectMs)}), ${f(lm.fps)} fps\n` +
        `    full live path:     ${f(full.frameMs)} ms per frame (detect ${f(full.detectMs)}, mascot ${f(full.renderMs)}, composite ${f(full.compositeMs)}), ${f(full.fps)} fps\n` +
        `    without the mascot: ${f(noMascot.frameMs)} ms per frame (detect ${f(noMascot.detectMs)}, composite ${f(noMascot.compositeMs)}), ${f(noMascot.fps)} fps\n` +
        `    ratio full / landmarker: ${result.ratio.toFixed(2)} (mascot + compositing add ${f(result.addedPercent)}%; goal <= 30%)\n` +
        `  free-running, as a user sees it: landmarker alone ${f(freeLm.fps)} fps, latency ${f(freeLm.latencyMs)} ms (p95 ${f(freeLm.latencyP95Ms)}); ` +
        `full ${f(freeFull.fps)} fps, ${f(freeFull.frameMs)} ms per frame, latency ${f(freeFull.latencyMs)} ms (p95 ${f(freeFull.latencyP95Ms)})\n` +
        `  compositing stages, each waited for (ms per frame): ${stages(profiled.stagesMs)}\n` +
        `  machine: ${result.machine.cores} cores, load ${result.machine.loadavg.join(' ')}\n`,
    );
  }
} finally {
  await browser.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
