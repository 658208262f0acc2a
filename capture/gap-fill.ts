/**
 * Fills short runs of frames without a face by interpolating between the faces on either
 * side (landmarks and blendshapes linearly, rotation by slerp, translation and scale
 * linearly). Filled frames are marked `interpolated: true`. Streaming, with a look-ahead of
 * at most `maxGapFrames` frames.
 */
import { composeMatrix, decomposeMatrix, slerp } from '../core/pose.js';
import type { FaceData, TrackFrame } from '../core/track.js';

/** Interpolates two faces at `u` in [0,1] (pure). */
export function interpolateFace(a: FaceData, b: FaceData, u: number): FaceData {
  const lerp = (x: Float32Array, y: Float32Array) => Float32Array.from(x, (v, i) => v + (y[i] - v) * u);
  const pa = decomposeMatrix(a.matrix);
  const pb = decomposeMatrix(b.matrix);
  return {
    landmarks: lerp(a.landmarks, b.landmarks),
    blendshapes: lerp(a.blendshapes, b.blendshapes),
    matrix: composeMatrix({
      q: slerp(pa.q, pb.q, u),
      t: [0, 1, 2].map((i) => pa.t[i] + (pb.t[i] - pa.t[i]) * u) as [number, number, number],
      s: pa.s + (pb.s - pa.s) * u,
    }),
  };
}

/** Streams frames, filling gaps of at most `maxGapFrames` frames between two faces. */
export async function* fillGaps(frames: AsyncIterable<TrackFrame>, maxGapFrames: number): AsyncGenerator<TrackFrame> {
  if (maxGapFrames <= 0) {
    yield* frames;
    return;
  }
  let before: TrackFrame | null = null;
  let held: TrackFrame[] = [];
  for await (const f of frames) {
    if (!f.face) {
      if (!before) {
        yield f;
        continue;
      }
      held.push(f);
      if (held.length > maxGapFrames) {
        yield* held;
        held = [];
        before = null;
      }
      continue;
    }
    if (before && held.length) {
      const span = f.timeMs - before.timeMs || 1;
      for (const h of held) {
        const u = (h.timeMs - before.timeMs) / span;
        yield { ...h, face: interpolateFace(before.face!, f.face, u), interpolated: true };
      }
    }
    held = [];
    before = f;
    yield f;
  }
  yield* held;
}
