/**
 * Per-frame face transforms of the live page, all pure (new arrays, inputs untouched):
 * mirroring a face into a mirrored (selfie) picture, and subtracting the user's neutral
 * face from the blendshapes. Browser-safe.
 */
import { BLENDSHAPE_COUNT, MEDIAPIPE_BLENDSHAPES, mirrorBlendshapeName } from '../../core/blendshapes.js';
import type { FaceData } from '../../core/track.js';

/** For each blendshape index, the index of its mirror image (Left <-> Right; others themselves). */
export const MIRRORED_BLENDSHAPE_INDEX: readonly number[] = MEDIAPIPE_BLENDSHAPES.map((n) =>
  (MEDIAPIPE_BLENDSHAPES as readonly string[]).indexOf(mirrorBlendshapeName(n)),
);

/**
 * The face as seen in the horizontally mirrored picture, driving a mascot that is itself
 * not mirrored: landmarks x -> 1 - x; matrix S * M * S with S = diag(-1, 1, 1) (a proper
 * rotation again, so the mascot's own left stays its left); blendshapes Left <-> Right,
 * because the mascot's left eye now sits where the user's right eye is shown.
 */
export function mirrorFace(face: FaceData): FaceData {
  const landmarks = new Float32Array(face.landmarks.length);
  for (let i = 0; i < landmarks.length; i += 3) {
    landmarks[i] = 1 - face.landmarks[i];
    landmarks[i + 1] = face.landmarks[i + 1];
    landmarks[i + 2] = face.landmarks[i + 2];
  }
  const blendshapes = new Float32Array(BLENDSHAPE_COUNT);
  for (let i = 0; i < BLENDSHAPE_COUNT; i++) blendshapes[MIRRORED_BLENDSHAPE_INDEX[i]] = face.blendshapes[i];
  // S M S negates the entries where exactly one of row and column is x (index 0).
  const matrix = new Float32Array(16);
  for (let col = 0; col < 4; col++) {
    for (let row = 0; row < 4; row++) {
      const flip = (row === 0) !== (col === 0);
      matrix[col * 4 + row] = flip ? -face.matrix[col * 4 + row] : face.matrix[col * 4 + row];
    }
  }
  return { landmarks, blendshapes, matrix };
}

/**
 * Blendshapes relative to a recorded neutral face: each score s becomes (s - n) / (1 - n),
 * clamped to [0, 1], so a resting face gives 0 and a full expression still reaches 1.
 * `_neutral` (index 0) is kept as is.
 */
export function subtractNeutral(blendshapes: ArrayLike<number>, neutral: ArrayLike<number>): Float32Array {
  const out = new Float32Array(blendshapes.length);
  for (let i = 0; i < blendshapes.length; i++) {
    if (i === 0) {
      out[i] = blendshapes[i];
      continue;
    }
    const n = Math.min(0.95, Math.max(0, neutral[i] ?? 0));
    out[i] = Math.min(1, Math.max(0, (blendshapes[i] - n) / (1 - n)));
  }
  return out;
}

/** The mean of several blendshape vectors (the neutral face over a short still stretch). */
export function meanBlendshapes(samples: readonly ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(BLENDSHAPE_COUNT);
  if (!samples.length) return out;
  for (const s of samples) for (let i = 0; i < BLENDSHAPE_COUNT; i++) out[i] += s[i] / samples.length;
  return out;
}
