/**
 * Static folders served by the bridge (pages, bundled code, WASM, heads, the model), each
 * under a URL prefix. A request can only reach files inside its folder: `..`, encoded
 * separators and symbolic links pointing outside are refused, and dotfiles are hidden.
 */
import { stat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { Router, type Request, type Response, type NextFunction } from 'express';
import { NogginError } from '../core/errors.js';
import { realPathInside, staticPathInside } from './security.js';

/** URL prefix -> folder, e.g. `{ '/pages': distPagesDir, '/heads': headsDir }`. */
export type StaticRoots = Readonly<Record<string, string>>;

/** Allowed URL prefixes: `/` or `/a/b` of [A-Za-z0-9._-] segments. */
export const STATIC_PREFIX_RE = /^\/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*)?$/;

function refuse(res: Response, status: number, message: string): void {
  res.status(status).json({ error: { component: 'bridge', message, fix: 'request a file inside the served folder' } });
}

/**
 * Builds a router serving every folder of `roots` (GET and HEAD only). Throws NogginError
 * when a prefix is malformed or a folder does not exist.
 */
export async function staticRouter(roots: StaticRoots): Promise<Router> {
  const router = Router();
  // Longest prefixes first, so /pages/wasm wins over /pages.
  const entries = Object.entries(roots).sort((a, b) => b[0].length - a[0].length);
  for (const [prefix, dir] of entries) {
    if (!STATIC_PREFIX_RE.test(prefix)) {
      throw new NogginError('bridge', `static prefix ${JSON.stringify(prefix)} is not a plain URL path`, 'use prefixes like /pages or /heads');
    }
    let root: string;
    try {
      root = await realpath(dir);
      if (!(await stat(root)).isDirectory()) throw new Error('not a folder');
    } catch {
      throw new NogginError('bridge', `static folder ${dir} (for ${prefix}) does not exist`, 'build the pages (npm run build) or fix the path');
    }
    router.use(prefix, (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      void serveInside(root, req, res, next).catch(next);
    });
  }
  return router;
}

async function serveInside(root: string, req: Request, res: Response, next: NextFunction): Promise<void> {
  const urlPath = req.url.split('?')[0].split('#')[0];
  const p = staticPathInside(root, urlPath);
  if (p === null) return refuse(res, 403, 'path escapes the served folder');
  if (p.slice(root.length).split(/[/\\]/).some((seg) => seg.startsWith('.'))) return next();
  let real = await realPathInside(root, p);
  if (real === null) return refuse(res, 403, 'path escapes the served folder');
  if (real === undefined) return next();
  const s = await stat(real);
  if (s.isDirectory()) {
    real = await realPathInside(root, join(real, 'index.html'));
    if (real === null) return refuse(res, 403, 'path escapes the served folder');
    if (real === undefined) return next();
  } else if (!s.isFile()) {
    return next();
  }
  await new Promise<void>((resolve, reject) => {
    res.sendFile(real as string, { dotfiles: 'allow', lastModified: true }, (err?: Error) => {
      if (err && !res.headersSent) reject(err);
      else resolve();
    });
  });
}
