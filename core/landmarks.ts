/**
 * Named tables of MediaPipe Face Landmarker indices (478-point mesh: 468 face points plus
 * 10 iris points). "Left"/"Right" are the subject's own sides, as in MediaPipe's
 * blendshape names: in an unmirrored image the subject's left eye is on the image's right.
 * Every landmark index used anywhere in noggin lives here.
 */

/** Number of landmarks per face. */
export const LANDMARK_COUNT = 478;
/** Floats per face in a flat landmark array (x, y, z per landmark). */
export const LANDMARK_FLOATS = LANDMARK_COUNT * 3;

/** Single key points. */
export const KEY_POINTS = {
  noseTip: 1,
  foreheadTop: 10,
  chin: 152,
  upperLipInner: 13,
  lowerLipInner: 14,
  mouthCornerRight: 61,
  mouthCornerLeft: 291,
  rightEyeOuter: 33,
  rightEyeInner: 133,
  leftEyeOuter: 263,
  leftEyeInner: 362,
  rightIrisCenter: 468,
  leftIrisCenter: 473,
  rightCheek: 234,
  leftCheek: 454,
  rightEyeUpperLid: 159,
  rightEyeLowerLid: 145,
  leftEyeUpperLid: 386,
  leftEyeLowerLid: 374,
} as const;

/** The face oval, clockwise from the forehead top (36 points). */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
  152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
] as const;

/** The jaw line, from the right ear region under the chin to the left (subset of the oval). */
export const JAW_LINE = [
  234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361, 323, 454,
] as const;

/**
 * Points whose frame-to-frame motion is measured for jitter: rigid parts of the face only
 * (nose, nose bridge, forehead, eye corners, cheekbones), so talking does not count as jitter.
 */
export const JITTER_PROBE_POINTS = [1, 4, 6, 168, 10, 33, 133, 263, 362, 234, 454] as const;

/**
 * Alignment anchors: for each named point of the canonical face, the landmarks whose mean
 * marks it in a frame. Used to check that a rendered head lines up with the presenter
 * (render's alignment test) and by heads whose profiles name anchor points.
 */
export const ALIGNMENT_ANCHORS = {
  noseTip: [1],
  rightEyeCenter: [33, 133, 159, 145],
  leftEyeCenter: [263, 362, 386, 374],
  chin: [152],
} as const;

/**
 * Landmarks the renderer fits the canonical face to (render/pose-fit.ts): nose tip and
 * front, eye corners and lids, chin, mouth corners. Points that move little with
 * expressions and that MediaPipe tracks well.
 */
export const POSE_FIT_POINTS = [1, 4, 33, 133, 263, 362, 152, 159, 145, 386, 374, 61, 291] as const;

/**
 * Skin points whose brightness tells where the light comes from (`render/lighting.ts`):
 * cheeks, forehead and the jaw below the cheeks, away from eyes, brows, lips and hair.
 */
export const LIGHTING_PROBES = {
  rightCheek: [50, 101, 118, 117, 205, 187],
  leftCheek: [280, 330, 347, 346, 425, 411],
  forehead: [151, 108, 337, 9, 69, 299],
  jaw: [199, 175, 200, 207, 427],
} as const;
