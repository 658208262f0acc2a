/**
 * Noise settings of the smoothers, per channel group. Tuned on ../shared/videos with
 * bench/capture (jitter on still stretches vs. lag against raw).
 */
import type { ChannelGroup } from './channels.js';

/** Kalman settings of one channel group (constant-velocity model per channel). */
export interface KalmanGroupParams {
  /** Measurement noise standard deviation, in the group's units (quaternion units, cm, 1, score, normalized image units). */
  readonly measurementStd: number;
  /** Process noise: white-acceleration spectral density std, group units per s^1.5. */
  readonly accelStd: number;
}

/** One Euro settings of one channel group. */
export interface OneEuroGroupParams {
  /** Minimum cutoff frequency in Hz (lower = smoother at rest). */
  readonly minCutoffHz: number;
  /** Speed coefficient (higher = less lag when moving), per group unit per second. */
  readonly beta: number;
  /** Cutoff of the derivative filter in Hz. */
  readonly derivativeCutoffHz: number;
}

/** Offline (RTS) settings per group. */
export const DEFAULT_KALMAN: Readonly<Record<ChannelGroup, KalmanGroupParams>> = {
  rotation: { measurementStd: 0.024, accelStd: 0.6 },
  translation: { measurementStd: 1, accelStd: 25 },
  scale: { measurementStd: 0.04, accelStd: 0.2 },
  blendshapes: { measurementStd: 0.08, accelStd: 6 },
  landmarks: { measurementStd: 0.006, accelStd: 0.12 },
};

/** Live (One Euro) settings per group. */
export const DEFAULT_ONE_EURO: Readonly<Record<ChannelGroup, OneEuroGroupParams>> = {
  rotation: { minCutoffHz: 1.2, beta: 4, derivativeCutoffHz: 1 },
  translation: { minCutoffHz: 1.2, beta: 0.05, derivativeCutoffHz: 1 },
  scale: { minCutoffHz: 1, beta: 1, derivativeCutoffHz: 1 },
  blendshapes: { minCutoffHz: 2.5, beta: 2, derivativeCutoffHz: 1 },
  landmarks: { minCutoffHz: 1.5, beta: 20, derivativeCutoffHz: 1 },
};

/** Look-ahead of the offline smoother in frames: the RTS backward pass runs over this window. */
export const DEFAULT_RTS_LAG_FRAMES = 45;
