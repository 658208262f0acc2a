/**
 * bench/render: frames per second rendering a track with a shipped head at the clip's
 * resolution, and the ratio to the bare cost measured in the same run:
 *
 * - head: every track frame through the whole path (Node -> page, render the crop, read
 *   back, transfer, straight-alpha conversion in Node), output discarded;
 * - bare pipeline: the same frames and crops with the head hidden (an empty scene rendered,
 *   read back and transferred at the same crop sizes): the bound of this design;
 * - bare in page: an empty scene rendered and read back at the median crop size, in the
 *   page only (no transfer), and the same with the head shown.
 *
 * Usage: node dist/bench/render.js [--track FILE | --clip presenter-1] [--head fox]
 *   [--frames N] [--antialias edges|msaa|none] [--pbr] [--gpu-morphs] [--json]
 * Without --track, the clip's track is captured once into test-artifacts/render/tracks.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { TrackFrame } from '../core/track.js';
import type { Antialias } from '../core/page-contract.js';
import { trackFor } from '../test/render-fixtures.js';
import { openTrack } from '../core/track-file.js';
import { launchChromium } from '../system/chromium.js';
import { startPageHost } from '../system/page-host.js';
import { calibrateTrack } from '../render/index.js';
import { headHostFiles, resolveHead } from '../render/head-source.js';
import { RendererClient } from '../render/renderer-client.js';

const { values: args } = parseArgs({
  options: {
    track: { type: 'string' },
    clip: { type: 'string', default: 'presenter-1' },
    head: { type: 'string', default: 'fox' },
    frames: { type: 'string', default: '0' },
    antialias: { type: 'string', default: 'edges' },
    pbr: { type: 'boolean', default: false },
    'gpu-morphs': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

async function trackPath(): Promise<string> {
  if (args.track) return args.track;
  process.stderr.write(`bench/render: track of ${args.clip} (captured once, then cached in test-artifacts/render/tracks)\n`);
  return trackFor(args.clip);
}

async function* iter(frames: readonly TrackFrame[]): AsyncGenerator<TrackFrame> {
  for (const f of frames) yield f;
}

async function main(): Promise<void> {
  const path = await trackPath();
  const track = await openTrack(path);
  const limit = Number(args.frames) || Infinity;
  const frames: TrackFrame[] = [];
  for await (const f of track.frames) if (frames.length < limit) frames.push(f);
  const src = track.header.source;
  const head = await resolveHead(args.head!);
  const host = await startPageHost({ files: headHostFiles(head) });
  const chromium = await launchChromium();
  const calibration = await calibrateTrack(path);
  const renderer = await RendererClient.open(chromium, host, {
    head,
    frameWidth: src.width,
    frameHeight: src.height,
    verticalFovDeg: track.header.camera.verticalFovDeg,
    antialias: args.antialias as Antialias,
    fastMaterials: !args.pbr,
    morphsOn: args['gpu-morphs'] ? 'gpu' : 'cpu',
    calibration,
  });
  try {
    const run = async (visible: boolean) => {
      await renderer.setHeadVisible(visible);
      const s0 = await renderer.stats();
      const t0 = performance.now();
      let n = 0;
      let px = 0;
      const sizes: number[] = [];
      for await (const f of renderer.render(iter(frames))) {
        n++;
        if (f.crop) {
          px += f.crop.width * f.crop.height;
          sizes.push(f.crop.width * 65536 + f.crop.height);
        }
      }
      const ms = performance.now() - t0;
      const s = await renderer.stats();
      const per = (k: 'renderMs' | 'readMs' | 'sendMs' | 'bytes') => (s[k] - s0[k]) / Math.max(1, s.drawn - s0.drawn);
      sizes.sort((a, b) => a - b);
      const med = sizes[sizes.length >> 1] ?? 0;
      return { fps: (n * 1000) / ms, frames: n, cropPx: px / Math.max(1, sizes.length), medianCrop: { width: med >> 16, height: med & 0xffff }, pageRenderMs: per('renderMs'), pageReadMs: per('readMs'), pageSendMs: per('sendMs'), bytesPerFrame: per('bytes'), wallMs: ms };
    };
    await run(true); // warm-up: shaders, canvas sizes
    const headRun = await run(true);
    const bareRun = await run(false);
    const { width: cw, height: ch } = headRun.medianCrop;
    const bareInPageMs = await renderer.bench(20, cw, ch, false);
    const headInPageMs = await renderer.bench(20, cw, ch, true);
    const result = {
      clip: src.path,
      frameSize: `${src.width}x${src.height}`,
      head: args.head,
      antialias: args.antialias,
      fastMaterials: !args.pbr,
      morphsOn: args['gpu-morphs'] ? 'gpu' : 'cpu',
      webgl: renderer.info.renderer,
      cpus: `${availableParallelism()} x ${cpus()[0]?.model ?? '?'}`,
      loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
      frames: headRun.frames,
      headFps: headRun.fps,
      barePipelineFps: bareRun.fps,
      ratioToBarePipeline: headRun.fps / bareRun.fps,
      bareInPageFps: 1000 / bareInPageMs,
      ratioToBareInPage: headRun.fps / (1000 / bareInPageMs),
      headInPageFps: 1000 / headInPageMs,
      medianCrop: headRun.medianCrop,
      meanCropPx: Math.round(headRun.cropPx),
      transferMBps: (headRun.bytesPerFrame * headRun.fps) / 1e6,
      page: { renderMs: headRun.pageRenderMs, readPixelsMs: headRun.pageReadMs, sendMs: headRun.pageSendMs, bytesPerFrame: Math.round(headRun.bytesPerFrame) },
      barePage: { renderMs: bareRun.pageRenderMs, readPixelsMs: bareRun.pageReadMs, sendMs: bareRun.pageSendMs },
    };
    if (args.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      const f = (v: number) => v.toFixed(1);
      process.stdout.write(
        [
          `render bench: ${result.head} on ${result.clip} (${result.frameSize}, ${result.frames} frames), ${result.webgl}`,
          `  ${result.cpus}, load average ${result.loadAverage.join(' ')}; antialias ${result.antialias}, fast materials ${result.fastMaterials}, morphs on ${result.morphsOn}`,
          `  head:            ${f(result.headFps)} frames/s (median crop ${cw}x${ch}, ${(result.page.bytesPerFrame / 1e6).toFixed(2)} MB/frame, ${f(result.transferMBps)} MB/s)`,
          `    in page per frame: scene.render ${f(result.page.renderMs)} ms, readPixels (GPU finish) ${f(result.page.readPixelsMs)} ms, send ${f(result.page.sendMs)} ms`,
          `  bare pipeline:   ${f(result.barePipelineFps)} frames/s (empty scene, same crops, read back and transferred) -> ratio ${result.ratioToBarePipeline.toFixed(2)}`,
          `  bare in page:    ${f(result.bareInPageFps)} frames/s (empty scene rendered + readPixels at ${cw}x${ch}, no transfer) -> ratio ${result.ratioToBareInPage.toFixed(3)}`,
          `  head in page:    ${f(result.headInPageFps)} frames/s (head rendered + readPixels at ${cw}x${ch}, no transfer)`,
        ].join('\n') + '\n',
      );
    }
  } finally {
    await renderer.close();
    await chromium.close();
    await host.close();
  }
}

await main();
