/**
 * Ready Player Me avatars: ARKit names (handled by the `arkit` plugin) plus RPM's own
 * shapes: `mouthOpen`, `mouthSmile`, `eyesClosed`, `eyesLookUp`, `eyesLookDown`, and the
 * Oculus visemes `viseme_aa`, `viseme_O`... Visemes are derived from the mouth scores, and
 * only when the head lacks ARKit mouth shapes (otherwise both would move the mouth).
 */
import { BLENDSHAPE_INDEX as I } from '../../core/blendshapes.js';
import type { RetargetBinding, RetargetPlugin } from './types.js';

const both = (a: number, b: number, w = 0.5): RetargetBinding[] => [
  { source: a, weight: w },
  { source: b, weight: w },
];

const RPM: Readonly<Record<string, readonly RetargetBinding[]>> = {
  mouthOpen: [{ source: I.jawOpen, weight: 1 }],
  mouthSmile: both(I.mouthSmileLeft, I.mouthSmileRight),
  eyesClosed: both(I.eyeBlinkLeft, I.eyeBlinkRight),
  eyesLookUp: both(I.eyeLookUpLeft, I.eyeLookUpRight),
  eyesLookDown: both(I.eyeLookDownLeft, I.eyeLookDownRight),
};

/** Oculus visemes from MediaPipe's mouth shapes (a rough, linear mapping). */
const VISEMES: Readonly<Record<string, readonly RetargetBinding[]>> = {
  viseme_sil: [],
  viseme_aa: [{ source: I.jawOpen, weight: 1 }],
  viseme_O: [{ source: I.mouthFunnel, weight: 1 }],
  viseme_U: [{ source: I.mouthPucker, weight: 1 }],
  viseme_E: both(I.mouthStretchLeft, I.mouthStretchRight),
  viseme_I: both(I.mouthSmileLeft, I.mouthSmileRight, 0.4),
  viseme_PP: both(I.mouthPressLeft, I.mouthPressRight),
  viseme_FF: [{ source: I.mouthRollLower, weight: 1 }],
  viseme_TH: [],
  viseme_DD: [],
  viseme_kk: [],
  viseme_CH: [{ source: I.mouthShrugUpper, weight: 0.5 }],
  viseme_SS: both(I.mouthStretchLeft, I.mouthStretchRight, 0.25),
  viseme_nn: [],
  viseme_RR: [{ source: I.mouthPucker, weight: 0.4 }],
};

const ARKIT_MOUTH = ['jawOpen', 'mouthFunnel', 'mouthPucker', 'mouthSmileLeft', 'mouthClose'];

export const readyPlayerMePlugin: RetargetPlugin = {
  name: 'ready-player-me',
  description: 'Ready Player Me: mouthOpen, mouthSmile, eyesClosed, eyesLookUp/Down and viseme_* (visemes only without ARKit mouth shapes)',
  bind(name, all) {
    const r = RPM[name];
    if (r) return r;
    const v = VISEMES[name];
    if (!v) return null;
    if (ARKIT_MOUTH.some((n) => all.has(n))) return [];
    return v;
  },
};
