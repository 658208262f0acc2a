/**
 * `noggin composite VIDEO LAYER --track TRACK -o OUT.mp4`: the source frames, the face
 * track and the RGBA head layer (from `noggin render`) become the finished video. Two
 * passes over the source: a quick one for the background plate, then decode (source as
 * YUV 4:2:0, layer as RGBA) -> compose -> encode, streaming, one frame in memory per stream.
 */
import { NogginError } from '../core/errors.js';
import { log } from '../core/log.js';
import { openTrack } from '../core/track-file.js';
import type { FaceData, TrackFrame } from '../core/track.js';
import { decodeFrames, probeVideo, type DecodedFrame, type VideoInfo } from '../system/ffmpeg.js';
import { BackgroundPlateBuilder, type PlateImage } from './background-plate.js';
import { buildPlateOffThread } from './plate-thread.js';
import { cropFromLayerFrame, FrameCompositor, type ComposeOptions, type LayerCrop } from './compose-frame.js';
import { openOutput, type EncodeSettings } from './output.js';

/** Options of `compositeVideo`. */
export interface CompositeOptions extends EncodeSettings {
  /** Source video. */
  readonly video: string;
  /** RGBA head layer (.mov from `noggin render`), same size and frame count as the video. */
  readonly layer: string;
  /** Face track of the video. */
  readonly track: string;
  /** Output file (.mp4 by default container). */
  readonly output: string;
  /** Frames sampled for the background plate (default 24). */
  readonly plateSamples?: number;
  readonly compose?: ComposeOptions;
  readonly onProgress?: (p: CompositeProgress) => void;
}

/** Progress of a composite. */
export interface CompositeProgress {
  readonly frames: number;
  readonly total: number;
  readonly fps: number;
}

/** What a finished composite reports. */
export interface CompositeSummary {
  readonly output: string;
  readonly frames: number;
  readonly faces: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly sheets: string[];
  /** Fraction of the plate that no sample saw (inpainted). */
  readonly plateInpainted: number;
  readonly elapsedMs: number;
  /** Frames per second of the compose+encode pass. */
  readonly composeFps: number;
}

/** Evenly spread frame indices for `n` samples out of `frameCount`. */
export function sampleIndices(frameCount: number, n: number): Set<number> {
  const k = Math.min(n, frameCount);
  const s = new Set<number>();
  for (let i = 0; i < k; i++) s.add(Math.min(frameCount - 1, Math.floor(((i + 0.5) * frameCount) / k)));
  return s;
}

/**
 * A background plate fed while its faces come in (e.g. during capture): the sampled
 * frames are decoded once (ffmpeg picks them), each added when `add` gives its face, so
 * only the median and the fill are left for `build`. Faces must come in frame order.
 */
export class StreamingPlate {
  private readonly builder: BackgroundPlateBuilder;
  private readonly frames: AsyncGenerator<DecodedFrame>;
  private work: Promise<void> = Promise.resolve();

  constructor(info: VideoInfo, picks: ReadonlySet<number>, samples: number) {
    this.builder = new BackgroundPlateBuilder(info.width, info.height, samples);
    this.frames = decodeFrames(info, { frames: picks, encoding: 'yuv420p' });
  }

  /** Adds sampled frame `index` with its face (null: no face, all background). Never throws; `build` reports failures. */
  add(index: number, face: FaceData | null): void {
    this.work = this.work.then(async () => {
      const r = await this.frames.next();
      if (r.done || r.value.index !== index) throw new NogginError('composite', `frame ${index} of the background plate did not decode`, 're-run with --log-level debug');
      this.builder.add(r.value.data, face);
    });
    this.work.catch(() => undefined);
  }

  /**
   * The plate (yuv420p, the source's matrix and range), and the fraction of it that had to
   * be inpainted; built on a worker thread, so the main thread goes on meanwhile. Once.
   */
  async build(): Promise<PlateImage> {
    await this.work;
    await this.frames.return(undefined);
    return buildPlateOffThread(this.builder.takeSamples());
  }

  /** Ends the decoder (also when the plate is not wanted any more). */
  async close(): Promise<void> {
    await this.work.catch(() => undefined);
    await this.frames.return(undefined);
  }
}

/** Builds the background plate of a video from sampled frames and their faces. */
export async function buildPlate(info: VideoInfo, faces: Map<number, FaceData | null>, samples: number): Promise<{ yuv: Uint8Array; inpaintedFraction: number }> {
  const plate = new StreamingPlate(info, new Set(faces.keys()), samples);
  try {
    for (const i of [...faces.keys()].sort((a, b) => a - b)) plate.add(i, faces.get(i) ?? null);
    return await plate.build();
  } finally {
    await plate.close();
  }
}

