/**
 * Retargeting: how the 52 MediaPipe blendshape scores drive a head's morph targets. A
 * naming-convention plugin says, for one morph target name, which scores drive it and with
 * what weights; the registry (`./index.ts`) picks plugins by name and applies per-channel
 * overrides. Browser-safe (runs in the render page and the live page).
 */

/** One score driving a morph target: `weight * score[source]`. */
export interface RetargetBinding {
  /** Index into the 52 MediaPipe scores (MEDIAPIPE_BLENDSHAPES order). */
  readonly source: number;
  /** Multiplier (1 for a one-to-one name match). */
  readonly weight: number;
}

/** A naming convention. */
export interface RetargetPlugin {
  /** Registry name (used in profiles: `"retargetPlugins": ["arkit", "suffix-lr"]`). */
  readonly name: string;
  /** One line for `noggin heads` and the README. */
  readonly description: string;
  /**
   * The bindings for the morph target `targetName`, or null when this convention does not
   * know the name. `allNames` is every morph target name of the head (some conventions
   * depend on what else the head has).
   */
  bind(targetName: string, allNames: ReadonlySet<string>): readonly RetargetBinding[] | null;
}
