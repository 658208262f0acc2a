/** `noggin run VIDEO --head NAME|FILE -o OUT.mp4`: the main job, all stages pipelined. */
import type { Command } from 'commander';
import type { Antialias } from '../../core/page-contract.js';
import type { LightingMode } from '../../render/footage-lighting.js';
import { basename } from 'node:path';
import type { SmoothingMode } from '../../capture/smoothing/index.js';
import { runJob } from '../../composite/index.js';
import type { AlignMode } from '../../render/index.js';
import { userPath, PROJECT_ROOT } from '../../system/paths.js';
import { addOptions, HEAD_OPTIONS, OPTIONS, option, resolveModel, RUN_CAPTURE_OPTIONS } from '../options.js';
import { createProgress, type Progress } from '../progress.js';
import { join } from 'node:path';

/** The bundled sample clip, the default input of `noggin run`. */
export const SAMPLE_CLIP = join(PROJECT_ROOT, 'assets', 'samples', 'presenter.mp4');

/** Registers the command. */
export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('the main job: put the mascot head on the person in VIDEO (capture, render and composite in one pipeline)')
    .argument('[video]', 'the source video (default: the bundled sample clip)')
    .addOption(option({ ...OPTIONS.head, default: 'fox' }))
    .addOption(option(OPTIONS.videoOutput))
    .addOption(option(OPTIONS.crf))
    .addOption(option(OPTIONS.preset))
    .addOption(option(OPTIONS.videoCodec))
    .addOption(option(OPTIONS.sheet))
    .addOption(option(OPTIONS.keepTrack))
    .addOption(option(OPTIONS.plateSamples));
  addOptions(cmd, [...RUN_CAPTURE_OPTIONS, ...HEAD_OPTIONS, 'json']).action(async (video: string | undefined, o: Record<string, unknown>) => {
      const input = userPath(video ?? SAMPLE_CLIP);
      const head = o.head as string;
      const output = userPath((o.output as string | undefined) ?? input.replace(/\.[^./\\]+$/, '') + `.${basename(head).replace(/\.[^.]+$/, '')}.mp4`);
      const bars: Record<string, Progress> = {};
      const bar = (stage: string) => (bars[stage] ??= createProgress(stage, !!o.json));
      try {
        const s = await runJob({
          video: input,
          head,
          output,
          keepTrack: !!o.keepTrack,
          sheet: !!o.sheet,
          crf: o.crf as number,
          preset: o.preset as never,
          codec: o.codec as 'h264' | 'h265' | 'prores',
          plateSamples: o.plateSamples as number,
          smoothing: o.smoothing as SmoothingMode,
          fillGapFrames: o.fillGaps as number,
          workers: o.workers as number,
          maxAnalysisSide: o.analysisSize as number,
          analysisFacePx: o.analysisFace as number,
          minDetectionConfidence: o.minDetectionConfidence as number,
          modelPath: userPath(resolveModel(o.model as string | undefined)),
          profile: o.profile ? userPath(o.profile as string) : undefined,
          align: o.align as AlignMode,
          antialias: o.antialias as Antialias,
          lighting: o.lighting as LightingMode,
          onProgress: (p) => bar(p.stage).update(p.frames, p.total),
        });
        for (const b of Object.values(bars)) b.stop();
        createProgress('run', !!o.json).finish({
          output: s.output,
          frames: s.frames,
          faces: s.faces,
          realTimeFactor: Math.round(s.realTimeFactor * 100) / 100,
          seconds: Math.round(s.elapsedMs / 100) / 10,
          ...(s.trackCache ? { track: `${s.trackCache.path}${s.trackCache.hit ? ' (reused)' : ''}` } : {}),
          ...(s.sheets.length ? { sheets: s.sheets.join(' ') } : {}),
        });
      } catch (e) {
        for (const b of Object.values(bars)) b.stop();
        throw e;
      }
    });
}
