/** A segment's frames for its landmarker, at the size that follows the face. */
import { log } from '../core/log.js';
import type { TrackFrame } from '../core/track.js';
import { decodeFrames, type DecodedFrame, type VideoInfo } from '../system/ffmpeg.js';
import { faceSizePx, type AnalysisScaler, type FrameSize } from './analysis-scale.js';

/**
 * Frames after which a size switch takes effect, counted from the frame whose face decided
 * it: more than the frames in flight, so the decision is in before the frame is sent.
 */
const SWITCH_LAG_FRAMES = 6;

/**
 * One segment's frames for its landmarker, decoded at the size its AnalysisScaler chooses.
 * Faces come back through `faceOf` as they are answered; a switch decided by frame k's
 * face applies from frame k + SWITCH_LAG_FRAMES: the decode stops there and starts again
 * at the new size.
 */
export class SegmentFrames {
  /** Faces recorded so far (frames from the segment's first). */
  private answeredCount = 0;
  private waiter: { frame: number; wake: () => void } | null = null;
  private pending: { from: number; size: FrameSize } | null = null;
  private closed = false;

  constructor(
    private readonly info: VideoInfo,
    private readonly from: number,
    private readonly end: number,
    private readonly scaler: AnalysisScaler,
  ) {}

  /** Records the face found in `frame` (frames in order, from the segment's first). */
  faceOf(frame: number, face: TrackFrame['face']): void {
    const size = face ? faceSizePx(face.landmarks, this.info.width, this.info.height) : null;
    this.answeredCount++;
    const next = this.scaler.observe(size);
    if (next) this.pending = { from: frame + SWITCH_LAG_FRAMES, size: next };
    if (this.waiter && frame >= this.waiter.frame) this.waiter.wake();
  }

  /** Ends `frames()` at its next frame (the landmarker's stream ended or failed). */
  close(): void {
    this.closed = true;
    this.waiter?.wake();
  }

  /** Resolves once the face of `frame` is recorded (false: closed first). */
  private async answered(frame: number): Promise<boolean> {
    while (!this.closed && this.from + this.answeredCount <= frame) await new Promise<void>((wake) => (this.waiter = { frame, wake }));
    this.waiter = null;
    return !this.closed;
  }

  /** The segment's frames, in order, each decoded at the size in force for it. */
  async *frames(): AsyncGenerator<DecodedFrame> {
    let size = this.scaler.current;
    let next = this.from;
    while (next < this.end) {
      let switched = false;
      for await (const f of decodeFrames(this.info, { ...size, startFrame: next, endFrame: this.end, encoding: 'jpeg' })) {
        if (f.index - SWITCH_LAG_FRAMES >= this.from && !(await this.answered(f.index - SWITCH_LAG_FRAMES))) return;
        const p = this.pending;
        if (p && p.from <= f.index) {
          this.pending = null;
          size = p.size;
          next = f.index;
          switched = true;
          log.debug({ frame: f.index, width: size.width, height: size.height }, 'capture: landmarker frame size');
          break;
        }
        yield f;
        next = f.index + 1;
      }
      if (!switched) break;
    }
  }
}
