/**
 * The capture stage's entry: a video file becomes a face track (and optionally a Live Link
 * Face CSV). Probe -> landmark (segments in parallel) -> smooth -> fill short gaps -> write,
 * streaming throughout; outputs are written to temporary names and renamed when complete.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NogginError } from '../core/errors.js';
import { makeTrackHeader, type TrackFrame, type TrackHeader } from '../core/track.js';
import { AtomicFileWriter, TrackWriter } from '../core/track-file.js';
import { probeVideo, analysisSize, type VideoInfo } from '../system/ffmpeg.js';
import { checkModel } from '../system/model.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { DEFAULT_ANALYSIS_FACE_PX } from './analysis-scale.js';
import { fillGaps } from './gap-fill.js';
import { landmarkVideo } from './landmark-frames.js';
import { liveLinkCsvHeader, liveLinkCsvRow } from './live-link-csv.js';
import { smoothFrames, smoothingHeader, type SmoothingMode } from './smoothing/index.js';

/** Options of `captureVideo`. */
export interface CaptureOptions {
  /** Input video path. */
  readonly input: string;
  /** Output track path (*.track.ndjson); omit to only stream frames to `onFrame`. */
  readonly output?: string;
  /** Live Link Face CSV output path. */
  readonly csv?: string;
  /** Smoothing mode. */
  readonly smoothing: SmoothingMode;
  /** Longest run of faceless frames filled by interpolation (0 = never). */
  readonly fillGapFrames: number;
  /** Landmarkers running in parallel on segments of the clip. */
  readonly workers: number;
  /** Long side (px) of the frames given to the landmarker. */
  readonly maxAnalysisSide: number;
  /** Smallest face height (px) the landmarker's frames are scaled down to keep (0: never scaled below maxAnalysisSide; default DEFAULT_ANALYSIS_FACE_PX). */
  readonly analysisFacePx?: number;
  /** Model path (checked before anything starts). */
  readonly modelPath: string;
  /** Minimum face detection confidence in [0,1]. */
  readonly minDetectionConfidence: number;
  /** Progress callback, once per frame written. */
  readonly onProgress?: (p: CaptureProgress) => void;
  /** Called with the header before any frame, then with each final frame (e.g. to publish to a bridge). */
  readonly onHeader?: (h: TrackHeader) => Promise<void> | void;
  readonly onFrame?: (f: TrackFrame) => Promise<void> | void;
}

/** Progress of a capture. */
export interface CaptureProgress {
  /** Frames done. */
  readonly frames: number;
  /** Frames in the clip. */
  readonly total: number;
  /** Frames with a face so far. */
  readonly faces: number;
  /** Frames per second since the landmarkers were ready. */
  readonly fps: number;
}

/** What a finished capture reports. */
export interface CaptureSummary {
  readonly info: VideoInfo;
  readonly frames: number;
  readonly faces: number;
  readonly interpolated: number;
  /** Wall time from start to finish, ms. */
  readonly elapsedMs: number;
  /** Frames per second of the landmarking pipeline (after the landmarkers were ready). */
  readonly fps: number;
}

function tasksVisionVersion(): string {
  try {
    return JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', '@mediapipe', 'tasks-vision', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** Builds the track header for a probed video. */
export function captureHeader(info: VideoInfo, opts: Pick<CaptureOptions, 'smoothing' | 'fillGapFrames' | 'maxAnalysisSide' | 'analysisFacePx'>): TrackHeader {
  const a = analysisSize(info, opts.maxAnalysisSide);
  return makeTrackHeader(
    {
      path: info.path,
      width: info.width,
      height: info.height,
      fps: Math.round(info.fps * 1000) / 1000,
      frameCount: info.frameCount,
      durationMs: Math.round(info.durationMs * 1000) / 1000,
      rotationDeg: info.rotationDeg,
      variableFrameRate: info.variableFrameRate,
      codec: info.codec,
    },
    smoothingHeader(opts.smoothing),
    {
      landmarker: { package: '@mediapipe/tasks-vision', version: tasksVisionVersion(), delegate: 'CPU', analysisWidth: a.width, analysisHeight: a.height, analysisFacePx: opts.analysisFacePx ?? DEFAULT_ANALYSIS_FACE_PX },
      gapFill: { maxGapFrames: opts.fillGapFrames },
      createdAt: new Date().toISOString(),
    },
  );
}

/** Captures a video into a track. Throws a NogginError (and leaves no output) on failure. */
export async function captureVideo(opts: CaptureOptions): Promise<CaptureSummary> {
  const t0 = performance.now();
  const info = await probeVideo(opts.input);
  const modelPath = await checkModel(opts.modelPath);
  const header = captureHeader(info, opts);
  const track = opts.output ? await TrackWriter.open(opts.output, header) : null;
  let csv: AtomicFileWriter | null = null;
  let frames = 0;
  let faces = 0;
  let interpolated = 0;
  let tReady = performance.now();
  try {
    csv = opts.csv ? await AtomicFileWriter.open(opts.csv, 'capture') : null;
    await csv?.write(liveLinkCsvHeader() + '\n');
    await opts.onHeader?.(header);
    const raw = landmarkVideo(info, {
      modelPath,
      workers: opts.workers,
      maxAnalysisSide: opts.maxAnalysisSide,
      analysisFacePx: opts.analysisFacePx ?? DEFAULT_ANALYSIS_FACE_PX,
      landmarker: { minFaceDetectionConfidence: opts.minDetectionConfidence },
      onReady: () => (tReady = performance.now()),
    });
    for await (const f of fillGaps(smoothFrames(raw, opts.smoothing, opts.fillGapFrames), opts.fillGapFrames)) {
      await track?.writeFrame(f);
      if (csv) {
        const row = liveLinkCsvRow(f, info.fps);
        if (row) await csv.write(row + '\n');
      }
      await opts.onFrame?.(f);
      frames++;
      if (f.face) faces++;
      if (f.interpolated) interpolated++;
      opts.onProgress?.({ frames, total: info.frameCount, faces, fps: (frames * 1000) / Math.max(1, performance.now() - tReady) });
    }
    if (faces === 0) {
      throw new NogginError('capture', `no face was found in any of the ${frames} frames of ${opts.input}`, 'use a clip where a face is visible and lit, or lower --min-detection-confidence');
    }
    await track?.finish();
    await csv?.commit();
  } catch (e) {
    await track?.abort();
    await csv?.abort();
    throw e;
  }
  const elapsedMs = performance.now() - t0;
  return { info, frames, faces, interpolated, elapsedMs, fps: (frames * 1000) / Math.max(1, performance.now() - tReady) };
}
