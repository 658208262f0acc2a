/**
 * ARKit names whatever their case and separators: `EyeBlinkLeft`, `eye_blink_left`,
 * `EYE-BLINK-LEFT`, and a namespace prefix before the last dot (`blendShape1.eyeBlinkLeft`,
 * as Maya exports them).
 */
import { ARKIT_BLENDSHAPES, BLENDSHAPE_INDEX } from '../../core/blendshapes.js';
import type { RetargetPlugin } from './types.js';

/** Lower case without separators. */
export function foldName(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 ? name.slice(dot + 1) : name).toLowerCase().replace(/[\s_\-.:|]+/g, '');
}

const FOLDED = new Map<string, number>(ARKIT_BLENDSHAPES.map((n) => [foldName(n), BLENDSHAPE_INDEX[n]]));

/** The MediaPipe index of a name compared without case or separators, or undefined. */
export function foldedIndex(name: string): number | undefined {
  return FOLDED.get(foldName(name));
}

export const caseInsensitivePlugin: RetargetPlugin = {
  name: 'case-insensitive',
  description: 'ARKit names in any case or separator style (EyeBlinkLeft, eye_blink_left, blendShape1.eyeBlinkLeft)',
  bind(name) {
    const i = foldedIndex(name);
    return i === undefined ? null : [{ source: i, weight: 1 }];
  },
};
