/** The facial rig: where a head's features are, for the morph fields. Canonical cm. */
import type { SkinFrame } from './skin.js';
import type { EyeRig } from './eyes.js';
import type { Sdf } from './shape.js';
import type { V3 } from './vec.js';

export interface FaceRig {
  skin: SkinFrame;
  eyes: { left: EyeRig; right: EyeRig };
  /** Jaw hinge (a point on the hinge axis, which runs along x) and full-open angle, radians. */
  hinge: V3;
  jawAngle: number;
  /** Nose centre. */
  nose: V3;
  /** Cheek centres on the surface: subject's left (+x) and right. */
  cheeks: { left: V3; right: V3 };
  /** Overall displacement scale for mouth shapes (1 for a mouth about 6 cm wide). */
  mouthScale: number;
  /** The head's shape: parts that slide over it (brows) follow its surface. */
  shape?: Sdf;
}
