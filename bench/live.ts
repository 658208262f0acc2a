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
 * Usage: node dist/bench/live.js [--clip presenter-1] [--head fox] [--seconds 8]
 *   [--size 640x480] [--delegate auto|CPU|GPU] [--json]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StudioLiveMode, StudioLiveStats } from '../core/page-contract.js';
import { setLogLevel } from '../core/log.js';
import { startServer } from '../cli/commands/serve.js';
import { launchChromium, openPage } from '../system/chromium.js';
import { runToCompletion } from '../system/child-process.js';
import { findFfmpeg } from '../system/tools.js';
import { SHARED, sharedVideo } from '../test/helpers/cli.js';

const { values: args } = parseArgs({
  options: {
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
const [W, H] = args.size.split('x').map(Number);
const seconds = Number(args.seconds);
const dir = await mkdtemp(join(tmpdir(), 'noggin-bench-live-'));
const cam = join(dir, 'camera.y4m');
const enc = await runToCompletion('ffmpeg', findFfmpeg(), ['-v', 'error', '-y', '-i', sharedVideo(`${args.clip}.mp4`), '-t', '4',
  '-vf', `scale=${W}:${W}*ih/iw,crop=${W}:${H}:0:0,fps=30`, '-pix_fmt', 'yuv420p', cam], 60_000);
if (enc.exit.state !== 'exited') throw new Error(`ffmpeg failed: ${enc.exit.stderrTail}`);

const server = await startServer({ host: '127.0.0.1', port: 0, installCleanup: false, jobsDir: join(dir, 'jobs'), maxUploadMb: 16, recordDir: join(dir, 'rec') });
const chromium = await launchChromium({ extraArgs: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${cam}`] });
try {
  const { page } = await openPage(chromium, `${server.url}/?head=${encodeURIComponent(args.head)}&delegate=${args.delegate}#live`);
  const stats = () => page.evaluate(() => window.noggin_studio_live_stats!());
  const started = Date.now();
  for (;;) {
    const s = await stats();
    if (s.state === 'error') throw new Error(`the live tab failed: ${s.message}`);
    if (s.state === 'running' && s.head === args.head && s.faceFrames >= 10) break;
    if (Date.now() - started > 120_000) throw new Error(`the live tab did not start: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 250));
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
    process.stdout.write(
      `live page, ${result.size} fake camera at 30 fps, ${args.head}, landmarker on ${result.delegate}, ${last.renderer}\n` +
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
  await chromium.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
