/**
 * The composite's coverage measure (issue #6): how much of the presenter's original face
 * oval a finished video no longer shows.
 */
import { boundsOf, emptyMask, fillPolygon } from '../../composite/mask.js';
import { FACE_OVAL } from '../../core/landmarks.js';
import type { TrackFrame } from '../../core/track.js';
import { decodeFrames, probeVideo } from '../../system/ffmpeg.js';

/** Fraction of pixels inside the face oval of `face` that differ (max channel diff > 8) between two frames. */
export function coveredFraction(a: Uint8Array, b: Uint8Array, w: number, h: number, lm: Float32Array): number {
  const oval = FACE_OVAL.map((i) => [lm[i * 3] * w, lm[i * 3 + 1] * h] as const);
  const m = emptyMask(boundsOf(oval, 0, w, h));
  fillPolygon(m, oval);
  const { rect } = m;
  let n = 0;
  let diff = 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0; x < rect.x1; x++) {
      if (!m.data[(y - rect.y0) * (rect.x1 - rect.x0) + x - rect.x0]) continue;
      const p = (y * w + x) * 4;
      n++;
      if (Math.max(Math.abs(a[p] - b[p]), Math.abs(a[p + 1] - b[p + 1]), Math.abs(a[p + 2] - b[p + 2])) > 8) diff++;
    }
  }
  return n ? diff / n : 1;
}

/** Coverage of every face frame of `output` against `source` (frames: the source's track). */
export async function videoCoverage(source: string, output: string, frames: readonly TrackFrame[]): Promise<{ faces: number; mean: number; worst: number }> {
  const si = await probeVideo(source);
  const oi = await probeVideo(output);
  const src = decodeFrames(si)[Symbol.asyncIterator]();
  let worst = 1;
  let sum = 0;
  let faces = 0;
  let k = 0;
  for await (const o of decodeFrames(oi)) {
    const s = (await src.next()).value!;
    const face = frames[k++]?.face;
    if (!face) continue;
    const c = coveredFraction(s.data, o.data, si.width, si.height, face.landmarks);
    worst = Math.min(worst, c);
    sum += c;
    faces++;
  }
  await src.return?.(undefined);
  return { faces, mean: faces ? sum / faces : 1, worst };
}
