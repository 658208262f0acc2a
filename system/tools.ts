/**
 * Finding the external programs noggin needs (ffmpeg, ffprobe, Chromium) and the model,
 * with one-line errors that name the exact install command.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { NogginError } from '../core/errors.js';
import { DEFAULT_MODEL_PATH } from './paths.js';

function onPath(names: readonly string[]): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const d of dirs) {
      const p = join(d, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        /* keep looking */
      }
    }
  }
  return null;
}

function fromEnv(varName: string, what: string): string | null {
  const v = process.env[varName];
  if (!v) return null;
  if (!existsSync(v)) {
    throw new NogginError('setup', `${varName}=${v} does not exist`, `point ${varName} at the ${what} executable or unset it`);
  }
  return v;
}

/** The install hint for a Debian package, as root or with sudo. */
export function aptHint(pkg: string): string {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return `install it with \`${root ? '' : 'sudo '}apt-get update && ${root ? '' : 'sudo '}apt-get install -y ${pkg}\` (or run \`npm run setup\`)`;
}

/** Path of ffmpeg: $NOGGIN_FFMPEG or PATH. */
export function findFfmpeg(): string {
  const p = fromEnv('NOGGIN_FFMPEG', 'ffmpeg') ?? onPath(['ffmpeg']);
  if (!p) throw new NogginError('setup', 'ffmpeg was not found (set NOGGIN_FFMPEG or put it on PATH)', aptHint('ffmpeg'));
  return p;
}

/** Path of ffprobe: $NOGGIN_FFPROBE, next to $NOGGIN_FFMPEG, or PATH. */
export function findFfprobe(): string {
  const env = fromEnv('NOGGIN_FFPROBE', 'ffprobe');
  if (env) return env;
  const ff = process.env.NOGGIN_FFMPEG;
  if (ff) {
    const sibling = ff.replace(/ffmpeg([^/]*)$/, 'ffprobe$1');
    if (sibling !== ff && existsSync(sibling)) return sibling;
  }
  const p = onPath(['ffprobe']);
  if (!p) throw new NogginError('setup', 'ffprobe was not found (set NOGGIN_FFPROBE or put it on PATH)', aptHint('ffmpeg'));
  return p;
}

/** Path of a system Chromium: $NOGGIN_CHROMIUM or PATH (chromium, chromium-browser, google-chrome). */
export function findChromium(): string {
  const p =
    fromEnv('NOGGIN_CHROMIUM', 'Chromium') ??
    onPath(['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']);
  if (!p) throw new NogginError('setup', 'Chromium was not found (set NOGGIN_CHROMIUM or put it on PATH)', aptHint('chromium'));
  return p;
}

/** Path of the landmarker model: $NOGGIN_MODEL or assets/models/face_landmarker.task (existence not checked). */
export function modelPath(): string {
  return process.env.NOGGIN_MODEL || DEFAULT_MODEL_PATH;
}

/**
 * Path of a system Firefox ($NOGGIN_FIREFOX or PATH: firefox-esr, firefox), or null: noggin
 * itself never needs it; the studio page's Firefox test does.
 */
export function findFirefox(): string | null {
  return fromEnv('NOGGIN_FIREFOX', 'Firefox') ?? onPath(['firefox-esr', 'firefox']);
}

/** Path of Xvfb (the X display headless Firefox needs for WebGL) on PATH, or null. */
export function findXvfb(): string | null {
  return onPath(['Xvfb']);
}
