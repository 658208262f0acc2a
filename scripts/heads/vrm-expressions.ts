/**
 * VRM expression presets as mixes of the ARKit morph targets every head carries. Left and
 * right are the avatar's own sides (lookLeft: the avatar looks toward its left, +x).
 */

export type Mix = Partial<Record<string, number>>;

/** VRM 1.0 preset name -> ARKit weights (0..1). */
export const VRM1_PRESETS: Record<string, Mix> = {
  happy: { mouthSmileLeft: 1, mouthSmileRight: 1, cheekSquintLeft: 0.6, cheekSquintRight: 0.6, eyeSquintLeft: 0.3, eyeSquintRight: 0.3 },
  angry: {
    browDownLeft: 1, browDownRight: 1, mouthFrownLeft: 0.5, mouthFrownRight: 0.5, noseSneerLeft: 0.5, noseSneerRight: 0.5,
    eyeSquintLeft: 0.4, eyeSquintRight: 0.4, mouthPressLeft: 0.3, mouthPressRight: 0.3,
  },
  sad: { browInnerUp: 1, mouthFrownLeft: 0.8, mouthFrownRight: 0.8, mouthShrugLower: 0.4, eyeBlinkLeft: 0.15, eyeBlinkRight: 0.15 },
  relaxed: { mouthSmileLeft: 0.45, mouthSmileRight: 0.45, eyeBlinkLeft: 0.35, eyeBlinkRight: 0.35, browInnerUp: 0.15 },
  surprised: {
    eyeWideLeft: 1, eyeWideRight: 1, browInnerUp: 0.9, browOuterUpLeft: 0.8, browOuterUpRight: 0.8, jawOpen: 0.45, mouthFunnel: 0.3,
  },
  aa: { jawOpen: 0.75, mouthLowerDownLeft: 0.2, mouthLowerDownRight: 0.2 },
  ih: { jawOpen: 0.2, mouthStretchLeft: 0.5, mouthStretchRight: 0.5, mouthSmileLeft: 0.2, mouthSmileRight: 0.2 },
  ou: { mouthPucker: 1, jawOpen: 0.15 },
  ee: { jawOpen: 0.15, mouthStretchLeft: 0.7, mouthStretchRight: 0.7, mouthUpperUpLeft: 0.3, mouthUpperUpRight: 0.3, mouthLowerDownLeft: 0.3, mouthLowerDownRight: 0.3 },
  oh: { mouthFunnel: 0.9, jawOpen: 0.4 },
  blink: { eyeBlinkLeft: 1, eyeBlinkRight: 1 },
  blinkLeft: { eyeBlinkLeft: 1 },
  blinkRight: { eyeBlinkRight: 1 },
  lookUp: { eyeLookUpLeft: 1, eyeLookUpRight: 1 },
  lookDown: { eyeLookDownLeft: 1, eyeLookDownRight: 1 },
  lookLeft: { eyeLookOutLeft: 1, eyeLookInRight: 1 },
  lookRight: { eyeLookInLeft: 1, eyeLookOutRight: 1 },
  neutral: {},
};

/** Override flags per VRM 1.0 preset (the rest: none). */
export const VRM1_OVERRIDES: Record<string, { overrideBlink?: string; overrideLookAt?: string; overrideMouth?: string }> = {
  surprised: { overrideBlink: 'block' },
  happy: { overrideBlink: 'blend' },
  relaxed: { overrideBlink: 'blend' },
  blink: { overrideLookAt: 'block' },
  blinkLeft: { overrideLookAt: 'block' },
  blinkRight: { overrideLookAt: 'block' },
};

/** VRM 0.x blend shape groups: [name, presetName, VRM 1.0 preset it maps from]. */
export const VRM0_GROUPS: [string, string, string][] = [
  ['Neutral', 'neutral', 'neutral'],
  ['A', 'a', 'aa'],
  ['I', 'i', 'ih'],
  ['U', 'u', 'ou'],
  ['E', 'e', 'ee'],
  ['O', 'o', 'oh'],
  ['Blink', 'blink', 'blink'],
  ['Joy', 'joy', 'happy'],
  ['Angry', 'angry', 'angry'],
  ['Sorrow', 'sorrow', 'sad'],
  ['Fun', 'fun', 'relaxed'],
  ['LookUp', 'lookup', 'lookUp'],
  ['LookDown', 'lookdown', 'lookDown'],
  ['LookLeft', 'lookleft', 'lookLeft'],
  ['LookRight', 'lookright', 'lookRight'],
  ['Blink_L', 'blink_l', 'blinkLeft'],
  ['Blink_R', 'blink_r', 'blinkRight'],
  // VRM 0.x has no surprised preset: a custom group.
  ['Surprised', 'unknown', 'surprised'],
];
