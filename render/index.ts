/**
 * The render stage's entry: a face track and a head become a full-frame alpha layer (a
 * QuickTime .mov with ProRes 4444 or PNG, and/or a PNG sequence), one output frame per
 * track frame, same size and rate as the source. Outputs are written to temporary names
 * and renamed when complete; on failure nothing is left that looks complete.
 */
import { open, mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NogginError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { Antialias, RenderPageInfo, RenderPageStats } from '../core/page-contract.js';
import { openTrack, tempPathFor } from '../core/track-file.js';
import type { TrackFrame, TrackHeader } from '../core/track.js';
import { launchChromium, type ChromiumHandle } from '../system/chromium.js';
import { onCleanup } from '../system/cleanup.js';
import { startLayerEncoder, type LayerCodec, type LayerEncoder } from '../system/ffmpeg-encode.js';
import { startPageHost } from '../system/page-host.js';
import { DEFAULT_HEAD_LIMITS, type HeadLimits } from './head-check.js';
import { headHostFiles, resolveHead } from './head-source.js';
import { LayerFrames } from './layer.js';
import { retimeMov } from './mov-timing.js';
import { lightingForTrack, type LightingMode } from './footage-lighting.js';
import { calibrateFace, NO_CALIBRATION, type FaceCalibration, type FitCamera, type FitFace } from './pose-fit.js';
import { RendererClient, type AlignMode } from './renderer-client.js';

export { RendererClient, toStraightCrop, type AlignMode, type HeadCrop, type RenderedFrame, type RendererOptions } from './renderer-client.js';
export { calibrateFace, refinePose, NO_CALIBRATION, type FaceCalibration } from './pose-fit.js';
export { resolveHead, headHostFiles, listShippedHeads, type HeadSource } from './head-source.js';
export { checkHeadFile, DEFAULT_HEAD_LIMITS, type HeadLimits, type HeadFileInfo } from './head-check.js';
export { LayerFrames, pasteCrop } from './layer.js';
export { estimateLighting, STUDIO_LIGHTING } from './lighting.js';
export { lightingFromFaces, lightingForTrack, LIGHTING_MODES, LIGHTING_SAMPLES, type LightingMode } from './footage-lighting.js';


/** Options of `renderTrack`. */
export interface RenderTrackOptions {
  /** Track file (*.track.ndjson); ignored when `stream` is given. */
  readonly track: string;
  /**
   * Frames from a stream instead of the file (e.g. a bridge session followed while it is
   * captured): calibration then uses the first faces of the stream, and `output` is required.
   */
  readonly stream?: { readonly header: TrackHeader; readonly frames: AsyncIterable<TrackFrame> };
  /** Head: shipped name or model/profile path. */
  readonly head: string;
  /** .mov output (default: track path with .layer.mov). */
  readonly output?: string;
  /** Write the .mov (default true; false needs pngDir). */
  readonly mov?: boolean;
  /** PNG sequence folder (must not exist, or be empty). */
  readonly pngDir?: string;
  /** Layer codec (default prores). */
  readonly codec?: LayerCodec;
  /** Profile JSON overriding the head's own. */
  readonly profile?: string;
  /** Anti-aliasing of the head's edges (default 'edges'; booleans as in RendererOptions). */
  readonly antialias?: Antialias | boolean;
  /** Lights matched to the track's source video when it is there (default), or studio lighting. */
  readonly lighting?: LightingMode;
  /** Lining up (default refit). */
  readonly align?: AlignMode;
  /** Materials (default fast). */
  readonly materials?: 'fast' | 'pbr';
  /** Head file limits. */
  readonly limits?: HeadLimits;
  /** Reuse a launched browser (it is not closed). */
  readonly chromium?: ChromiumHandle;
  /** Called after each frame is written. */
  readonly onProgress?: (p: RenderProgress) => void;
}

/** Progress of a render. */
export interface RenderProgress {
  readonly frames: number;
  readonly total: number;
  /** Frames with the head drawn. */
  readonly drawn: number;
  /** Frames per second since the head was loaded. */
  readonly fps: number;
}

/** What a finished render reports. */
export interface RenderSummary {
  readonly output: string | null;
  readonly pngDir: string | null;
  readonly frames: number;
  readonly drawn: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Frames per second of the render loop (after the head was loaded). */
  readonly renderFps: number;
  readonly elapsedMs: number;
  readonly page: RenderPageInfo;
  readonly stats: RenderPageStats;
  readonly calibration: FaceCalibration;
}

/** Default layer path for a track: `x.track.ndjson` -> `x.layer.mov`. */
export function defaultLayerPath(track: string): string {
  const base = /\.track\.ndjson$/i.test(track) ? track.slice(0, -'.track.ndjson'.length) : track.replace(/\.[^./\\]+$/, '');
  return base + '.layer.mov';
}

/** Throws the capture's one-line error when a track file has no trailer (checked before rendering). */
export async function assertTrackComplete(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    throw new NogginError('track', `${path} does not exist`, 'check the path, or make a track with `noggin capture VIDEO -o TRACK`');
  }
  try {
    const { size } = await fh.stat();
    const n = Math.min(size, 65536);
    const buf = Buffer.alloc(n);
    await fh.read(buf, 0, n, size - n);
    const lines = buf.toString('utf8').split('\n').filter((l) => l.trim());
    const last = lines[lines.length - 1] ?? '';
    let ok = false;
    try {
      const j = JSON.parse(last) as { end?: unknown };
      ok = j.end === true;
    } catch {
      ok = false;
    }
    if (!ok) throw new NogginError('track', `${path} is incomplete (it has no trailer line; its capture was interrupted)`, 'capture the video again with `noggin capture VIDEO -o TRACK`');
  } finally {
    await fh.close();
  }
}

