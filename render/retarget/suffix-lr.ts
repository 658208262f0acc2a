/**
 * The `_L`/`_R` suffix convention (three.js's facecap.glb, many DCC rigs): `eyeBlink_L` is
 * ARKit's `eyeBlinkLeft`. Also `.L`/`.R` (Blender), `_l`/`_r`, `Left_`/`L_` prefixes are not
 * guessed. The side is the subject's own, as in ARKit.
 */
import { foldedIndex } from './case-insensitive.js';
import type { RetargetPlugin } from './types.js';

const SUFFIX = /^(.*?)[_.\-\s]?(L|R|l|r|Left|Right|left|right)$/;

export const suffixLrPlugin: RetargetPlugin = {
  name: 'suffix-lr',
  description: 'side suffixes _L/_R (.L/.R, _l/_r): eyeBlink_L, mouthSmile_R (three.js facecap)',
  bind(name) {
    const m = SUFFIX.exec(name);
    if (!m || !m[1]) return null;
    // Only a real separator or a capitalised L/R counts (not the trailing r of "Roller").
    const sep = name.length - m[2].length - 1;
    const hasSep = sep >= 0 && /[_.\-\s]/.test(name[sep]);
    const word = m[2].length > 1;
    if (!hasSep && !word) return null;
    const side = m[2][0].toLowerCase() === 'l' ? 'Left' : 'Right';
    const i = foldedIndex(m[1] + side);
    return i === undefined ? null : [{ source: i, weight: 1 }];
  },
};
