/**
 * Blendshape names: MediaPipe Face Landmarker's 52 output categories (index 0 is
 * `_neutral`, then 51 ARKit shapes in MediaPipe's fixed order), plus the Live Link Face
 * CSV layout. Browser-safe: imported by the capture and render pages too.
 */

/** The 52 MediaPipe blendshape category names, in the landmarker's output order. */
export const MEDIAPIPE_BLENDSHAPES = [
  '_neutral',
  'browDownLeft', 'browDownRight', 'browInnerUp', 'browOuterUpLeft', 'browOuterUpRight',
  'cheekPuff', 'cheekSquintLeft', 'cheekSquintRight',
  'eyeBlinkLeft', 'eyeBlinkRight', 'eyeLookDownLeft', 'eyeLookDownRight',
  'eyeLookInLeft', 'eyeLookInRight', 'eyeLookOutLeft', 'eyeLookOutRight',
  'eyeLookUpLeft', 'eyeLookUpRight', 'eyeSquintLeft', 'eyeSquintRight',
  'eyeWideLeft', 'eyeWideRight',
  'jawForward', 'jawLeft', 'jawOpen', 'jawRight',
  'mouthClose', 'mouthDimpleLeft', 'mouthDimpleRight', 'mouthFrownLeft', 'mouthFrownRight',
  'mouthFunnel', 'mouthLeft', 'mouthLowerDownLeft', 'mouthLowerDownRight',
  'mouthPressLeft', 'mouthPressRight', 'mouthPucker', 'mouthRight',
  'mouthRollLower', 'mouthRollUpper', 'mouthShrugLower', 'mouthShrugUpper',
  'mouthSmileLeft', 'mouthSmileRight', 'mouthStretchLeft', 'mouthStretchRight',
  'mouthUpperUpLeft', 'mouthUpperUpRight', 'noseSneerLeft', 'noseSneerRight',
] as const;

/** A MediaPipe blendshape category name. */
export type MediaPipeBlendshape = (typeof MEDIAPIPE_BLENDSHAPES)[number];

/** Number of blendshape scores per frame (52). */
export const BLENDSHAPE_COUNT = MEDIAPIPE_BLENDSHAPES.length;

/** The 51 ARKit shapes MediaPipe gives (all but `_neutral`; ARKit's `tongueOut` is absent). */
export const ARKIT_BLENDSHAPES = MEDIAPIPE_BLENDSHAPES.slice(1) as readonly Exclude<MediaPipeBlendshape, '_neutral'>[];

/** Index of each MediaPipe blendshape name in a frame's score array. */
export const BLENDSHAPE_INDEX: Readonly<Record<MediaPipeBlendshape, number>> = Object.fromEntries(
  MEDIAPIPE_BLENDSHAPES.map((n, i) => [n, i]),
) as Record<MediaPipeBlendshape, number>;

/**
 * Live Link Face CSV curve columns, in the app's order and capitalisation (61 curves:
 * 52 ARKit shapes including TongueOut, head yaw/pitch/roll, and both eyes' yaw/pitch/roll).
 */
export const LIVE_LINK_FACE_CURVES = [
  'EyeBlinkLeft', 'EyeLookDownLeft', 'EyeLookInLeft', 'EyeLookOutLeft', 'EyeLookUpLeft', 'EyeSquintLeft', 'EyeWideLeft',
  'EyeBlinkRight', 'EyeLookDownRight', 'EyeLookInRight', 'EyeLookOutRight', 'EyeLookUpRight', 'EyeSquintRight', 'EyeWideRight',
  'JawForward', 'JawRight', 'JawLeft', 'JawOpen',
  'MouthClose', 'MouthFunnel', 'MouthPucker', 'MouthRight', 'MouthLeft',
  'MouthSmileLeft', 'MouthSmileRight', 'MouthFrownLeft', 'MouthFrownRight',
  'MouthDimpleLeft', 'MouthDimpleRight', 'MouthStretchLeft', 'MouthStretchRight',
  'MouthRollLower', 'MouthRollUpper', 'MouthShrugLower', 'MouthShrugUpper',
  'MouthPressLeft', 'MouthPressRight', 'MouthLowerDownLeft', 'MouthLowerDownRight',
  'MouthUpperUpLeft', 'MouthUpperUpRight',
  'BrowDownLeft', 'BrowDownRight', 'BrowInnerUp', 'BrowOuterUpLeft', 'BrowOuterUpRight',
  'CheekPuff', 'CheekSquintLeft', 'CheekSquintRight', 'NoseSneerLeft', 'NoseSneerRight',
  'TongueOut',
  'HeadYaw', 'HeadPitch', 'HeadRoll',
  'LeftEyeYaw', 'LeftEyePitch', 'LeftEyeRoll', 'RightEyeYaw', 'RightEyePitch', 'RightEyeRoll',
] as const;

/** Name of the opposite-side blendshape (`eyeBlinkLeft` <-> `eyeBlinkRight`), or the name itself. */
export function mirrorBlendshapeName(name: string): string {
  if (name.endsWith('Left')) return name.slice(0, -4) + 'Right';
  if (name.endsWith('Right')) return name.slice(0, -5) + 'Left';
  return name;
}
