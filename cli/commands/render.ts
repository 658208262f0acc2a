/** `noggin render TRACK --head NAME|FILE [-o LAYER.mov] [--png-dir DIR]` */
import type { Command } from 'commander';
import type { Antialias } from '../../core/page-contract.js';
import type { LightingMode } from '../../render/footage-lighting.js';
import { renderTrack, type AlignMode } from '../../render/index.js';
import type { LayerCodec } from '../../system/ffmpeg-encode.js';
import { userPath } from '../../system/paths.js';
import { addOptions, HEAD_OPTIONS, OPTIONS, option } from '../options.js';
import { createProgress } from '../progress.js';
import { NogginError } from '../../core/errors.js';
import { parseSessionUrl, subscribe } from '../../bridge/index.js';

/** Registers the command. */
export function registerRender(program: Command): void {
  const cmd = program
    .command('render')
    .description('render a face track as a full-frame alpha layer of the mascot head (.mov and/or PNG sequence)')
    .argument('[track]', 'face track (*.track.ndjson) from `noggin capture` (or use --session)')
    .addOption(option(OPTIONS.head))
    .addOption(option(OPTIONS.layerOutput))
    .addOption(option(OPTIONS.session))
    .addOption(option(OPTIONS.pngDir))
    .addOption(option(OPTIONS.layerCodec))
    .addOption(option(OPTIONS.noMov));
  addOptions(cmd, [...HEAD_OPTIONS, 'materials', 'json'])
    .action(async (track: string | undefined, o: Record<string, unknown>) => {
      if (!o.head) throw new NogginError('render', 'no head given', 'add --head NAME (see `noggin heads`) or --head FILE.glb', 2);
      if (!track && !o.session) throw new NogginError('render', 'no track given', 'name a TRACK file, or --session URL to follow a bridge session', 2);
      const progress = createProgress('render', !!o.json);
      const sub = o.session ? subscribe(o.session as string, parseSessionUrl(o.session as string).session) : null;
      try {
        const s = await renderTrack({
          track: track ? userPath(track) : '',
          stream: sub ? { header: await sub.header(), frames: sub } : undefined,
          head: o.head as string,
          output: o.output ? userPath(o.output as string) : undefined,
          mov: o.mov as boolean,
          pngDir: o.pngDir ? userPath(o.pngDir as string) : undefined,
          codec: o.codec as LayerCodec,
          profile: o.profile ? userPath(o.profile as string) : undefined,
          align: o.align as AlignMode,
          materials: o.materials as 'fast' | 'pbr',
          antialias: o.antialias as Antialias,
          lighting: o.lighting as LightingMode,
          onProgress: (p) => progress.update(p.frames, p.total, { fps: p.fps, drawn: p.drawn }),
        });
        progress.finish({ output: s.output ?? '-', pngDir: s.pngDir ?? '-', frames: s.frames, drawn: s.drawn, fps: Math.round(s.renderFps * 10) / 10, seconds: Math.round(s.elapsedMs / 100) / 10 });
      } catch (e) {
        sub?.close();
        progress.stop();
        throw e;
      }
    });
}
