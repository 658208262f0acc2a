/**
 * MediaPipe Face Landmarker results -> noggin's FaceData, for the capture page and the
 * studio's live tab: 478 landmarks, 52 blendshapes in MediaPipe order (by name, so a
 * reordered model cannot scramble them), the 4x4 matrix. Browser-safe, pure.
 */
import type { FaceLandmarkerResult } from '@mediapipe/tasks-vision';
import { BLENDSHAPE_COUNT, MEDIAPIPE_BLENDSHAPES } from '../../core/blendshapes.js';
import { LANDMARK_COUNT } from '../../core/landmarks.js';
import type { FaceData } from '../../core/track.js';

const NAME_INDEX = new Map<string, number>((MEDIAPIPE_BLENDSHAPES as readonly string[]).map((n, i) => [n, i]));
/** A pose 50 cm in front of the camera, used when the model gives no matrix. */
const FALLBACK_MATRIX = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -50, 1];

/**
 * The first face of a result, or null when there is none. Unknown category names are
 * skipped (and passed to `onUnknown`).
 */
export function faceFromResult(r: FaceLandmarkerResult, onUnknown?: (name: string) => void): FaceData | null {
  const lm = r.faceLandmarks?.[0];
  if (!lm || lm.length < LANDMARK_COUNT) return null;
  const landmarks = new Float32Array(LANDMARK_COUNT * 3);
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    landmarks[i * 3] = lm[i].x;
    landmarks[i * 3 + 1] = lm[i].y;
    landmarks[i * 3 + 2] = lm[i].z;
  }
  const blendshapes = new Float32Array(BLENDSHAPE_COUNT);
  for (const c of r.faceBlendshapes?.[0]?.categories ?? []) {
    const at = NAME_INDEX.get(c.categoryName);
    if (at !== undefined) blendshapes[at] = c.score;
    else onUnknown?.(c.categoryName);
  }
  const m = r.facialTransformationMatrixes?.[0]?.data;
  const matrix = Float32Array.from(m && m.length === 16 ? m : FALLBACK_MATRIX);
  return { landmarks, blendshapes, matrix };
}
