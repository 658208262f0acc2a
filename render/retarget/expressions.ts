/**
 * Retargeting the 52 MediaPipe scores onto named expressions (VRM presets and custom
 * expressions): visemes from the mouth shapes, blinks, look directions from the eye shapes,
 * emotions from smile, frown and brows. A custom expression named like an ARKit shape (in
 * any case) follows that score. Browser-safe.
 */
import { BLENDSHAPE_INDEX as I } from '../../core/blendshapes.js';
import { foldedIndex } from './case-insensitive.js';

/** Something with named expression weights (see loaders/types.ts HeadExpressions). */
export interface ExpressionSink {
  readonly names: readonly string[];
  set(name: string, weight: number): void;
  update(): void;
  setGaze?(yawDeg: number, pitchDeg: number): void;
}

/** Eye direction from the eye-look scores, degrees: yaw + toward the subject's left, pitch + up. */
export function gazeFromScores(s: ArrayLike<number>): { yawDeg: number; pitchDeg: number } {
  const left = avg(s, I.eyeLookOutLeft, I.eyeLookInRight);
  const right = avg(s, I.eyeLookInLeft, I.eyeLookOutRight);
  const up = avg(s, I.eyeLookUpLeft, I.eyeLookUpRight);
  const down = avg(s, I.eyeLookDownLeft, I.eyeLookDownRight);
  return { yawDeg: (left - right) * 25, pitchDeg: (up - down) * 20 };
}

const avg = (s: ArrayLike<number>, a: number, b: number) => ((s[a] ?? 0) + (s[b] ?? 0)) / 2;
const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** VRM preset expression weights from MediaPipe scores. Keys are VRM 1.0 preset names. */
export function vrmPresetWeights(s: ArrayLike<number>): Record<string, number> {
  const smile = avg(s, I.mouthSmileLeft, I.mouthSmileRight);
  const frown = avg(s, I.mouthFrownLeft, I.mouthFrownRight);
  const browDown = avg(s, I.browDownLeft, I.browDownRight);
  const wide = avg(s, I.eyeWideLeft, I.eyeWideRight);
  const jaw = s[I.jawOpen] ?? 0;
  return {
    aa: clamp01(jaw * 1.2),
    ih: clamp01(smile * 0.5 * (1 - jaw)),
    ou: clamp01(s[I.mouthPucker] ?? 0),
    ee: clamp01(avg(s, I.mouthStretchLeft, I.mouthStretchRight) * 1.5),
    oh: clamp01((s[I.mouthFunnel] ?? 0) * 1.2),
    // Both eyes closed is `blink`; what one eye closes more is its own wink.
    blink: clamp01(Math.min(s[I.eyeBlinkLeft] ?? 0, s[I.eyeBlinkRight] ?? 0)),
    blinkLeft: clamp01((s[I.eyeBlinkLeft] ?? 0) - Math.min(s[I.eyeBlinkLeft] ?? 0, s[I.eyeBlinkRight] ?? 0)),
    blinkRight: clamp01((s[I.eyeBlinkRight] ?? 0) - Math.min(s[I.eyeBlinkLeft] ?? 0, s[I.eyeBlinkRight] ?? 0)),
    happy: clamp01(smile * 1.2),
    angry: clamp01(browDown * 1.2),
    sad: clamp01(frown * 1.5 + (s[I.browInnerUp] ?? 0) * 0.3 * (1 - smile)),
    relaxed: 0,
    surprised: clamp01(wide * 0.8 + (s[I.browInnerUp] ?? 0) * 0.4 + jaw * 0.2 - 0.2),
    lookUp: clamp01(avg(s, I.eyeLookUpLeft, I.eyeLookUpRight)),
    lookDown: clamp01(avg(s, I.eyeLookDownLeft, I.eyeLookDownRight)),
    // Subject looking toward their own left: left eye looks out, right eye looks in.
    lookLeft: clamp01(avg(s, I.eyeLookOutLeft, I.eyeLookInRight)),
    lookRight: clamp01(avg(s, I.eyeLookInLeft, I.eyeLookOutRight)),
    neutral: 0,
  };
}

/** VRM 0.x preset names -> VRM 1.0 names. */
export const VRM0_PRESET_NAMES: Readonly<Record<string, string>> = {
  a: 'aa', i: 'ih', u: 'ou', e: 'ee', o: 'oh',
  blink: 'blink', blink_l: 'blinkLeft', blink_r: 'blinkRight',
  joy: 'happy', angry: 'angry', sorrow: 'sad', fun: 'relaxed',
  lookup: 'lookUp', lookdown: 'lookDown', lookleft: 'lookLeft', lookright: 'lookRight',
  neutral: 'neutral',
};

/** Sets every expression of `sink` from the scores and applies them. */
export function driveExpressions(sink: ExpressionSink, scores: ArrayLike<number>): void {
  const preset = vrmPresetWeights(scores);
  for (const name of sink.names) {
    let w = preset[name];
    if (w === undefined) {
      const i = foldedIndex(name);
      w = i === undefined ? 0 : clamp01(scores[i] ?? 0);
    }
    sink.set(name, w);
  }
  if (sink.setGaze) {
    const g = gazeFromScores(scores);
    sink.setGaze(g.yawDeg, g.pitchDeg);
  }
  sink.update();
}
