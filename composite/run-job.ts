/**
 * `noggin run VIDEO --head NAME|FILE -o OUT.mp4`: capture -> render -> composite.
 * Capture and render run concurrently: track frames stream from the landmarkers (through
 * smoothing and gap filling) straight into the render page, frame by frame. Rendered crops
 * and their landmarks go to a disk spool (memory stays flat). When capture has seen the
 * whole clip (it runs ahead of the render), the background plate is built (it needs faces
 * spread over the whole clip) and the compose + encode pass starts, streaming the spool
 * against the decoded source right behind the render: all three stages overlap.
 * With `keepTrack` the track is cached next to the output, keyed by the video's content
 * hash, and a later run on the same video skips capture.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createReadStream, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { captureHeader, DEFAULT_ANALYSIS_FACE_PX, fillGaps, landmarkVideo, smoothFrames, type SmoothingMode } from '../capture/index.js';
import { DiskSpool } from '../capture/disk-spool.js';
import { AsyncQueue } from '../core/async-queue.js';
import { NogginError } from '../core/errors.js';
import { LANDMARK_FLOATS } from '../core/landmarks.js';
import { log } from '../core/log.js';
import { openTrack, TrackWriter } from '../core/track-file.js';
import { MEDIAPIPE_VERTICAL_FOV_DEG, type FaceData, type TrackFrame } from '../core/track.js';
import { calibrateFace, headHostFiles, lightingFromFaces, LIGHTING_SAMPLES, NO_CALIBRATION, RendererClient, resolveHead, STREAM_CALIBRATION_FACES, type AlignMode, type LightingMode } from '../render/index.js';
import type { Antialias } from '../core/page-contract.js';
import { launchChromium, type ChromiumHandle } from '../system/chromium.js';
import { decodeFrames, probeVideo } from '../system/ffmpeg.js';
import { checkModel } from '../system/model.js';
import { startPageHost, type PageHost } from '../system/page-host.js';
import { modelPath as defaultModelPath } from '../system/tools.js';
import { sampleIndices, StreamingPlate } from './composite-video.js';
import { FrameCompositor, type PageLayer } from './compose-frame.js';
import { checkOutputPath, containerFor, openOutput, type EncodeSettings } from './output.js';

/**
 * Landmarkers of a run: half the cores (at least one), because the render and the encoder
 * run at the same time as capture (measured on 2 cores: one landmarker finishes a run
 * 10-15% sooner than two).
 */
export const DEFAULT_RUN_WORKERS = Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));

/** Options of `runJob`. */
export interface RunJobOptions extends EncodeSettings {
  readonly video: string;
  /** Shipped head name or .glb/.gltf/.vrm/.json file. */
  readonly head: string;
  readonly output: string;
  /** Cache the track next to the output (keyed by the video's content hash) and reuse it. */
  readonly keepTrack?: boolean;
  // Capture settings (defaults as `noggin capture`).
  readonly smoothing?: SmoothingMode;
  readonly fillGapFrames?: number;
  readonly workers?: number;
  readonly maxAnalysisSide?: number;
  /** Smallest face height (px) the landmarker's frames are scaled down to keep (default DEFAULT_ANALYSIS_FACE_PX; 0: never below maxAnalysisSide). */
  readonly analysisFacePx?: number;
  readonly minDetectionConfidence?: number;
  readonly modelPath?: string;
  // Render settings (defaults as `noggin render`).
  readonly profile?: string;
  readonly align?: AlignMode;
  readonly antialias?: Antialias;
  /** Lights matched to the footage (default) or studio lighting. */
  readonly lighting?: LightingMode;
  /** Faces the head is calibrated on before the render starts (default 30, the first ones). */
  readonly calibrationFrames?: number;
  readonly plateSamples?: number;
  readonly onProgress?: (p: RunProgress) => void;
}

/** Progress of a run: one stage's count. */
export interface RunProgress {
  readonly stage: 'capture' | 'render' | 'composite';
  readonly frames: number;
  readonly total: number;
}

/** Throughput of one stage in a run. */
export interface StageStats {
  readonly frames: number;
  /** From the stage's first frame (or start) to its last, ms. */
  readonly ms: number;
  readonly fps: number;
}

/** What a finished run reports. */
export interface RunSummary {
  readonly output: string;
  readonly frames: number;
  readonly faces: number;
  readonly durationMs: number;
  readonly elapsedMs: number;
  /** elapsed / clip duration. */
  readonly realTimeFactor: number;
  readonly trackCache: { path: string; hit: boolean } | null;
  readonly stages: { capture: StageStats; render: StageStats; plate: StageStats; composite: StageStats };
  readonly sheets: string[];
}

