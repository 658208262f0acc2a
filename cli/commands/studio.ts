/**
 * `noggin studio` (and, through cli/commands/live.ts, `noggin live`): start the bridge with
 * the studio page (like `noggin serve`) and open it in the browser. Also the
 * Node side of the Live tab: the studio page's static root and its two routes under /api,
 * `GET /api/studio/heads` (every shipped head and VRM with the render spec the page's
 * HeadScene loads) and `GET /api/studio/model` (the landmarker model).
 */
import { existsSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { Command } from 'commander';
import type { Request, Response, Router } from 'express';
import { listHeads } from '../../core/head-catalog.js';
import { NogginError } from '../../core/errors.js';
import { log } from '../../core/log.js';
import { DEFAULT_HEAD_LIMITS } from '../../render/head-check.js';
import { headSpec, resolveHead } from '../../render/head-source.js';
import { ManagedChild } from '../../system/child-process.js';
import { HEADS_DIR, PROJECT_ROOT, VRM_DIR } from '../../system/paths.js';
import { modelPath } from '../../system/tools.js';
import { OPTIONS, option } from '../options.js';
import { addServerOptions, startServer } from './serve.js';

/** The folder served at `/`: the studio page's index.html (it loads /pages/studio.js). */
export const STUDIO_PUBLIC_DIR = join(PROJECT_ROOT, 'studio', 'page', 'public');

/** Static roots the studio page needs besides the bridge's (/pages, /wasm, /heads, /vrm). */
export function studioStaticRoots(): Record<string, string> {
  return { '/': STUDIO_PUBLIC_DIR };
}

/** URL of a shipped head's file on the bridge (/heads/NAME.glb, /vrm/NAME.vrm), or null when it lives elsewhere. */
export function shippedHeadUrl(file: string): string | null {
  for (const [prefix, dir] of [['/heads', HEADS_DIR], ['/vrm', VRM_DIR]] as const) {
    const rel = relative(dir, file);
    if (rel && !rel.startsWith('..') && !rel.includes(sep)) return `${prefix}/${encodeURIComponent(rel)}`;
  }
  return null;
}

function sendError(res: Response, status: number, message: string, fix: string): void {
  res.status(status).json({ error: { component: 'studio', message, fix } });
}

/** Adds the Live tab's routes to the bridge's /api router. */
export function addStudioLiveRoutes(api: Router): void {
  api.get('/studio/heads', async (_req: Request, res: Response) => {
    const heads = [];
    for (const entry of listHeads(PROJECT_ROOT)) {
      const url = shippedHeadUrl(entry.file);
      if (!url) continue;
      try {
        const head = await resolveHead(entry.profilePath ?? entry.file);
        heads.push({
          name: entry.name,
          displayName: entry.displayName,
          kind: entry.kind,
          description: entry.description,
          colors: entry.profile.colors,
          spec: { ...headSpec(head, ''), url, fileName: basename(entry.file) },
        });
      } catch (e) {
        log.warn({ head: entry.name, err: (e as Error).message }, 'studio: a shipped head is unusable; left out of the list');
      }
    }
    res.json({ heads, limits: { maxTextureSide: DEFAULT_HEAD_LIMITS.maxTextureSide, maxVertices: DEFAULT_HEAD_LIMITS.maxVertices, maxFileBytes: DEFAULT_HEAD_LIMITS.maxFileBytes } });
  });
  api.get('/studio/model', (_req: Request, res: Response) => {
    const p = modelPath();
    if (!existsSync(p)) return sendError(res, 404, `the landmarker model is not installed (${p} is missing)`, 'run `npm run setup` (or set NOGGIN_MODEL)');
    res.sendFile(p, { dotfiles: 'allow', maxAge: 3600_000 });
  });
}

/** Opens `url` in the desktop's browser; false when no opener exists (headless machines). */
export function openInBrowser(url: string): boolean {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const onPath = (process.env.PATH ?? '').split(process.platform === 'win32' ? ';' : ':').some((d) => d && existsSync(join(d, process.platform === 'win32' ? `${opener}.exe` : opener)));
  if (!onPath) return false;
  const child = ManagedChild.start('browser', opener, [url], { timeoutMs: 30_000 });
  void child.exited.then((e) => {
    if (e.state === 'failed') log.warn({ code: e.code }, `could not open the browser with ${opener}; open ${url} yourself`);
  });
  return true;
}

/** Registers a command that starts the server and opens the studio page on `tab`. */
export function registerStudioCommand(program: Command, name: string, description: string, tab: 'video' | 'live'): void {
  const cmd = addServerOptions(program.command(name).description(description)).addOption(option(OPTIONS.noOpen));
  cmd.action(async (o: Record<string, unknown>) => {
    if (!existsSync(join(STUDIO_PUBLIC_DIR, 'index.html'))) {
      throw new NogginError('studio', `the studio page is missing (${STUDIO_PUBLIC_DIR})`, 'reinstall noggin or run it from its source folder');
    }
    const b = await startServer(o);
    const url = `${b.url}/${b.token ? `?token=${encodeURIComponent(b.token)}` : ''}#${tab}`;
    process.stdout.write(`noggin studio on ${url} (bridge WebSocket ${b.wsUrl}); Ctrl-C to stop\n`);
    if (o.open !== false && !openInBrowser(url)) process.stdout.write('no browser opener found: open the address above in Chrome, Edge or Firefox\n');
    await new Promise(() => undefined);
  });
}

/** Registers `noggin studio` (opens the studio page on its Video tab). */
export function registerStudio(program: Command): void {
  registerStudioCommand(program, 'studio', 'open the studio page in the browser: live head-swap camera and recorded-video jobs (starts the bridge like `serve`)', 'video');
}
