/**
 * Offline smoothing: a Kalman filter (constant velocity per channel) run forward, then the
 * Rauch-Tung-Striebel backward pass, so the result has no lag. The backward pass runs over
 * a look-ahead window of `lagFrames` (fixed-lag smoothing): frames stream through with
 * bounded memory, and for windows longer than the filter's memory the result equals the
 * whole-clip RTS smoother (a test checks it). All channels of a group share one 2x2
 * covariance (same model, same observation pattern), so the cost is O(channels) per frame.
 */
import type { FaceData, TrackFrame } from '../../core/track.js';
import { CHANNEL_GROUPS, channelsToFace, faceToChannels, type ChannelGroup, type FaceChannels } from './channels.js';
import type { KalmanGroupParams } from './params.js';

type Cov = [number, number, number, number]; // [p00, p01, p10, p11]

interface GroupState {
  /** Filtered state, channel-interleaved (pos, vel). */
  readonly xf: Float64Array;
  /** Predicted state before the update (same layout); equals xf at a segment start. */
  readonly xp: Float64Array;
  readonly pf: Cov;
  readonly pp: Cov;
}

interface Entry {
  readonly frame: TrackFrame;
  /** Segment id: the filter restarts after a gap longer than maxGapFrames. */
  readonly seg: number;
  /** Seconds since the previous entry. */
  readonly dt: number;
  readonly groups: Record<ChannelGroup, GroupState> | null;
}

function predictCov(p: Cov, dt: number, q: number): Cov {
  // F P F' + Q with F = [[1, dt], [0, 1]], Q = q^2 [[dt^3/3, dt^2/2], [dt^2/2, dt]].
  const a = p[0] + dt * (p[1] + p[2]) + dt * dt * p[3];
  const b = p[1] + dt * p[3];
  const c = p[2] + dt * p[3];
  const q2 = q * q;
  return [a + (q2 * dt ** 3) / 3, b + (q2 * dt * dt) / 2, c + (q2 * dt * dt) / 2, p[3] + q2 * dt];
}

/** Streaming fixed-lag RTS smoother over track frames. */
export class RtsSmoother {
  private readonly window: Entry[] = [];
  private seg = 0;
  private lastTimeMs: number | null = null;
  private lastFaceFrame = -Infinity;
  private prevQuat: number[] | undefined;
  private last: Entry | null = null;

  /**
   * @param params noise settings per channel group
   * @param lagFrames look-ahead of the backward pass (frames)
   * @param maxGapFrames frames without a face after which the filter restarts
   */
  constructor(
    private readonly params: Readonly<Record<ChannelGroup, KalmanGroupParams>>,
    private readonly lagFrames: number,
    private readonly maxGapFrames: number,
  ) {}

  /** Adds the next frame; returns the frames whose smoothing is final, in order. */
  push(frame: TrackFrame): TrackFrame[] {
    const dt = this.lastTimeMs === null ? 0 : Math.max(1e-4, (frame.timeMs - this.lastTimeMs) / 1000);
    this.lastTimeMs = frame.timeMs;
    let groups: Record<ChannelGroup, GroupState> | null = null;
    if (frame.face) {
      const newSeg = frame.frame - this.lastFaceFrame > this.maxGapFrames + 1 || !this.last;
      if (newSeg) this.seg++;
      const z = faceToChannels(frame.face, this.prevQuat);
      this.prevQuat = [...z.rotation];
      groups = this.forward(z, newSeg ? null : this.last, dt);
      this.lastFaceFrame = frame.frame;
    } else if (this.last?.groups && frame.frame - this.lastFaceFrame <= this.maxGapFrames) {
      groups = this.forward(null, this.last, dt);
    }
    const entry: Entry = { frame, seg: this.seg, dt, groups };
    if (groups) this.last = entry;
    this.window.push(entry);
    const out: TrackFrame[] = [];
    while (this.window.length > this.lagFrames) out.push(this.emit());
    return out;
  }

  /** Returns every frame still held (end of the stream). */
  flush(): TrackFrame[] {
    const out: TrackFrame[] = [];
    while (this.window.length) out.push(this.emit());
    return out;
  }

