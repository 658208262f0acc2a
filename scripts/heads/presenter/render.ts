/**
 * Rendering the presenter with the project's own renderer: the models are written to a
 * folder, and a synthetic face track (the scripted pose and blendshape weights, no
 * landmarks) is streamed to `renderTrack` with alignment off, so each frame shows exactly
 * the matrix and weights given.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BLENDSHAPE_COUNT } from '../../../core/blendshapes.js';
import { LANDMARK_FLOATS } from '../../../core/landmarks.js';
import { makeTrackHeader, type TrackFrame } from '../../../core/track.js';
import { renderTrack, type RenderSummary } from '../../../render/index.js';
import type { ChromiumHandle } from '../../../system/chromium.js';
import { buildPresenterBody, buildPresenterHead } from './index.js';

/** Paths of the written models (each .glb with its .json profile beside it). */
export interface PresenterModels {
  readonly head: string;
  readonly body: string;
}

/** Writes presenter.glb/.json and presenter-body.glb/.json into `dir`. */
export async function writePresenterModels(dir: string): Promise<PresenterModels> {
  const out: Record<string, string> = {};
  for (const [key, build] of [['head', buildPresenterHead], ['body', buildPresenterBody]] as const) {
    const m = await build();
    const glb = join(dir, m.profile.file);
    await writeFile(glb, m.glb);
    await writeFile(glb.replace(/\.glb$/, '.json'), JSON.stringify(m.profile, null, 2) + '\n');
    out[key] = glb;
  }
  return { head: out.head, body: out.body };
}

/** One scripted frame: the head's canonical -> camera matrix and 52 weights (MediaPipe order). */
export interface ScriptedFace {
  readonly matrix: Float32Array;
  readonly blendshapes: Float32Array;
}

/** Where a render goes: a PNG-in-MOV layer and/or a PNG sequence folder. */
export interface LayerTarget {
  readonly mov?: string;
  readonly pngDir?: string;
}

/**
 * Renders `model` posed and shaped frame by frame into an alpha layer of width x height
 * at `fps` (lossless PNG codec, straight alpha).
 */
export async function renderScripted(
  model: string,
  faces: readonly ScriptedFace[],
  size: { width: number; height: number; fps: number },
  target: LayerTarget,
  chromium?: ChromiumHandle,
): Promise<RenderSummary> {
  const header = makeTrackHeader(
    { path: 'synthetic', width: size.width, height: size.height, fps: size.fps, frameCount: faces.length, durationMs: (faces.length * 1000) / size.fps },
    { mode: 'none' },
  );
  async function* frames(): AsyncGenerator<TrackFrame> {
    for (let i = 0; i < faces.length; i++) {
      const f = faces[i];
      if (f.blendshapes.length !== BLENDSHAPE_COUNT) throw new Error(`frame ${i}: ${f.blendshapes.length} weights, expected ${BLENDSHAPE_COUNT}`);
      yield { frame: i, timeMs: (i * 1000) / size.fps, face: { landmarks: new Float32Array(LANDMARK_FLOATS), blendshapes: f.blendshapes, matrix: f.matrix } };
    }
  }
  return renderTrack({
    track: 'synthetic',
    stream: { header, frames: frames() },
    head: model,
    output: target.mov,
    mov: !!target.mov,
    pngDir: target.pngDir,
    codec: 'png',
    align: 'none',
    materials: 'pbr',
    antialias: true,
    chromium,
  });
}
