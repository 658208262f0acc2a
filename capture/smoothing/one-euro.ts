/**
 * Live smoothing: the One Euro filter (Casiez et al. 2012) per channel, causal, with a
 * speed-dependent cutoff so slow motion is smoothed hard and fast motion follows closely.
 */
import type { TrackFrame } from '../../core/track.js';
import { CHANNEL_GROUPS, channelsToFace, faceToChannels, type ChannelGroup, type FaceChannels } from './channels.js';
import type { OneEuroGroupParams } from './params.js';

function alpha(cutoffHz: number, dt: number): number {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dt);
}

/** Streaming One Euro filter over track frames (output = input frame count, no delay). */
export class OneEuroSmoother {
  private x: FaceChannels | null = null;
  private dx: FaceChannels | null = null;
  private lastTimeMs = 0;
  private lastFaceFrame = -Infinity;

  /**
   * @param params settings per channel group
   * @param maxGapFrames frames without a face after which the filter restarts
   */
  constructor(
    private readonly params: Readonly<Record<ChannelGroup, OneEuroGroupParams>>,
    private readonly maxGapFrames: number,
  ) {}

  /** Filters one frame (a new frame is returned; the input is not modified). */
  push(frame: TrackFrame): TrackFrame {
    if (!frame.face) return frame;
    const z = faceToChannels(frame.face, this.x?.rotation);
    const restart = !this.x || frame.frame - this.lastFaceFrame > this.maxGapFrames + 1;
    const dt = Math.max(1e-4, (frame.timeMs - this.lastTimeMs) / 1000);
    this.lastTimeMs = frame.timeMs;
    this.lastFaceFrame = frame.frame;
    if (restart) {
      this.x = z;
      this.dx = Object.fromEntries(CHANNEL_GROUPS.map((g) => [g, new Float64Array(z[g].length)])) as FaceChannels;
      return frame;
    }
    const nx = {} as FaceChannels;
    const ndx = {} as FaceChannels;
    for (const g of CHANNEL_GROUPS) {
      const p = this.params[g];
      const prev = this.x![g];
      const prevD = this.dx![g];
      const cur = z[g];
      const ad = alpha(p.derivativeCutoffHz, dt);
      const ox = new Float64Array(cur.length);
      const od = new Float64Array(cur.length);
      for (let i = 0; i < cur.length; i++) {
        const d = (cur[i] - prev[i]) / dt;
        od[i] = prevD[i] + ad * (d - prevD[i]);
        const a = alpha(p.minCutoffHz + p.beta * Math.abs(od[i]), dt);
        ox[i] = prev[i] + a * (cur[i] - prev[i]);
      }
      nx[g] = ox;
      ndx[g] = od;
    }
    this.x = nx;
    this.dx = ndx;
    return { ...frame, face: channelsToFace(nx) };
  }
}
