/** Exact ARKit names (`eyeBlinkLeft`), as MediaPipe and most ARKit-ready heads spell them. */
import { BLENDSHAPE_INDEX, type MediaPipeBlendshape } from '../../core/blendshapes.js';
import type { RetargetPlugin } from './types.js';

/** The MediaPipe score index of an exact ARKit name (not `_neutral`), or undefined. */
export function arkitIndex(name: string): number | undefined {
  if (name === '_neutral') return undefined;
  return Object.prototype.hasOwnProperty.call(BLENDSHAPE_INDEX, name) ? BLENDSHAPE_INDEX[name as MediaPipeBlendshape] : undefined;
}

export const arkitPlugin: RetargetPlugin = {
  name: 'arkit',
  description: 'exact ARKit names (eyeBlinkLeft, jawOpen, ...)',
  bind(name) {
    const i = arkitIndex(name);
    return i === undefined ? null : [{ source: i, weight: 1 }];
  },
};
