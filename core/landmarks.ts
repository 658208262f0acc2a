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

/** Points whose frame-to-frame motion is measured for jitter (spread over the face). */
export const JITTER_PROBE_POINTS = [1, 10, 152, 33, 133, 263, 362, 61, 291, 13, 14, 234, 454] as const;