/** sha256 of a file's content (hex). */
export async function contentHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

/** The cached track path for a video next to an output: OUTDIR/.noggin-cache/NAME.HASH16.track.ndjson. */
export function cachedTrackPath(output: string, video: string, hash: string): string {
  const name = basename(video).replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_');
  return join(dirname(output), `${name}.${hash.slice(0, 16)}.track.ndjson`);
}

function stage(frames: number, t0: number, t1: number): StageStats {
  const ms = Math.max(1, t1 - t0);
  return { frames, ms, fps: (frames * 1000) / ms };
}

/** Spool record header: frame, has face, crop x, y, width, height, crop flags (int32 each). */
const RECORD_HEADER_BYTES = 28;
const BOTTOM_UP = 1;
const PREMULTIPLIED = 2;
const SPANS = 4;

/** Spool record parts: the header, landmarks float32 (if face), the crop's bytes as the page sent them. */
function recordParts(frame: number, face: FaceData | null, crop: PageLayer | null): Uint8Array[] {
  const flags = crop ? (crop.bottomUp ? BOTTOM_UP : 0) | (crop.premultiplied ? PREMULTIPLIED : 0) | (crop.layout === 'spans' ? SPANS : 0) : 0;
  const head = new Int32Array([frame, face ? 1 : 0, crop?.x ?? 0, crop?.y ?? 0, crop?.width ?? 0, crop?.height ?? 0, flags]);
  const parts: Uint8Array[] = [new Uint8Array(head.buffer)];
  if (face) parts.push(new Uint8Array(face.landmarks.buffer, face.landmarks.byteOffset, LANDMARK_FLOATS * 4));
  if (crop) parts.push(crop.data);
  return parts;
}

function decodeRecord(b: Uint8Array): { frame: number; landmarks: Float32Array | null; crop: PageLayer | null } {
  const h = new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + RECORD_HEADER_BYTES));
  const lmBytes = h[1] ? LANDMARK_FLOATS * 4 : 0;
  const at = RECORD_HEADER_BYTES + lmBytes;
  const landmarks = h[1] ? new Float32Array(b.buffer.slice(b.byteOffset + RECORD_HEADER_BYTES, b.byteOffset + at)) : null;
  const crop: PageLayer | null =
    h[4] > 0 && h[5] > 0
      ? { x: h[2], y: h[3], width: h[4], height: h[5], bottomUp: (h[6] & BOTTOM_UP) !== 0, premultiplied: (h[6] & PREMULTIPLIED) !== 0, layout: h[6] & SPANS ? 'spans' : 'rgba', data: b.subarray(at) }
      : null;
  return { frame: h[0], landmarks, crop };
}

