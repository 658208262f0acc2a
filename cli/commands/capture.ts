/** `noggin capture VIDEO [-o TRACK] [--csv FILE] [--smoothing MODE]` */
import type { Command } from 'commander';
import { captureVideo } from '../../capture/index.js';
import { parseSessionUrl, publishTrack, type PublishResult } from '../../bridge/index.js';
import { AsyncQueue } from '../../core/async-queue.js';
import type { TrackFrame } from '../../core/track.js';
import type { SmoothingMode } from '../../capture/smoothing/index.js';
import { userPath } from '../../system/paths.js';
import { addOptions, CAPTURE_OPTIONS, OPTIONS, option, resolveModel } from '../options.js';
import { createProgress } from '../progress.js';

/** Default track path for a video: same folder and name, `.track.ndjson`. */
export function defaultTrackPath(video: string): string {
  return video.replace(/\.[^./\\]+$/, '') + '.track.ndjson';
}

/** Registers the command. */
export function registerCapture(program: Command): void {
  const cmd = program
    .command('capture')
    .description('track the face in a video and write a face track (*.track.ndjson)')
    .argument('<video>', 'input video file')
    .addOption(option(OPTIONS.output))
    .addOption(option(OPTIONS.csv));
  addOptions(cmd, [...CAPTURE_OPTIONS, 'publish', 'json'])
    .action(async (video: string, o: Record<string, unknown>) => {
      const input = userPath(video);
      const output = userPath((o.output as string | undefined) ?? defaultTrackPath(video));
      const progress = createProgress('capture', !!o.json);
      // --publish: frames also go to a bridge session; capture waits when the bridge lags.
      const publishUrl = o.publish as string | undefined;
      const session = publishUrl ? parseSessionUrl(publishUrl).session : '';
      const queue = new AsyncQueue<TrackFrame>();
      let publishing: Promise<PublishResult> | null = null;
      try {
        const s = await captureVideo({
          input,
          output,
          csv: o.csv ? userPath(o.csv as string) : undefined,
          smoothing: o.smoothing as SmoothingMode,
          fillGapFrames: o.fillGaps as number,
          workers: o.workers as number,
          maxAnalysisSide: o.analysisSize as number,
          analysisFacePx: o.analysisFace as number,
          minDetectionConfidence: o.minDetectionConfidence as number,
          modelPath: userPath(resolveModel(o.model as string | undefined)),
          onProgress: (p) => progress.update(p.frames, p.total, { fps: p.fps, faces: p.faces }),
          onHeader: publishUrl
            ? (h) => {
                publishing = publishTrack(publishUrl, session, h, queue);
                publishing.catch((e) => queue.fail(e));
              }
            : undefined,
          onFrame: publishUrl
            ? async (f) => {
                queue.push(f);
                await Promise.race([queue.whenBelow(64), publishing]);
              }
            : undefined,
        });
        queue.end();
        if (publishing) await publishing;
        progress.finish({
          output,
          frames: s.frames,
          faces: s.faces,
          facePercent: Math.round((1000 * s.faces) / s.frames) / 10,
          interpolated: s.interpolated,
          fps: Math.round(s.fps * 10) / 10,
          seconds: Math.round(s.elapsedMs / 100) / 10,
        });
      } catch (e) {
        queue.fail(e);
        progress.stop();
        throw e;
      }
    });
}
