/** Synthetic faces and tracks for unit tests (deterministic pseudo-random noise). */
import { BLENDSHAPE_COUNT } from '../../core/blendshapes.js';
import { LANDMARK_FLOATS } from '../../core/landmarks.js';
import { composeMatrix } from '../../core/pose.js';
import type { FaceData, TrackFrame } from '../../core/track.js';
import { seededRandom } from '../../core/random.js';

/** A seeded PRNG (mulberry32) returning numbers in [0,1). */
export const rng = seededRandom;

/** Standard normal sample from a PRNG. */
export function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Quaternion for a yaw rotation (about y), degrees. */
export function yawQuat(deg: number): [number, number, number, number] {
  const h = (deg * Math.PI) / 360;
  return [0, Math.sin(h), 0, Math.cos(h)];
}

/** A face with given yaw (deg), x offset (cm), blendshape level and landmark offset. */
export function makeFace(yawDeg: number, xCm: number, level: number, lmOffset: number): FaceData {
  const landmarks = new Float32Array(LANDMARK_FLOATS);
  for (let i = 0; i < LANDMARK_FLOATS; i++) landmarks[i] = 0.3 + ((i * 7919) % 400) / 1000 + lmOffset;
  const blendshapes = new Float32Array(BLENDSHAPE_COUNT).fill(level);
  return { landmarks, blendshapes, matrix: composeMatrix({ q: yawQuat(yawDeg), t: [xCm, 0, -45], s: 1 }) };
}

/** Frames at 30 fps whose signal is `fn(frame)` plus Gaussian noise of the given sizes. */
export function noisyTrack(
  n: number,
  fn: (k: number) => { yaw: number; x: number; level: number; lm: number },
  noise: { yaw: number; x: number; level: number; lm: number },
  seed = 1,
): TrackFrame[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, k) => {
    const s = fn(k);
    const f = makeFace(s.yaw + noise.yaw * gauss(r), s.x + noise.x * gauss(r), s.level + noise.level * gauss(r), 0);
    const lm = Float32Array.from(f.landmarks, (v) => v + s.lm + noise.lm * gauss(r));
    return { frame: k, timeMs: (k * 1000) / 30, face: { ...f, landmarks: lm } };
  });
}

/** Async iterable over an array. */
export async function* iter<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

/** Collects an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
