/** `noggin setup [--model FILE] [--check]`: install or check what noggin needs. */
import type { Command } from 'commander';
import { NogginError } from '../../core/errors.js';
import { checkModel, installModel } from '../../system/model.js';
import { userPath } from '../../system/paths.js';
import { findChromium, findFfmpeg, findFfprobe, modelPath } from '../../system/tools.js';
import { OPTIONS, option } from '../options.js';

/** Registers the command. */
export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('check Chromium, ffmpeg and the face model; install the model (download, or --model FILE)')
    .addOption(option(OPTIONS.setupModel))
    .addOption(option(OPTIONS.setupCheck))
    .addOption(option(OPTIONS.allowOtherModel))
    .action(async (o: { model?: string; check?: boolean; allowOtherModel?: boolean }) => {
      const lines: string[] = [];
      lines.push(`chromium: ${findChromium()}`);
      lines.push(`ffmpeg:   ${findFfmpeg()}`);
      lines.push(`ffprobe:  ${findFfprobe()}`);
      const dest = modelPath();
      let present = true;
      try {
        await checkModel(dest);
      } catch (e) {
        if (o.check || !(e instanceof NogginError)) throw e;
        present = false;
      }
      if (!o.check && (!present || o.model)) {
        await installModel(dest, o.model ? userPath(o.model) : undefined, !!o.allowOtherModel);
      }
      lines.push(`model:    ${dest} (ok)`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
