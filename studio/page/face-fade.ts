/** What the mascot does when the face is lost: it holds its last pose briefly, then fades out. Pure. */

/** A lost face keeps its last pose this long (ms)... */
export const HOLD_MS = 300;
/** ...then the mascot (and the head hiding) fades out over this long (ms). */
export const FADE_MS = 500;

/** Opacity (0..1) of the mascot `ageMs` after the face was last seen (Infinity: never seen). */
export function lostFaceOpacity(ageMs: number): number {
  if (ageMs <= HOLD_MS) return 1;
  return Math.max(0, 1 - (ageMs - HOLD_MS) / FADE_MS);
}
