/**
 * Lighting from the footage itself: decodes the frames of a few early faces and hands
 * them to `estimateLighting`. Used by `noggin run` (faces as they are captured) and by
 * `noggin render` (faces from the track, when its source video is still there).
 */
import { existsSync } from 'node:fs';
import { log } from '../core/log.js';
import type { SceneLighting } from '../core/page-contract.js';
import { openTrack } from '../core/track-file.js';
import type { FaceData } from '../core/track.js';
import { decodeFrames, probeVideo, type VideoInfo } from '../system/ffmpeg.js';
import { estimateLighting, STUDIO_LIGHTING, type LightingSample } from './lighting.js';

/** How the head is lit: matched to the footage, or noggin's studio lighting. */
export type LightingMode = 'footage' | 'studio';
export const LIGHTING_MODES: readonly LightingMode[] = ['footage', 'studio'];

/** Faces sampled for the estimate. */
export const LIGHTING_SAMPLES = 8;

/** Lighting estimated from `faces` (frame index -> face) of the video. */
export async function lightingFromFaces(info: VideoInfo, faces: ReadonlyMap<number, FaceData>): Promise<SceneLighting> {
  if (!faces.size) return STUDIO_LIGHTING;
  const samples: LightingSample[] = [];
  for await (const f of decodeFrames(info, { frames: new Set(faces.keys()) })) {
    samples.push({ rgba: f.data, width: info.width, height: info.height, landmarks: faces.get(f.index)!.landmarks });
  }
  const lighting = estimateLighting(samples);
  log.debug({ lighting }, 'render: lighting matched to the footage');
  return lighting;
}

/**
 * Lighting for rendering a track: from its source video when that file is still there
 * and matches the track, else studio lighting (with a log line saying why).
 */
export async function lightingForTrack(trackPath: string): Promise<SceneLighting> {
  const t = await openTrack(trackPath);
  const src = t.header.source;
  if (!src.path || !existsSync(src.path)) {
    log.info(`render: the track's source video (${src.path}) is not there: studio lighting`);
    return STUDIO_LIGHTING;
  }
  const faces = new Map<number, FaceData>();
  for await (const f of t.frames) {
    if (f.face && f.frame % 3 === 0) faces.set(f.frame, f.face);
    if (faces.size >= LIGHTING_SAMPLES) break;
  }
  const info = await probeVideo(src.path);
  if (info.width !== src.width || info.height !== src.height || info.frameCount !== src.frameCount) {
    log.info(`render: ${src.path} is not the video the track was made from: studio lighting`);
    return STUDIO_LIGHTING;
  }
  return lightingFromFaces(info, faces);
}
