/** `noggin composite VIDEO LAYER --track TRACK -o OUT.mp4` */
import type { Command } from 'commander';
import { compositeVideo } from '../../composite/index.js';
import { NogginError } from '../../core/errors.js';
import { userPath } from '../../system/paths.js';
import { OPTIONS, option } from '../options.js';
import { createProgress } from '../progress.js';

/** Registers the command. */
export function registerComposite(program: Command): void {
  program
    .command('composite')
    .description('merge a head layer onto its video: neck masked, original head hidden, audio kept')
    .argument('<video>', 'the source video')
    .argument('<layer>', 'the head layer (.mov from `noggin render`)')
    .addOption(option(OPTIONS.track))
    .addOption(option(OPTIONS.videoOutput))
    .addOption(option(OPTIONS.crf))
    .addOption(option(OPTIONS.preset))
    .addOption(option(OPTIONS.videoCodec))
    .addOption(option(OPTIONS.sheet))
    .addOption(option(OPTIONS.plateSamples))
    .addOption(option(OPTIONS.json))
    .action(async (video: string, layer: string, o: Record<string, unknown>) => {
      if (!o.track) throw new NogginError('composite', 'no face track given', 'add --track VIDEO.track.ndjson (made by `noggin capture VIDEO`)', 2);
      const output = userPath((o.output as string | undefined) ?? video.replace(/\.[^./\\]+$/, '') + '.composite.mp4');
      const progress = createProgress('composite', !!o.json);
      try {
        const s = await compositeVideo({
          video: userPath(video),
          layer: userPath(layer),
          track: userPath(o.track as string),
          output,
          crf: o.crf as number,
          preset: o.preset as never,
          codec: o.codec as 'h264' | 'h265' | 'prores',
          sheet: !!o.sheet,
          plateSamples: o.plateSamples as number,
          onProgress: (p) => progress.update(p.frames, p.total, { fps: p.fps }),
        });
        progress.finish({ output: s.output, frames: s.frames, faces: s.faces, fps: Math.round(s.composeFps * 10) / 10, seconds: Math.round(s.elapsedMs / 100) / 10, ...(s.sheets.length ? { sheets: s.sheets.join(' ') } : {}) });
      } catch (e) {
        progress.stop();
        throw e;
      }
    });
}