  private forward(z: FaceChannels | null, prev: Entry | null, dt: number): Record<ChannelGroup, GroupState> {
    const res = {} as Record<ChannelGroup, GroupState>;
    for (const g of CHANNEL_GROUPS) {
      const { measurementStd: rs, accelStd: q } = this.params[g];
      const r = rs * rs;
      const p = prev?.groups?.[g];
      if (!p) {
        // Segment start: position from the measurement, velocity unknown.
        const zz = z![g];
        const xf = new Float64Array(zz.length * 2);
        for (let i = 0; i < zz.length; i++) xf[2 * i] = zz[i];
        const pv = (rs / Math.max(dt, 1 / 60)) ** 2 * 4;
        const pf: Cov = [r, 0, 0, pv];
        res[g] = { xf, xp: xf, pf, pp: pf };
        continue;
      }
      const n = p.xf.length;
      const xp = new Float64Array(n);
      for (let i = 0; i < n; i += 2) {
        xp[i] = p.xf[i] + dt * p.xf[i + 1];
        xp[i + 1] = p.xf[i + 1];
      }
      const pp = predictCov(p.pf, dt, q);
      if (!z) {
        res[g] = { xf: xp, xp, pf: pp, pp };
        continue;
      }
      const s = pp[0] + r;
      const k0 = pp[0] / s;
      const k1 = pp[2] / s;
      const xf = new Float64Array(n);
      const zz = z[g];
      for (let i = 0, c = 0; i < n; i += 2, c++) {
        const innov = zz[c] - xp[i];
        xf[i] = xp[i] + k0 * innov;
        xf[i + 1] = xp[i + 1] + k1 * innov;
      }
      const pf: Cov = [(1 - k0) * pp[0], (1 - k0) * pp[1], pp[2] - k1 * pp[0], pp[3] - k1 * pp[1]];
      res[g] = { xf, xp, pf, pp };
    }
    return res;
  }

  private emit(): TrackFrame {
    const t = this.window.shift()!;
    if (!t.frame.face || !t.groups) return t.frame;
    // Newest entry of the same segment in the window.
    let n = -1;
    for (let i = this.window.length - 1; i >= 0; i--) {
      if (this.window[i].seg === t.seg && this.window[i].groups) {
        n = i;
        break;
      }
    }
    const chain = [t, ...this.window.slice(0, n + 1)];
    const smoothed = {} as FaceChannels;
    for (const g of CHANNEL_GROUPS) {
      let xs = chain[chain.length - 1].groups![g].xf;
      for (let k = chain.length - 2; k >= 0; k--) {
        const cur = chain[k].groups![g];
        const next = chain[k + 1].groups![g];
        const dt = chain[k + 1].dt;
        const [a, b, c, d] = cur.pf;
        // C = Pf F' Pp^-1
        const m00 = a + b * dt, m01 = b, m10 = c + d * dt, m11 = d;
        const [p0, p1, p2, p3] = next.pp;
        const det = p0 * p3 - p1 * p2 || 1e-30;
        const i00 = p3 / det, i01 = -p1 / det, i10 = -p2 / det, i11 = p0 / det;
        const c00 = m00 * i00 + m01 * i10, c01 = m00 * i01 + m01 * i11;
        const c10 = m10 * i00 + m11 * i10, c11 = m10 * i01 + m11 * i11;
        const out = new Float64Array(xs.length);
        const xf = cur.xf;
        const xp = next.xp;
        for (let i = 0; i < xs.length; i += 2) {
          const e0 = xs[i] - xp[i];
          const e1 = xs[i + 1] - xp[i + 1];
          out[i] = xf[i] + c00 * e0 + c01 * e1;
          out[i + 1] = xf[i + 1] + c10 * e0 + c11 * e1;
        }
        xs = out;
      }
      const pos = new Float64Array(xs.length / 2);
      for (let i = 0; i < pos.length; i++) pos[i] = xs[2 * i];
      smoothed[g] = pos;
    }
    const face: FaceData = channelsToFace(smoothed);
    return { ...t.frame, face };
  }
}
