/** `noggin serve [options]`: the bridge server (sessions, record/replay, pages, API). */
import type { Command } from 'commander';
import { addServeOptions, bridgeOptionsFromCli, startBridge, type BridgeHandle } from '../../bridge/index.js';
import { HEADS_DIR, MEDIAPIPE_WASM_DIR, PAGES_DIR, userPath, VRM_DIR } from '../../system/paths.js';
import { mountStudioVideo, STUDIO_UPLOAD_PREFIX, type StudioVideoHandle } from '../../studio/server/index.js';
import { OPTIONS, option } from '../options.js';
import { addStudioLiveRoutes, studioStaticRoots } from './studio.js';

/** Adds the options of `noggin serve` (also taken by `noggin live` and `noggin studio`). */
export function addServerOptions(cmd: Command): Command {
  return addServeOptions(cmd).addOption(option(OPTIONS.jobsDir)).addOption(option(OPTIONS.maxUploadMb));
}

/** The server's two parts: the bridge (pages, sessions, API) and the studio's video jobs. */
export interface StudioServer {
  readonly bridge: BridgeHandle;
  readonly studio: StudioVideoHandle;
}

/**
 * Starts the bridge with the pages, the studio page at / and every API route. `o` holds the
 * parsed options of `noggin serve`, plus `installCleanup: false` for callers (tests, scripts)
 * that close both parts themselves.
 */
export async function startStudioServer(o: Record<string, unknown>): Promise<StudioServer> {
  const installCleanup = o.installCleanup !== false;
  const bridge = await startBridge({
    ...bridgeOptionsFromCli(o),
    installCleanup,
    staticRoots: { '/pages': PAGES_DIR, '/wasm': MEDIAPIPE_WASM_DIR, '/heads': HEADS_DIR, '/vrm': VRM_DIR, ...studioStaticRoots() },
    streamedBodyPrefixes: [STUDIO_UPLOAD_PREFIX],
  });
  addStudioLiveRoutes(bridge.api);
  const studio = await mountStudioVideo(bridge, {
    jobsDir: o.jobsDir ? userPath(o.jobsDir as string) : undefined,
    maxUploadBytes: (o.maxUploadMb as number) * 1024 * 1024,
    installCleanup,
  });
  return { bridge, studio };
}

/** `startStudioServer`'s bridge (the commands leave the video jobs to the process cleanup). */
export async function startServer(o: Record<string, unknown>): Promise<BridgeHandle> {
  return (await startStudioServer(o)).bridge;
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
