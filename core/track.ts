/**
 * The face track: data types and the line format of `*.track.ndjson` (version 1, see
 * DESIGN.md). Browser-safe (no Node imports); file reading and writing live in
 * `core/track-file.ts`.
 */
import { z } from 'zod';
import { BLENDSHAPE_COUNT, MEDIAPIPE_BLENDSHAPES } from './blendshapes.js';
import { LANDMARK_FLOATS } from './landmarks.js';

/** Track format identifier written in every header. */
export const TRACK_FORMAT = 'noggin-track';
/** Track format version this code writes and reads. */
export const TRACK_VERSION = 1;
/** Vertical field of view (degrees) of MediaPipe's virtual camera for the face transform. */
export const MEDIAPIPE_VERTICAL_FOV_DEG = 63;

/** One detected face in one frame. */
export interface FaceData {
  /**
   * 478 landmarks as x0,y0,z0,x1,... (length 1434). x, y: normalized [0,1] of the upright
   * (rotation-applied) frame, origin top-left, y down; z: same scale as x, smaller is closer.
   */
  readonly landmarks: Float32Array;
  /** 52 scores in [0,1], in MEDIAPIPE_BLENDSHAPES order (index 0 is `_neutral`). */
  readonly blendshapes: Float32Array;
  /**
   * 4x4 column-major transform from MediaPipe's canonical face model (cm) into the space of
   * a virtual perspective camera (cm, 63 deg vertical FOV, looking down -Z, y up).
   */
  readonly matrix: Float32Array;
}

/** One line of the track per decoded video frame. */
export interface TrackFrame {
  /** 0-based index of the decoded frame, in presentation order. */
  readonly frame: number;
  /** Presentation time in ms from the first frame (the first frame is 0). */
  readonly timeMs: number;
  /** The face, or null when none was found (and no gap fill applied). */
  readonly face: FaceData | null;
  /** True when `face` was filled in by interpolation across a short gap. */
  readonly interpolated?: boolean;
}

const num = z.number().finite();

/** Schema of the track header (line 1). Extra fields are allowed. */
export const TrackHeaderSchema = z.looseObject({
  format: z.literal(TRACK_FORMAT),
  version: z.literal(TRACK_VERSION),
  source: z.looseObject({
    path: z.string(),
    /** Upright frame width in px (after rotation metadata is applied). */
    width: z.number().int().positive(),
    /** Upright frame height in px. */
    height: z.number().int().positive(),
    /** Nominal frames per second (average for variable frame rate). */
    fps: num.positive(),
    /** Frame count as probed before decoding (the trailer has the decoded count). */
    frameCount: z.number().int().nonnegative(),
    /** Duration in ms. */
    durationMs: num.nonnegative(),
  }),
  blendshapeNames: z.array(z.string()).length(BLENDSHAPE_COUNT),
  camera: z.looseObject({ verticalFovDeg: num.positive() }),
  smoothing: z.looseObject({ mode: z.enum(['offline', 'live', 'none']) }),
});

/** The track header (line 1). */
export type TrackHeader = z.infer<typeof TrackHeaderSchema>;

/** The track trailer (last line). A track without it is incomplete. */
export interface TrackTrailer {
  readonly end: true;
  /** Number of frame lines written. */
  readonly frames: number;
}

const FaceJsonSchema = z.object({
  landmarks: z.array(num).length(LANDMARK_FLOATS),
  blendshapes: z.array(num).length(BLENDSHAPE_COUNT),
  matrix: z.array(num).length(16),
});

const FrameJsonSchema = z.looseObject({
  frame: z.number().int().nonnegative(),
  timeMs: num,
  face: FaceJsonSchema.nullable(),
  interpolated: z.boolean().optional(),
});

const TrailerSchema = z.object({ end: z.literal(true), frames: z.number().int().nonnegative() });

/** Digits kept per value when writing: landmarks 1e-5 of the frame (0.02 px at 2000 px). */
const LANDMARK_DIGITS = 5;
const BLENDSHAPE_DIGITS = 4;
const MATRIX_DIGITS = 5;

function roundArray(a: Float32Array, digits: number): string {
  const p = 10 ** digits;
  let s = '';
  for (let i = 0; i < a.length; i++) {
    if (i) s += ',';
    s += String(Math.round(a[i] * p) / p);
  }
  return s;
}

/** Serialises one frame as its track line (no newline). */
export function frameToLine(f: TrackFrame): string {
  const head = `{"frame":${f.frame},"timeMs":${Math.round(f.timeMs * 1000) / 1000}`;
  const tail = f.interpolated ? ',"interpolated":true}' : '}';
  if (!f.face) return `${head},"face":null${tail}`;
  return (
    `${head},"face":{"landmarks":[${roundArray(f.face.landmarks, LANDMARK_DIGITS)}]` +
    `,"blendshapes":[${roundArray(f.face.blendshapes, BLENDSHAPE_DIGITS)}]` +
    `,"matrix":[${roundArray(f.face.matrix, MATRIX_DIGITS)}]}${tail}`
  );
}

/** One parsed line of a track file. */
export type TrackLine =
  | { readonly kind: 'header'; readonly header: TrackHeader }
  | { readonly kind: 'frame'; readonly frame: TrackFrame }
  | { readonly kind: 'trailer'; readonly trailer: TrackTrailer };

/** Parses one line of a track file; throws an Error naming what is wrong. */
export function parseTrackLine(line: string, isFirst: boolean): TrackLine {
  const json: unknown = JSON.parse(line);
  if (isFirst) return { kind: 'header', header: TrackHeaderSchema.parse(json) };
  if (json && typeof json === 'object' && 'end' in json) {
    return { kind: 'trailer', trailer: TrailerSchema.parse(json) as TrackTrailer };
  }
  const f = FrameJsonSchema.parse(json);
  return {
    kind: 'frame',
    frame: {
      frame: f.frame,
      timeMs: f.timeMs,
      face: f.face
        ? {
            landmarks: Float32Array.from(f.face.landmarks),
            blendshapes: Float32Array.from(f.face.blendshapes),
            matrix: Float32Array.from(f.face.matrix),
          }
        : null,
      ...(f.interpolated ? { interpolated: true } : {}),
    },
  };
}

/** Builds a header with the fixed fields filled in. */
export function makeTrackHeader(
  source: TrackHeader['source'],
  smoothing: TrackHeader['smoothing'],
  extra: Record<string, unknown> = {},
): TrackHeader {
  return {
    format: TRACK_FORMAT,
    version: TRACK_VERSION,
    source,
    blendshapeNames: [...MEDIAPIPE_BLENDSHAPES],
    camera: { verticalFovDeg: MEDIAPIPE_VERTICAL_FOV_DEG },
    smoothing,
    ...extra,
  };
}
