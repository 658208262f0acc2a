/**
 * The size of the frames the landmarker sees, following the face it tracks.
 *
 * MediaPipe's landmark model looks at the face through a 256x256 crop about 1.5 times the
 * face's size, so a face more than about 200 px tall is scaled down inside MediaPipe
 * anyway. Scaling the frames down before they reach it saves what grows with their size:
 * the JPEG made by ffmpeg and decoded by Chromium, the upload to WebGL and MediaPipe's
 * readback. Each segment of a clip starts at the largest size (`--analysis-size`); once its
 * first faces are in, it switches once to the smallest size at which they stay at least
 * `minFacePx` tall, and back up to the largest for the rest of the segment when the face
 * shrinks below that or is lost for a few frames (the face detector needs the pixels to
 * find small faces). A switch takes effect a fixed number of frames after the face that
 * decided it, so a clip always switches at the same frames and its track is deterministic.
 */
import { analysisSize, type VideoInfo } from '../system/ffmpeg.js';

/** Default smallest face height (px) in the landmarker's frames; 0 turns the scaling off. */
export const DEFAULT_ANALYSIS_FACE_PX = 160;

/** Faces seen at the largest size before the size is chosen. */
const PROBE_FACES = 5;
/** Long sides are multiples of this (px), so nearby faces give the same size. */
const SIDE_STEP = 64;
/** Smallest long side chosen (px): below it the face detector misses more than it saves. */
const MIN_LONG_SIDE = 384;
/** A smaller size is only worth a switch (a new decode from the last keyframe) below this share of the current one. */
const WORTHWHILE = 0.85;
/** Back to the largest size when the face is this much below `minFacePx`... */
const SHRINK = 0.8;
/** ...or has been missing for this many frames in a row. */
const LOST_FRAMES = 3;

/** A frame size (px, even). */
export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/** The face's size in source pixels: the larger side of its landmarks' bounding box. */
export function faceSizePx(landmarks: ArrayLike<number>, width: number, height: number): number {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 2 < landmarks.length; i += 3) {
    const x = landmarks[i];
    const y = landmarks[i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x1 < x0 ? 0 : Math.max((x1 - x0) * width, (y1 - y0) * height);
}

/**
 * Chooses the landmarker's frame size from the faces of one segment, fed in frame order.
 * States: probing at the largest size, then either reduced or at the largest size for good.
 */
export class AnalysisScaler {
  /** The largest size (the `--analysis-size` cap). */
  readonly largest: FrameSize;
  private size: FrameSize;
  private state: 'probe' | 'reduced' | 'final' = 'probe';
  private readonly probe: number[] = [];
  private missed = 0;

  constructor(
    private readonly info: Pick<VideoInfo, 'width' | 'height'>,
    maxAnalysisSide: number,
    /** Smallest face height (px) the frames keep; 0: always the largest size. */
    private readonly minFacePx: number,
  ) {
    this.largest = analysisSize(info as VideoInfo, maxAnalysisSide);
    this.size = this.largest;
    if (minFacePx <= 0) this.state = 'final';
  }

  /** The size in use. */
  get current(): FrameSize {
    return this.size;
  }

  /**
   * Takes the face found in the next frame (its size in source pixels, or null for none);
   * returns the size to switch to, or null to keep the current one.
   */
  observe(facePx: number | null): FrameSize | null {
    if (this.state === 'final') return null;
    if (facePx === null || facePx <= 0) {
      if (this.state === 'reduced' && ++this.missed >= LOST_FRAMES) return this.settle(this.largest);
      return null;
    }
    this.missed = 0;
    const srcLong = Math.max(this.info.width, this.info.height);
    if (this.state === 'reduced') {
      const atSize = (facePx * Math.max(this.size.width, this.size.height)) / srcLong;
      return atSize < this.minFacePx * SHRINK ? this.settle(this.largest) : null;
    }
    this.probe.push(facePx);
    if (this.probe.length < PROBE_FACES) return null;
    // The smallest face of the probe decides: the size must suit all of them.
    const face = Math.min(...this.probe);
    const largestLong = Math.max(this.largest.width, this.largest.height);
    const long = Math.min(largestLong, Math.max(MIN_LONG_SIDE, Math.ceil((this.minFacePx * srcLong) / face / SIDE_STEP) * SIDE_STEP));
    if (long >= largestLong * WORTHWHILE) return this.settle(null);
    this.state = 'reduced';
    this.size = analysisSize(this.info as VideoInfo, long);
    return this.size;
  }

  private settle(size: FrameSize | null): FrameSize | null {
    this.state = 'final';
    if (!size || (size.width === this.size.width && size.height === this.size.height)) return null;
    this.size = size;
    return size;
  }
}
