/**
 * The per-head JSON profile (assets/heads/NAME.json, assets/vrm/NAME.json): what a head
 * is called, where its file is, how its space maps onto MediaPipe's canonical face model,
 * its recolourable materials and optional per-blendshape retargeting. Browser-safe.
 *
 * Positions in a profile are canonical-face centimetres (MediaPipe's canonical face model:
 * y up, the face toward +z, +x the subject's left). The anchor maps the model file's own
 * space onto it; see `headToCanonical`.
 */
import { z } from 'zod';
import { ARKIT_BLENDSHAPES } from './blendshapes.js';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is "#rrggbb" (sRGB)');
const arkitName = z.enum(ARKIT_BLENDSHAPES as unknown as [string, ...string[]]);

/** How one blendshape channel is retargeted: out = clamp(gain * in + offset, min, max). */
export const RetargetChannelSchema = z.object({
  gain: z.number().default(1),
  offset: z.number().default(0),
  min: z.number().default(0),
  max: z.number().default(1),
});

export const HeadProfileSchema = z.object({
  format: z.literal('noggin-head'),
  version: z.literal(1),
  /** Short id, used on the command line: `--head fox`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  displayName: z.string().min(1),
  description: z.string().optional(),
  kind: z.enum(['glb', 'vrm']),
  /** The model file, relative to the profile's folder. */
  file: z.string().min(1),
  /**
   * Where the canonical face sits in the model: originCm is the model-space position of
   * the canonical origin, measured in cm, and unitsPerCm the model units per cm, so
   * canonical = rotateY(model / unitsPerCm, -yawDeg) - originCm. The shipped glb heads are
   * authored in canonical cm (origin [0,0,0], unitsPerCm 1); a VRM (metres, feet at 0)
   * has unitsPerCm 0.01 and its origin at head height.
   */
  anchor: z.object({
    originCm: vec3,
    unitsPerCm: z.number().positive(),
    /**
     * Which way the model faces, degrees about +y from canonical +z (VRM 0.x models face
     * -z: 180). A loader that already turns VRM 0.x models around should ignore it.
     */
    yawDeg: z.number().default(0),
  }),
  /** Axis-aligned bounds of the whole model, canonical cm. */
  bounds: z.object({ minCm: vec3, maxCm: vec3 }).optional(),
  /** The neck stub (a tube along y): for the compositor's neck mask. Canonical cm. */
  neck: z.object({ topCm: vec3, bottomCm: vec3, radiusCm: z.number().positive() }).optional(),
  /** Feature positions, canonical cm. */
  features: z.object({
    eyeLeftCm: vec3,
    eyeRightCm: vec3,
    mouthCm: vec3,
    noseCm: vec3.optional(),
    jawHingeCm: vec3.optional(),
  }).optional(),
  /** Base colour per material name, sRGB hex; the renderer applies these over the file's. */
  colors: z.record(z.string(), hexColor).default({}),
  /** Optional per-channel retargeting of MediaPipe's blendshape scores. */
  retarget: z.partialRecord(arkitName, RetargetChannelSchema).optional(),
});

export type HeadProfile = z.input<typeof HeadProfileSchema>;
export type ParsedHeadProfile = z.output<typeof HeadProfileSchema>;
export type RetargetChannel = z.output<typeof RetargetChannelSchema>;

/** Parses and validates a profile (throws a ZodError with the failing paths). */
export function parseHeadProfile(json: unknown): ParsedHeadProfile {
  return HeadProfileSchema.parse(json);
}

/** Maps a model-space point of the head file to canonical-face centimetres. */
export function headToCanonical(profile: Pick<ParsedHeadProfile, 'anchor'>, p: readonly [number, number, number]): [number, number, number] {
  const { originCm, unitsPerCm: k, yawDeg } = profile.anchor;
  const a = (-(yawDeg ?? 0) * Math.PI) / 180;
  const c = Math.cos(a);
  const sn = Math.sin(a);
  const x = p[0] / k;
  const y = p[1] / k;
  const z = p[2] / k;
  // Rotation about +y by a: x' = x cos a + z sin a, z' = -x sin a + z cos a.
  const r = [x * c + z * sn, y, -x * sn + z * c];
  const clean = (v: number): number => (Math.abs(v) < 1e-9 ? 0 : v);
  return [clean(r[0] - originCm[0]), clean(r[1] - originCm[1]), clean(r[2] - originCm[2])];
}

/** Applies a profile's retargeting to one channel's score (identity where none is given). */
export function retargetScore(profile: Pick<ParsedHeadProfile, 'retarget'>, name: string, score: number): number {
  const ch = profile.retarget?.[name as keyof NonNullable<ParsedHeadProfile['retarget']>];
  if (!ch) return score;
  const v = ch.gain * score + ch.offset;
  return Math.min(ch.max, Math.max(ch.min, v));
}