/**
 * The per-presenter calibration of a track (render/pose-fit.ts), from up to `samples` face
 * frames spread over it. One extra pass over the file.
 */
export async function calibrateTrack(path: string, samples = 40): Promise<FaceCalibration> {
  const t = await openTrack(path, { allowIncomplete: true });
  const cam: FitCamera = { verticalFovDeg: t.header.camera.verticalFovDeg, frameWidth: t.header.source.width, frameHeight: t.header.source.height };
  const step = Math.max(1, Math.floor(t.header.source.frameCount / samples));
  const faces: FitFace[] = [];
  for await (const f of t.frames) {
    if (f.face && !f.interpolated && f.frame % step === 0) faces.push(f.face);
  }
  return faces.length ? calibrateFace(faces, cam) : NO_CALIBRATION;
}

/** Faces a streamed track is calibrated on (the first ones; a file uses faces spread over the clip). */
export const STREAM_CALIBRATION_FACES = 30;

/**
 * Calibrates the head to the presenter from the first `faces` detected (not interpolated)
 * faces of a stream, for tracks that are still being captured. Returns the calibration and
 * the stream again from its first frame (the frames read are replayed).
 */
export async function calibrateFromStream(
  frames: AsyncIterable<TrackFrame>,
  cam: FitCamera,
  faces = STREAM_CALIBRATION_FACES,
): Promise<{ calibration: FaceCalibration; frames: AsyncIterable<TrackFrame> }> {
  const it = frames[Symbol.asyncIterator]();
  const taken: TrackFrame[] = [];
  const fit: FitFace[] = [];
  let done = false;
  while (fit.length < faces) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    taken.push(r.value);
    if (r.value.face && !r.value.interpolated) fit.push(r.value.face);
  }
  async function* replay(): AsyncGenerator<TrackFrame> {
    yield* taken;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { calibration: fit.length ? calibrateFace(fit, cam) : NO_CALIBRATION, frames: replay() };
}

/** An ffconcat list giving each PNG its source duration (`ffmpeg -f concat -i frames.ffconcat`). */
function ffconcat(times: readonly number[], lastMs: number): string {
  let s = 'ffconcat version 1.0\n';
  times.forEach((t, i) => {
    const d = i + 1 < times.length ? times[i + 1] - t : lastMs;
    s += `file frame_${String(i).padStart(6, '0')}.png\nduration ${(d / 1000).toFixed(6)}\n`;
  });
  return s;
}

async function prepareOutputDir(path: string, what: string): Promise<void> {
  const dir = dirname(path);
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new Error();
  } catch {
    throw new NogginError('render', `the folder of the ${what} (${dir}) does not exist`, `create it (mkdir -p ${dir}) or choose another path`);
  }
}

