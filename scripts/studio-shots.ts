/**
 * `npm run docs:studio`: the README's screenshots of the studio page, made from the bundled
 * sample clip (assets/samples/presenter.mp4) in headless Chromium:
 *   docs/studio/live.png   the Live tab, its camera a fake device playing the clip, the fox
 *                          on the presenter's face, the status line with fps and latency
 *   docs/studio/video.png  the Video tab after opening the clip and exporting it with the
 *                          fox: source and result side by side, the downloads offered
 * Uses the studio tests' helpers (test/helpers/studio.ts). Run after a build:
 *   node dist/scripts/studio-shots.js [--out DIR] [--only live|video]
 */
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'puppeteer-core';
import { NogginError } from '../core/errors.js';
import { log, setLogLevel } from '../core/log.js';
import { SAMPLE_CLIP } from '../cli/commands/run.js';
import { launchChromium, openPage } from '../system/chromium.js';
import { exitOnFailure, installSignalHandlers } from '../system/cleanup.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { ffmpeg } from '../test/helpers/cli.js';
import { launchWithFakeCamera, liveProbe, makeFakeCamera, openInVideoTab, scrubVideoTab, startStudio, untilExported, untilLive, type StudioTestServer } from '../test/helpers/studio.js';

/** Page width of both shots (px). */
const WIDTH = 1280;
/** The fake camera: the clip at its own size, looped by Chromium; the page asks for the same size. */
const CAMERA = { width: 1280, height: 720, fps: 15, seconds: 8 };
/** Face frames to wait for: the pose alignment calibrates on the first 30 faces (every other frame), then a few seconds more. */
const LIVE_FACE_FRAMES = 80;
/** The sample clip's frame count (the Video tab shows it once the clip is open). */
const SAMPLE_FRAMES = 250;
/** Where in the clip the Video shot shows source and result (s). */
const VIDEO_AT_S = 2.4;
/** Largest PNG kept as is; above it the shot is quantised (bytes). */
const MAX_PNG_BYTES = 600 * 1024;

function say(msg: string): void {
  process.stderr.write(`docs:studio: ${msg}\n`);
}

/** The page's height up to the bottom of `sel` (px), for a shot without empty space below. */
async function bottomOf(p: Page, sel: string): Promise<number> {
  return p.$eval(sel, (e) => Math.ceil(e.getBoundingClientRect().bottom + window.scrollY + 12));
}

/** Screenshots the page's top `height` px into `out` (written whole, then renamed), shrinking it when large. */
async function savePng(p: Page, height: number, out: string, work: string): Promise<number> {
  const raw = join(work, 'shot.png');
  await p.screenshot({ path: raw as `${string}.png`, clip: { x: 0, y: 0, width: WIDTH, height } });
  const tmp = `${out}.tmp.png`;
  if ((await stat(raw)).size <= MAX_PNG_BYTES) {
    ffmpeg(['-i', raw, '-compression_level', '9', tmp]);
  } else {
    // A 256-colour palette per shot: the UI is flat and the video frames dither well.
    ffmpeg(['-i', raw, '-vf', 'split[a][b];[a]palettegen=max_colors=256:stats_mode=full[p];[b][p]paletteuse=dither=sierra2_4a', '-compression_level', '9', tmp]);
  }
  await rename(tmp, out);
  return (await stat(out)).size;
}

async function liveShot(server: StudioTestServer, work: string, out: string): Promise<void> {
  const y4m = join(work, 'camera.y4m');
  makeFakeCamera(SAMPLE_CLIP, y4m, CAMERA);
  const chromium = await launchWithFakeCamera(y4m);
  try {
    const { page } = await openPage(chromium, `${server.url}/?head=fox#live`);
    await page.setViewport({ width: WIDTH, height: 900 });
    await untilLive(page, 'the camera', (s) => s.state === 'running');
    await page.select('#live-resolution', `${CAMERA.width}x${CAMERA.height}`);
    say(`live: waiting for ${LIVE_FACE_FRAMES} frames with a face`);
    await untilLive(
      page,
      'the fox on a tracked face',
      (s) => s.state === 'running' && s.width === CAMERA.width && s.head === 'fox' && !s.headLoading && s.faceFrames >= LIVE_FACE_FRAMES,
      240_000,
    );
    // The shot is taken right after a frame whose face the mascot covers (read from the canvas).
    for (let attempt = 1; ; attempt++) {
      const probe = await liveProbe(page);
      if (probe.coverage >= 0.99) {
        const bytes = await savePng(page, await bottomOf(page, '#live-status'), out, work);
        say(`live: wrote ${relative(PROJECT_ROOT, out)} (${(bytes / 1024).toFixed(0)} KiB; the fox covers ${(probe.coverage * 100).toFixed(1)}% of the face oval; ${await page.$eval('#live-status', (e) => e.textContent)})`);
        return;
      }
      if (attempt === 5) throw new NogginError('docs:studio', `the mascot covers only ${(probe.coverage * 100).toFixed(1)}% of the face in the Live tab`, 'check the Live tab with `node --test dist/test/studio-live.test.js`');
    }
  } finally {
    await chromium.close();
  }
}

async function videoShot(server: StudioTestServer, work: string, out: string): Promise<void> {
  const chromium = await launchChromium();
  try {
    const { page } = await openPage(chromium, `${server.url}/#video`);
    await page.setViewport({ width: WIDTH, height: 900 });
    await page.waitForFunction(() => (document.querySelector('[data-nv=head]') as HTMLSelectElement | null)?.options.length, { timeout: 20_000 });
    await openInVideoTab(page, SAMPLE_CLIP, SAMPLE_FRAMES);
    await page.select('[data-nv=head]', 'fox');
    await page.click('[data-nv=export]');
    const t0 = Date.now();
    say('video: exporting the sample clip with the fox (a few minutes without a GPU)');
    await untilExported(page, 20 * 60_000);
    say(`video: exported in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    await scrubVideoTab(page, VIDEO_AT_S);
    const bytes = await savePng(page, await bottomOf(page, '[data-nv=downloads]'), out, work);
    say(`video: wrote ${relative(PROJECT_ROOT, out)} (${(bytes / 1024).toFixed(0)} KiB)`);
  } finally {
    await chromium.close();
  }
}

async function main(): Promise<void> {
  installSignalHandlers((signal) => `docs:studio: interrupted by ${signal}. Fix: re-run the command.`);
  setLogLevel(process.env.NOGGIN_LOG_LEVEL ?? 'warn');
  let values: { out?: string; only?: string };
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string' } } }));
  } catch (e) {
    throw new NogginError('docs:studio', (e as Error).message.replace(/\.$/, ''), 'use --out DIR and --only live|video', 2);
  }
  if (values.only && !['live', 'video'].includes(values.only)) throw new NogginError('docs:studio', `--only ${values.only} is not live or video`, 'use --only live or --only video', 2);
  const outDir = resolve(values.out ?? join(PROJECT_ROOT, 'docs', 'studio'));
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'noggin-studio-shots-'));
  const server = await startStudio(work);
  try {
    if (values.only !== 'video') await liveShot(server, work, join(outDir, 'live.png'));
    if (values.only !== 'live') await videoShot(server, work, join(outDir, 'video.png'));
  } finally {
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((e) => exitOnFailure(e, 'docs:studio'));