async function loadTrack(path: string, info: VideoInfo) {
  const t = await openTrack(path);
  const src = t.header.source;
  if (src.width !== info.width || src.height !== info.height) {
    throw new NogginError('composite', `the track was made from a ${src.width}x${src.height} video, not this ${info.width}x${info.height} one`, 'capture this video again with `noggin capture VIDEO -o TRACK`', 2);
  }
  if (src.frameCount !== info.frameCount) {
    throw new NogginError('composite', `the track has ${src.frameCount} frames, the video ${info.frameCount}`, 'capture this video again with `noggin capture VIDEO -o TRACK`', 2);
  }
  return t;
}

/** Composites a video with its head layer and track into the output file. */
export async function compositeVideo(o: CompositeOptions): Promise<CompositeSummary> {
  const t0 = performance.now();
  const info = await probeVideo(o.video);
  let layerInfo: VideoInfo;
  try {
    layerInfo = await probeVideo(o.layer);
  } catch (e) {
    if (e instanceof NogginError) throw new NogginError('composite', `the layer ${e.problem}`, 'render it again with `noggin render TRACK --head NAME -o LAYER.mov`');
    throw e;
  }
  if (layerInfo.width !== info.width || layerInfo.height !== info.height) {
    throw new NogginError('composite', `the layer is ${layerInfo.width}x${layerInfo.height}, the video ${info.width}x${info.height}`, 'render the layer from this video\'s track', 2);
  }
  // Plate samples: faces of evenly spread frames (one pass over the track).
  const samples = o.plateSamples ?? 24;
  const picks = sampleIndices(info.frameCount, samples);
  const faces = new Map<number, FaceData | null>();
  {
    const t = await loadTrack(o.track, info);
    for await (const f of t.frames) if (picks.has(f.frame)) faces.set(f.frame, f.face);
  }
  const out = await openOutput({ crf: o.crf, preset: o.preset, codec: o.codec, sheet: o.sheet, source: o.video, output: o.output, width: info.width, height: info.height, fps: info.fps, frameCount: info.frameCount, rotationDeg: info.rotationDeg, variableFrameTimesMs: info.variableFrameRate ? info.frameTimesMs : null });
  let track: AsyncIterator<TrackFrame> | null = null;
  let layer: AsyncIterator<{ data: Uint8Array }> | null = null;
  try {
    const plate = await buildPlate(info, faces, samples);
    log.debug({ inpainted: plate.inpaintedFraction }, 'composite: background plate');
    track = (await loadTrack(o.track, info)).frames[Symbol.asyncIterator]();
    // Each layer frame is only cropped before the next one is asked for.
    layer = decodeFrames(layerInfo, { recycle: true })[Symbol.asyncIterator]();
    const compositor = new FrameCompositor(info.width, info.height, plate.yuv, out.color, o.compose);
    const tc = performance.now();
    let frames = 0;
    let faceFrames = 0;
    let layerDone = false;
    for await (const f of decodeFrames(info, { encoding: 'yuv420p', recycle: true })) {
      const tr = await track.next();
      const tf: TrackFrame | null = tr.done ? null : tr.value;
      let crop: LayerCrop | null = null;
      if (!layerDone) {
        const l = await layer.next();
        if (l.done) layerDone = true;
        else crop = cropFromLayerFrame(l.value.data, info.width, info.height);
      }
      const face = tf?.face ?? null;
      if (face) faceFrames++;
      out.sheet?.wants(f.index) && out.sheet.addSource(f.index, f.data);
      compositor.compose(f.data, face, crop);
      out.sheet?.wants(f.index) && out.sheet.addResult(f.index, f.data);
      await out.write(f.data);
      frames++;
      o.onProgress?.({ frames, total: info.frameCount, fps: (frames * 1000) / Math.max(1, performance.now() - tc) });
    }
    const composeFps = (frames * 1000) / Math.max(1, performance.now() - tc);
    const sheets = await out.commit();
    return {
      output: o.output,
      frames,
      faces: faceFrames,
      width: info.width,
      height: info.height,
      fps: info.fps,
      sheets,
      plateInpainted: plate.inpaintedFraction,
      elapsedMs: performance.now() - t0,
      composeFps,
    };
  } catch (e) {
    await out.abort();
    throw e;
  } finally {
    // Ends the layer's decoder (and the track reader) also when the output failed mid-way.
    await layer?.return?.(undefined);
    await track?.return?.(undefined);
  }
}
