/** `noggin serve [options]`: the bridge server (sessions, record/replay, pages, API). */
import type { Command } from 'commander';
import { addServeOptions, bridgeOptionsFromCli, startBridge } from '../../bridge/index.js';
import { HEADS_DIR, MEDIAPIPE_WASM_DIR, PAGES_DIR, VRM_DIR } from '../../system/paths.js';

/** Registers the command. */
export function registerServe(program: Command): void {
  addServeOptions(program.command('serve').description('run the bridge: face-track sessions over WebSocket, record/replay, pages and API')).action(
    async (o: Record<string, unknown>) => {
      const b = await startBridge({
        ...bridgeOptionsFromCli(o),
        staticRoots: { '/pages': PAGES_DIR, '/wasm': MEDIAPIPE_WASM_DIR, '/heads': HEADS_DIR, '/vrm': VRM_DIR },
      });
      process.stdout.write(`noggin bridge listening on ${b.url} (WebSocket ${b.wsUrl})\n`);
      if (b.tokenGenerated) process.stdout.write(`access token: ${b.token}\n`);
      // Runs until Ctrl-C/SIGTERM; the bridge's cleanup closes sockets and finishes recordings.
      await new Promise(() => undefined);
    },
  );
}
