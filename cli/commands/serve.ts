/** `noggin serve [options]`: the bridge server (sessions, record/replay, pages, API). */
import type { Command } from 'commander';
import { addServeOptions, bridgeOptionsFromCli, startBridge, type BridgeHandle } from '../../bridge/index.js';
import { HEADS_DIR, MEDIAPIPE_WASM_DIR, PAGES_DIR, userPath, VRM_DIR } from '../../system/paths.js';
import { mountStudioVideo, STUDIO_UPLOAD_PREFIX } from '../../studio/server/index.js';
import { OPTIONS, option } from '../options.js';
import { addStudioLiveRoutes, studioStaticRoots } from './studio.js';

/** Adds the options of `noggin serve` (also taken by `noggin live` and `noggin studio`). */
export function addServerOptions(cmd: Command): Command {
  return addServeOptions(cmd).addOption(option(OPTIONS.jobsDir)).addOption(option(OPTIONS.maxUploadMb));
}

/** Starts the bridge with the pages, the studio page at / and every API route. */
export async function startServer(o: Record<string, unknown>): Promise<BridgeHandle> {
  const b = await startBridge({
    ...bridgeOptionsFromCli(o),
    staticRoots: { '/pages': PAGES_DIR, '/wasm': MEDIAPIPE_WASM_DIR, '/heads': HEADS_DIR, '/vrm': VRM_DIR, ...studioStaticRoots() },
    streamedBodyPrefixes: [STUDIO_UPLOAD_PREFIX],
  });
  addStudioLiveRoutes(b.api);
  await mountStudioVideo(b, { jobsDir: o.jobsDir ? userPath(o.jobsDir as string) : undefined, maxUploadBytes: (o.maxUploadMb as number) * 1024 * 1024 });
  return b;
}

/** Registers the command. */
export function registerServe(program: Command): void {
  addServerOptions(program.command('serve').description('run the bridge: face-track sessions over WebSocket, record/replay, pages and API')).action(
    async (o: Record<string, unknown>) => {
      const b = await startServer(o);
      process.stdout.write(`noggin bridge listening on ${b.url} (WebSocket ${b.wsUrl}); studio page at ${b.url}/\n`);
      if (b.tokenGenerated) process.stdout.write(`access token: ${b.token}\n`);
      // Runs until Ctrl-C/SIGTERM; the bridge's cleanup closes sockets and finishes recordings.
      await new Promise(() => undefined);
    },
  );
}
