/**
 * The bridge's guards: the access token, Origin and Host checks, security headers and the
 * path check that keeps static serving inside its folders. Request-level functions are
 * pure (they look at header values only).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';

/** Environment variable the token is read from when no --token is given. */
export const TOKEN_ENV = 'NOGGIN_BRIDGE_TOKEN';

/** Query parameter that may carry the token (browsers cannot set headers on WebSockets). */
export const TOKEN_QUERY = 'token';

/** Name of the cookie that carries the token after a page was opened with `?token=`. */
export function tokenCookieName(port: number): string {
  return `noggin_token_${port}`;
}

/** True for addresses only this machine can reach. Pure. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * The token the bridge enforces: the explicit one, else the environment's, else (only when
 * listening beyond loopback) a fresh random one; null means no token is required.
 */
export function resolveToken(host: string, explicit: string | undefined, env: string | undefined): { token: string | null; generated: boolean } {
  if (explicit) return { token: explicit, generated: false };
  if (env) return { token: env, generated: false };
  if (isLoopbackHost(host)) return { token: null, generated: false };
  return { token: randomBytes(24).toString('base64url'), generated: true };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of a presented token with the expected one. Pure. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/** Reads one cookie from a Cookie header. Pure. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The token a request presents: `Authorization: Bearer T`, `?token=T`, or the token
 * cookie, in that order. Pure.
 */
export function presentedToken(headers: IncomingHttpHeaders, url: string, port: number): { token: string | undefined; fromQuery: boolean } {
  const auth = headerValue(headers.authorization);
  const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  if (m) return { token: m[1], fromQuery: false };
  const q = new URL(url, 'http://x').searchParams.get(TOKEN_QUERY);
  if (q) return { token: q, fromQuery: true };
  return { token: readCookie(headerValue(headers.cookie), tokenCookieName(port)), fromQuery: false };
}

/**
 * Whether a request's Origin may use the bridge: no Origin (not a browser), the bridge's
 * own origin (same as the Host it was reached at), or one on the allow-list. Pure.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowList: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (host && (origin === `http://${host}` || origin === `https://${host}`)) return true;
  return allowList.includes(origin);
}

/**
 * Whether the Host header names this machine (a bridge on loopback refuses other names, so
 * a web page cannot reach it through DNS rebinding). Pure.
 */
export function hostAllowed(host: string | undefined, extraHosts: readonly string[]): boolean {
  if (!host) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host);
  if (!m) return false;
  const name = m[1].toLowerCase();
  return isLoopbackHost(name) || extraHosts.map((h) => h.toLowerCase()).includes(name);
}

/** Default Content-Security-Policy: same-origin everything, WASM allowed, workers from blobs, camera streams. */
export const DEFAULT_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Security headers (helmet's defaults, adapted: camera allowed for the live page). */
export function securityHeaders(csp: string | false): RequestHandler {
  return (_req, res, next) => {
    if (csp) res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Origin-Agent-Cluster', '?1');
    res.setHeader('X-DNS-Prefetch-Control', 'off');
    res.setHeader('X-Permitted-Cross-Domain-Policies', 'none');
    res.setHeader('X-Download-Options', 'noopen');
    res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self), geolocation=()');
    next();
  };
}

/**
 * Maps a URL path (relative to a static mount, still percent-encoded) to a path inside
 * `root`, or null when it is not a plain relative path: `..` or `.` segments, encoded
 * slashes or backslashes, NUL bytes and undecodable escapes are all refused. Pure.
 */
export function staticPathInside(root: string, urlPath: string): string | null {
  const segments: string[] = [];
  for (const raw of urlPath.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (seg === '.' || seg === '..' || /[/\\\0]/.test(seg) || /^[A-Za-z]:/.test(seg)) return null;
    segments.push(seg);
  }
  const full = resolve(root, ...segments);
  return isInside(root, full) ? full : null;
}

/** True when `p` is `root` or below it (both absolute). Pure. */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves symbolic links and checks the target is still inside `realRoot` (the root's
 * own real path). Returns the real path, null when outside, undefined when missing.
 */
export async function realPathInside(realRoot: string, p: string): Promise<string | null | undefined> {
  let real: string;
  try {
    real = await realpath(p);
  } catch {
    return undefined;
  }
  return isInside(realRoot, real) ? real : null;
}
