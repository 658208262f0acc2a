/**
 * Driving the studio page from Node, shared by the studio tests and `npm run docs:studio`:
 * the server with both tabs' routes, a fake camera (a y4m played by Chromium as its
 * camera), a video file played as the camera, the Live tab's figures and coverage probe, and
 * the Video tab's open-and-export steps.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import type { StudioLiveProbe, StudioLiveStats } from '../../core/page-contract.js';
import { startStudioServer } from '../../cli/commands/serve.js';
import { launchChromium, type ChromiumHandle } from '../../system/chromium.js';
import type { BridgeHandle } from '../../bridge/index.js';
import type { StudioVideoHandle } from '../../studio/server/index.js';
import { ffmpeg } from './cli.js';

/** A studio server on a free loopback port, its jobs and recordings under one folder. */
export interface StudioTestServer {
  readonly bridge: BridgeHandle;
  readonly studio: StudioVideoHandle;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Stops the job queue, then the bridge. */
  close(): Promise<void>;
}

/** Starts what `noggin serve` starts (no process cleanup: `close()` it). `maxUploadMb` defaults to 64. */
export async function startStudio(dir: string, opts: { maxUploadMb?: number } = {}): Promise<StudioTestServer> {
  const { bridge, studio } = await startStudioServer({
    host: '127.0.0.1',
    port: 0,
    installCleanup: false,
    jobsDir: join(dir, 'jobs'),
    recordDir: join(dir, 'rec'),
    maxUploadMb: opts.maxUploadMb ?? 64,
  });
  return {
    bridge,
    studio,
    url: bridge.url,
    close: async () => {
      await studio.close();
      await bridge.close();
    },
  };
}

/** How a fake camera shows a clip. */
export interface FakeCameraOptions {
  /** Where in the clip it starts, s (default 0). */
  readonly startS?: number;
  /** Length, s (Chromium plays the file in a loop). */
  readonly seconds: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/** Writes a y4m (what Chromium's fake camera plays) of part of `clip`. */
export function makeFakeCamera(clip: string, y4m: string, o: FakeCameraOptions): void {
  ffmpeg(['-ss', String(o.startS ?? 0), '-i', clip, '-t', String(o.seconds), '-vf', `scale=${o.width}:${o.height},fps=${o.fps}`, '-pix_fmt', 'yuv420p', y4m]);
}

/** Chromium flags that make `y4m` the camera, allowed without asking. */
export function fakeCameraFlags(y4m: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`];
}

/** Headless Chromium whose camera plays `y4m`. */
export function launchWithFakeCamera(y4m: string): Promise<ChromiumHandle> {
  return launchChromium({ extraArgs: fakeCameraFlags(y4m) });
}

/** The Live tab's figures. */
export function liveStats(p: Page): Promise<StudioLiveStats> {
  return p.evaluate(() => window.noggin_studio_live_stats!());
}

/** Polls the Live tab until `cond` holds (generous: for progress, never for timing); throws on its error state. */
export async function untilLive(p: Page, what: string, cond: (s: StudioLiveStats) => boolean, timeoutMs = 60_000): Promise<StudioLiveStats> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await liveStats(p);
    if (s.state === 'error') throw new Error(`the live tab failed: ${s.message}`);
    if (cond(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last stats ${JSON.stringify(s)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Plays `file` in the Live tab in the camera's place (its "Video file..." input); the tab restarts on it (watch with `untilLive`). */
export async function playInLiveTab(p: Page, file: string): Promise<void> {
  const input = (await p.$('#live-video')) as ElementHandle<HTMLInputElement> | null;
  if (!input) throw new Error('the Live tab has no video-file input (is the page on #live?)');
  await input.uploadFile(file);
}

/** The next composited frame with a face, compared with its camera frame. */
export function liveProbe(p: Page, timeoutMs = 20_000): Promise<StudioLiveProbe> {
  return p.evaluate((ms) => window.noggin_studio_live_probe!(ms), timeoutMs);
}

/** Screenshot of the Live tab's picture only. */
export async function shotLiveStage(p: Page, path: `${string}.png`): Promise<void> {
  const stage = await p.$('.stage');
  await (stage ?? p).screenshot({ path });
}

/** A recording decoded by ffmpeg: its exit status, its error output ('' when clean) and its video packets' times (s, sorted). */
export function inspectRecording(file: string): { status: number | null; errors: string; pts: number[] } {
  const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-enc_time_base:v', '-1', '-f', 'null', '-'], { encoding: 'utf8' });
  const pts = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' })
    .stdout.split('\n').map(Number).filter((x) => Number.isFinite(x) && x >= 0);
  return { status: decode.status, errors: decode.stderr.trim(), pts: pts.sort((a, b) => a - b) };
}

/** Text of the first element matching `sel` ('' when none). */
export function textOf(p: Page, sel: string): Promise<string> {
  return p.$eval(sel, (el) => el.textContent ?? '').catch(() => '');
}

/** Opens `file` in the Video tab (uploaded through its file input) and waits until it shows `frames` frames. */
export async function openInVideoTab(p: Page, file: string, frames: number, timeoutMs = 60_000): Promise<void> {
  const input = (await p.$('input[data-nv=file]')) as ElementHandle<HTMLInputElement> | null;
  if (!input) throw new Error('the Video tab has no file input (is the page on #video?)');
  await input.uploadFile(file);
  await p
    .waitForFunction((n) => new RegExp(`\\b${n} frames`).test(document.querySelector('[data-nv=source-info]')?.textContent ?? ''), { timeout: timeoutMs, polling: 200 }, frames)
    .catch(async (e) => {
      throw new Error(`the video did not open: ${await textOf(p, '[data-nv=source-info]')} / ${await textOf(p, '[data-nv=error]')} (${(e as Error).message})`);
    });
}

/** Waits until the Video tab's export is done (its result download is offered); throws with the page's status otherwise. */
export async function untilExported(p: Page, timeoutMs: number): Promise<void> {
  await p.waitForFunction(() => document.querySelector('[data-nv=downloads] a[data-file=result]'), { timeout: timeoutMs, polling: 200 }).catch(async (e) => {
    throw new Error(`the export did not finish: ${await textOf(p, '[data-nv=job-status]')} / ${await textOf(p, '[data-nv=error]')} (${(e as Error).message})`);
  });
}

/** Waits until the Video tab's source and result show the same time (neither seeking, the result decoded); resolves with it (s). */
export async function untilVideoTabSynced(p: Page, timeoutMs = 20_000): Promise<number> {
  const h = await p.waitForFunction(
    () => {
      const [a, b] = ['source', 'result'].map((k) => document.querySelector(`[data-nv=${k}]`) as HTMLVideoElement);
      return !a.seeking && !b.seeking && b.readyState >= 2 && Math.abs(a.currentTime - b.currentTime) < 0.05 ? { t: a.currentTime } : null;
    },
    { timeout: timeoutMs },
  );
  return ((await h.jsonValue()) as { t: number }).t;
}

/** Drags the Video tab's scrub bar to `t` s (once the result is decoded) and waits until both videos show that time; resolves with it. */
export async function scrubVideoTab(p: Page, t: number): Promise<number> {
  await p.waitForFunction(() => (document.querySelector('[data-nv=result]') as HTMLVideoElement).readyState >= 2, { timeout: 20_000 });
  await p.$eval(
    '[data-nv=scrub]',
    (el, v) => {
      const s = el as HTMLInputElement;
      s.value = String(v);
      s.dispatchEvent(new Event('input'));
      s.dispatchEvent(new Event('change'));
    },
    t,
  );
  return untilVideoTabSynced(p);
}