/** Runs the whole job; leaves no OUT (and no temporary files) when it fails. */
export async function runJob(o: RunJobOptions): Promise<RunSummary> {
  const t0 = performance.now();
  // Fail fast on everything that can be checked before the long stages.
  containerFor(o.output, o.codec ?? 'h264');
  await checkOutputPath(o.output);
  const info = await probeVideo(o.video);
  const head = await resolveHead(o.head, { profilePath: o.profile });
  let trackCache: { path: string; hit: boolean } | null = null;
  if (o.keepTrack) {
    const path = cachedTrackPath(o.output, o.video, await contentHash(o.video));
    trackCache = { path, hit: existsSync(path) };
  }
  const smoothing = o.smoothing ?? 'offline';
  const fillGapFrames = o.fillGapFrames ?? 5;
  const maxAnalysisSide = o.maxAnalysisSide ?? 1280;
  const analysisFacePx = o.analysisFacePx ?? DEFAULT_ANALYSIS_FACE_PX;
  const model = trackCache?.hit ? null : await checkModel(o.modelPath ?? defaultModelPath());

  let host: PageHost | null = null;
  let chromium: ChromiumHandle | null = null;
  let renderer: RendererClient | null = null;
  let writer: TrackWriter | null = null;
  const spool = await DiskSpool.create();
  const trackFrames = new AsyncQueue<TrackFrame>();
  let captureStop = false;
  let capture: Promise<void> = Promise.resolve();
  let compose: Promise<void> = Promise.resolve();
  let plateInUse: StreamingPlate | null = null;
  try {
    // Stage 1: track frames (from the cache, or captured), pumped into a queue.
    const samples = o.plateSamples ?? 24;
    const picks = sampleIndices(info.frameCount, samples);
    // The plate's sampled frames are decoded and added as their raw faces come in, so
    // little is left to do when capture ends.
    const plate = new StreamingPlate(info, picks, samples);
    plateInUse = plate;
    // Early faces, taken from the raw landmarks as they arrive (smoothing lags by a second
    // and more): the first ones calibrate the head to this face, every third of them feeds
    // the lighting estimate. The render starts once they are in, while capture goes on.
    const align = o.align ?? 'refit';
    const calibrationWanted = align === 'none' ? 0 : (o.calibrationFrames ?? STREAM_CALIBRATION_FACES);
    const lightingWanted = (o.lighting ?? 'footage') === 'footage' ? LIGHTING_SAMPLES : 0;
    const calibrationFaces: FaceData[] = [];
    const lightFaces = new Map<number, FaceData>();
    let earlyFacesDone: () => void = () => undefined;
    const earlyFacesReady = new Promise<void>((r) => (earlyFacesDone = r));
    if (!calibrationWanted && !lightingWanted) earlyFacesDone();
    async function* tapEarlyFaces(frames: AsyncIterable<TrackFrame>): AsyncGenerator<TrackFrame> {
      for await (const f of frames) {
        if (picks.has(f.frame)) plate.add(f.frame, f.face);
        if (f.face && !f.interpolated) {
          if (calibrationFaces.length < calibrationWanted) calibrationFaces.push(f.face);
          if (f.frame % 3 === 0 && lightFaces.size < lightingWanted) lightFaces.set(f.frame, f.face);
          if (calibrationFaces.length >= calibrationWanted && lightFaces.size >= lightingWanted) earlyFacesDone();
        }
        yield f;
      }
    }
    // One browser and page host for the landmarker and the render page: the render page
    // loads its head while the landmarker starts and captures.
    host = await startPageHost({ modelPath: model ?? undefined, files: headHostFiles(head) });
    chromium = await launchChromium();
    const browser = { chromium, host };
    const rendererOpening = RendererClient.open(chromium, host, {
      head,
      frameWidth: info.width,
      frameHeight: info.height,
      verticalFovDeg: MEDIAPIPE_VERTICAL_FOV_DEG,
      antialias: o.antialias,
      align,
    });
    rendererOpening.then((r) => (renderer = r), () => undefined);
    let captured = 0;
    let faces = 0;
    let tCapStart = performance.now();
    let tCapEnd = tCapStart;
    capture = (async () => {
      let frames: AsyncIterable<TrackFrame>;
      if (trackCache?.hit) {
        frames = tapEarlyFaces((await openTrack(trackCache.path)).frames);
      } else {
        if (trackCache) writer = await TrackWriter.open(trackCache.path, captureHeader(info, { smoothing, fillGapFrames, maxAnalysisSide, analysisFacePx }), 'run');
        const raw = landmarkVideo(info, {
          modelPath: model!,
          workers: o.workers ?? DEFAULT_RUN_WORKERS,
          maxAnalysisSide,
          analysisFacePx,
          browser,
          landmarker: { minFaceDetectionConfidence: o.minDetectionConfidence ?? 0.5 },
          onReady: () => (tCapStart = performance.now()),
        });
        frames = fillGaps(smoothFrames(tapEarlyFaces(raw), smoothing, fillGapFrames), fillGapFrames);
      }
      for await (const f of frames) {
        if (captureStop) break;
        await writer?.writeFrame(f);
        if (f.face) faces++;
        captured++;
        trackFrames.push(f);
        o.onProgress?.({ stage: 'capture', frames: captured, total: info.frameCount });
      }
      tCapEnd = performance.now();
      if (!captureStop && faces === 0) {
        throw new NogginError('run', `no face was found in any of the ${captured} frames of ${o.video}`, 'use a clip where a face is visible and lit, or lower --min-detection-confidence');
      }
      if (!captureStop && captured !== info.frameCount) throw new NogginError('run', `capture gave ${captured} of ${info.frameCount} frames`, 're-run with --log-level debug');
      trackFrames.end();
    })();
    void capture.finally(() => earlyFacesDone()).catch(() => undefined);
    capture.catch((e) => trackFrames.fail(e));

    // Stage 2: render, starting once the early faces calibrated the head to this face.
    const cam = { verticalFovDeg: MEDIAPIPE_VERTICAL_FOV_DEG, frameWidth: info.width, frameHeight: info.height };
    const head3d = await rendererOpening;
    await earlyFacesReady;
    head3d.setCalibration(calibrationFaces.length ? calibrateFace(calibrationFaces, cam) : NO_CALIBRATION);
    if (lightingWanted) await head3d.setLighting(await lightingFromFaces(info, lightFaces));
    // Landmarks of the frames in flight, taken back when their crops return.
    const inFlight = new Map<number, FaceData | null>();
    async function* all(): AsyncGenerator<TrackFrame> {
      for await (const f of trackFrames) {
        inFlight.set(f.frame, f.face);
        yield f;
      }
    }
    const take = (frame: number): FaceData | null => {
      const f = inFlight.get(frame) ?? null;
      inFlight.delete(frame);
      return f;
    };
    // Stage 3: once capture has seen the whole clip, build the background plate, then
    // compose + encode each frame as soon as its crop is rendered (behind the render).
    let tPlate = 0;
    let tComp = 0;
    let composed = 0;
    let sheets: string[] = [];
    let composeError: unknown = null;
    compose = (async () => {
      await capture;
      if (captureStop) return;
      tPlate = performance.now();
      const plateImage = await plate.build();
      log.debug({ inpainted: plateImage.inpaintedFraction }, 'run: background plate');
      tComp = performance.now();
      const out = await openOutput({ ...o, source: o.video, width: info.width, height: info.height, fps: info.fps, frameCount: info.frameCount, rotationDeg: info.rotationDeg, variableFrameTimesMs: info.variableFrameRate ? info.frameTimesMs : null });
      try {
        // Each record is composed before the next is read: one buffer serves them all.
        const recs = spool.read({ recycle: true })[Symbol.asyncIterator]();
        // The source's own YUV 4:2:0, composed in place; each frame's buffer is reused once the encoder took it.
        const compositor = new FrameCompositor(info.width, info.height, plateImage.yuv, out.color);
        for await (const f of decodeFrames(info, { encoding: 'yuv420p', recycle: true })) {
          const r = await recs.next();
          const rec = r.done ? null : decodeRecord(r.value);
          const face: FaceData | null = rec?.landmarks ? { landmarks: rec.landmarks, blendshapes: new Float32Array(0), matrix: new Float32Array(0) } : null;
          if (out.sheet?.wants(f.index)) out.sheet.addSource(f.index, f.data);
          compositor.compose(f.data, face, rec?.crop ?? null);
          if (out.sheet?.wants(f.index)) out.sheet.addResult(f.index, f.data);
          await out.write(f.data);
          composed++;
          o.onProgress?.({ stage: 'composite', frames: composed, total: info.frameCount });
        }
        await recs.return?.(undefined);
        sheets = await out.commit();
      } catch (e) {
        await out.abort();
        throw e;
      }
    })();
    compose.catch((e) => {
      composeError = e;
      captureStop = true;
    });

    let rendered = 0;
    let tRenStart = 0;
    for await (const f of head3d.renderPageCrops(all())) {
      if (composeError) throw composeError;
      if (!tRenStart) tRenStart = performance.now();
      if (f.frame !== rendered) throw new NogginError('render', `frame ${f.frame} came back out of order (expected ${rendered})`, 're-run; report it if it persists');
      // The face is needed again to compose: keep its landmarks with the crop.
      await spool.append(...recordParts(f.frame, take(f.frame), f.crop));
      rendered++;
      o.onProgress?.({ stage: 'render', frames: rendered, total: info.frameCount });
    }
    const tRenEnd = performance.now();
    await capture;
    spool.end();
    await (writer as TrackWriter | null)?.finish();
    writer = null;
    await head3d.close();
    renderer = null;
    await chromium.close();
    chromium = null;
    await host.close();
    host = null;
    await compose;
    const tEnd = performance.now();
    const elapsedMs = tEnd - t0;
    return {
      output: o.output,
      frames: composed,
      faces,
      durationMs: info.durationMs,
      elapsedMs,
      realTimeFactor: elapsedMs / info.durationMs,
      trackCache,
      stages: {
        capture: stage(captured, tCapStart, tCapEnd),
        render: stage(rendered, tRenStart, tRenEnd),
        plate: stage(picks.size, tPlate, tComp),
        composite: stage(composed, tComp, tEnd),
      },
      sheets,
    };
  } catch (e) {
    captureStop = true;
    spool.fail(e);
    await capture.catch(() => undefined);
    await compose.catch(() => undefined);
    if (writer) await (writer as TrackWriter).abort();
    throw e;
  } finally {
    await plateInUse?.close();
    await spool.close();
    if (renderer) await (renderer as RendererClient).close();
    if (chromium) await (chromium as ChromiumHandle).close();
    if (host) await (host as PageHost).close();
  }
}
