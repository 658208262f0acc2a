/**
 * The smoothing stage: `offline` (fixed-lag RTS, zero lag), `live` (One Euro, causal) or
 * `none`, as a stream transform over track frames.
 */
import type { TrackFrame } from '../../core/track.js';
import { OneEuroSmoother } from './one-euro.js';
import { DEFAULT_KALMAN, DEFAULT_ONE_EURO, DEFAULT_RTS_LAG_FRAMES } from './params.js';
import { RtsSmoother } from './rts-smoother.js';

/** Smoothing modes of `noggin capture --smoothing`. */
export const SMOOTHING_MODES = ['offline', 'live', 'none'] as const;
/** A smoothing mode. */
export type SmoothingMode = (typeof SMOOTHING_MODES)[number];

/** Settings recorded in the track header. */
export function smoothingHeader(mode: SmoothingMode): { mode: SmoothingMode; [k: string]: unknown } {
  if (mode === 'offline') return { mode, method: 'kalman-rts-fixed-lag', lagFrames: DEFAULT_RTS_LAG_FRAMES, groups: DEFAULT_KALMAN };
  if (mode === 'live') return { mode, method: 'one-euro', groups: DEFAULT_ONE_EURO };
  return { mode };
}

/** Smooths a stream of frames (in order); frames keep their index, time and null faces. */
export async function* smoothFrames(frames: AsyncIterable<TrackFrame>, mode: SmoothingMode, maxGapFrames: number): AsyncGenerator<TrackFrame> {
  if (mode === 'none') {
    yield* frames;
    return;
  }
  if (mode === 'live') {
    const f = new OneEuroSmoother(DEFAULT_ONE_EURO, maxGapFrames);
    for await (const fr of frames) yield f.push(fr);
    return;
  }
  const s = new RtsSmoother(DEFAULT_KALMAN, DEFAULT_RTS_LAG_FRAMES, maxGapFrames);
  for await (const fr of frames) yield* s.push(fr);
  yield* s.flush();
}