/** Renders a track with a head into an alpha layer. */
export async function renderTrack(o: RenderTrackOptions): Promise<RenderSummary> {
  const started = performance.now();
  const wantMov = o.mov ?? true;
  if (!wantMov && !o.pngDir) throw new NogginError('render', 'nothing to write (no .mov and no --png-dir)', 'drop --no-mov or add --png-dir DIR', 2);
  if (o.stream && wantMov && !o.output) throw new NogginError('render', 'no output named for a streamed track', 'add -o LAYER.mov', 2);
  if (!o.stream) await assertTrackComplete(o.track);
  const track = o.stream ?? (await openTrack(o.track));
  const src = track.header.source;
  const head = await resolveHead(o.head, { profilePath: o.profile, limits: o.limits });
  const output = wantMov ? (o.output ?? defaultLayerPath(o.track)) : null;
  if (output) await prepareOutputDir(output, 'layer');
  let pngTemp: string | null = null;
  if (o.pngDir) {
    await prepareOutputDir(o.pngDir, 'PNG folder');
    const entries = await readdir(o.pngDir).catch(() => null);
    if (entries && entries.length) throw new NogginError('render', `${o.pngDir} is not empty`, 'give a new or empty folder for --png-dir');
    pngTemp = join(dirname(o.pngDir), `.${basename(o.pngDir)}.${process.pid}.${Date.now().toString(36)}.partial`);
    await mkdir(pngTemp);
  }
  const movTemp = output ? tempPathFor(output) : null;
  const removeTemps = async () => {
    if (movTemp) await rm(movTemp, { force: true });
    if (pngTemp) await rm(pngTemp, { recursive: true, force: true });
  };
  const unregisterTemps = onCleanup('render-outputs', removeTemps);

  const align = o.align ?? 'refit';
  let frameSource: AsyncIterable<TrackFrame> = track.frames;
  let calibration: FaceCalibration = NO_CALIBRATION;
  if (align !== 'none' && o.stream) {
    const cam: FitCamera = { verticalFovDeg: track.header.camera.verticalFovDeg, frameWidth: src.width, frameHeight: src.height };
    ({ calibration, frames: frameSource } = await calibrateFromStream(track.frames, cam));
  } else if (align !== 'none') {
    calibration = await calibrateTrack(o.track);
  }
  log.debug({ calibration: { ...calibration, matrix: undefined } }, 'render: face calibration');
  const lighting = (o.lighting ?? 'footage') === 'footage' && !o.stream ? await lightingForTrack(o.track) : null;
  const host = await startPageHost({ files: headHostFiles(head) });
  const chromium = o.chromium ?? (await launchChromium());
  let renderer: RendererClient | null = null;
  let encoder: LayerEncoder | null = null;
  try {
    renderer = await RendererClient.open(chromium, host, {
      head,
      frameWidth: src.width,
      frameHeight: src.height,
      verticalFovDeg: track.header.camera.verticalFovDeg,
      antialias: o.antialias,
      limits: o.limits ?? DEFAULT_HEAD_LIMITS,
      align,
      calibration,
      lighting,
      fastMaterials: (o.materials ?? 'fast') === 'fast',
    });
    encoder = startLayerEncoder({ width: src.width, height: src.height, fps: src.fps, output: movTemp, codec: o.codec ?? 'prores', pngDir: pngTemp });
    const layer = new LayerFrames(src.width, src.height, 2);
    const loopStart = performance.now();
    let frames = 0;
    let drawn = 0;
    let maxSkewMs = 0;
    let pending: Promise<void> = Promise.resolve();
    const times: number[] = [];
    for await (const f of renderer.render(frameSource)) {
      times.push(f.timeMs);
      if (f.frame !== frames) throw new NogginError('render', `frame ${f.frame} came back out of order (expected ${frames})`, 're-run; report it if it persists');
      maxSkewMs = Math.max(maxSkewMs, Math.abs(f.timeMs - (frames * 1000) / src.fps));
      if (f.crop) drawn++;
      // The ring has 2 buffers: wait for the write of the one we are about to reuse.
      await pending;
      const buf = layer.compose(f.crop);
      pending = encoder.write(buf);
      frames++;
      o.onProgress?.({ frames, total: src.frameCount, drawn, fps: (frames * 1000) / (performance.now() - loopStart) });
    }
    await pending;
    const renderFps = (frames * 1000) / (performance.now() - loopStart);
    await encoder.finish();
    encoder = null;
    // Frame k is shown at the source's frame k time (variable frame rate kept).
    const nominalMs = 1000 / src.fps;
    const tailMs = src.durationMs - (times[times.length - 1] ?? 0);
    const lastMs = tailMs > 0 && tailMs <= 2 * nominalMs ? tailMs : nominalMs;
    if (output && movTemp && frames > 0) {
      const retimed = await retimeMov(movTemp, times, lastMs);
      if (!retimed && maxSkewMs > 1000 / src.fps / 2) {
        log.warn(`the layer keeps a constant ${src.fps} fps although the track's frame times drift up to ${maxSkewMs.toFixed(0)} ms (variable frame rate source)`);
      }
    }
    if (pngTemp) await writeFile(join(pngTemp, 'frames.ffconcat'), ffconcat(times, lastMs));
    const stats = await renderer.stats();
    if (output && movTemp) await rename(movTemp, output);
    if (o.pngDir && pngTemp) {
      await rmdir(o.pngDir).catch(() => undefined);
      await rename(pngTemp, o.pngDir);
    }
    unregisterTemps();
    return {
      output,
      pngDir: o.pngDir ?? null,
      frames,
      drawn,
      width: src.width,
      height: src.height,
      fps: src.fps,
      renderFps,
      elapsedMs: performance.now() - started,
      page: renderer.info,
      stats,
      calibration,
    };
  } catch (e) {
    if (encoder) await encoder.abort().catch(() => undefined);
    await removeTemps();
    unregisterTemps();
    throw e;
  } finally {
    await renderer?.close();
    if (!o.chromium) await chromium.close();
    await host.close();
  }
}
