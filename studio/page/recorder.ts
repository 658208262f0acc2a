/**
 * Recording the composited canvas (and the microphone, when there is one) with
 * MediaRecorder into a file the user downloads. MP4 (H.264) where the browser records it,
 * else WebM (VP9/VP8), so it works in Chromium and Firefox.
 */

/** Container/codec choices, best first. */
export const RECORDING_TYPES: readonly string[] = [
  'video/mp4;codecs=avc1,mp4a.40.2',
  'video/mp4;codecs=avc1,opus',
  'video/mp4;codecs=avc1',
  'video/mp4',
  'video/webm;codecs=vp9,opus',
  'video/webm;codecs=vp8,opus',
  'video/webm',
];

/** A finished recording. */
export interface Recording {
  readonly blob: Blob;
  readonly mimeType: string;
  /** Wall-clock length from start to stop (ms). */
  readonly durationMs: number;
  /** Suggested file name. */
  readonly fileName: string;
  /** True when the microphone was recorded. */
  readonly withAudio: boolean;
}

/** The first recording type this browser supports (with or without audio), or ''. */
export function pickRecordingType(withAudio: boolean): string {
  if (typeof MediaRecorder === 'undefined') return '';
  for (const t of RECORDING_TYPES) {
    const hasAudioCodec = /opus|mp4a/.test(t);
    if (!withAudio && hasAudioCodec) continue;
    if (MediaRecorder.isTypeSupported(t)) return t;
  }
  return '';
}

/** One recording in progress. */
export class CanvasRecorder {
  private readonly recorder: MediaRecorder;
  private readonly chunks: Blob[] = [];
  private readonly startedAt = performance.now();
  private readonly done: Promise<Recording>;
  private readonly stream: MediaStream;
  private stoppedAt = 0;

  /** Starts recording `canvas` at `fps` plus the audio tracks of `audio`. Throws when MediaRecorder is missing. */
  constructor(canvas: HTMLCanvasElement, audio: MediaStream | null, fps = 30) {
    if (typeof MediaRecorder === 'undefined') throw new Error('This browser cannot record video (no MediaRecorder).');
    const withAudio = !!audio?.getAudioTracks().length;
    const mimeType = pickRecordingType(withAudio);
    if (!mimeType) throw new Error('This browser supports no video format for recording.');
    this.stream = canvas.captureStream(fps);
    for (const t of audio?.getAudioTracks() ?? []) this.stream.addTrack(t);
    this.recorder = new MediaRecorder(this.stream, { mimeType, videoBitsPerSecond: 6_000_000 });
    this.recorder.ondataavailable = (e) => {
      if (e.data.size) this.chunks.push(e.data);
    };
    this.done = new Promise<Recording>((resolve, reject) => {
      this.recorder.onerror = (e) => reject(new Error(`recording failed (${(e as ErrorEvent).message ?? 'MediaRecorder error'})`));
      this.recorder.onstop = () => {
        const type = this.recorder.mimeType || mimeType;
        const ext = type.startsWith('video/mp4') ? 'mp4' : 'webm';
        const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
        resolve({
          blob: new Blob(this.chunks, { type: type.split(';')[0] }),
          mimeType: type,
          durationMs: (this.stoppedAt || performance.now()) - this.startedAt,
          fileName: `noggin-live-${stamp}.${ext}`,
          withAudio,
        });
      };
    });
    this.done.catch(() => undefined);
    this.recorder.start(1000);
  }

  /** Milliseconds recorded so far. */
  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Stops and resolves with the file. */
  stop(): Promise<Recording> {
    this.stoppedAt ||= performance.now();
    if (this.recorder.state !== 'inactive') this.recorder.stop();
    for (const t of this.stream.getVideoTracks()) t.stop();
    return this.done;
  }
}
