/**
 * Fresh-clone set-up, with no dependencies of its own: installs the npm packages when
 * missing, installs Chromium and ffmpeg with apt-get when missing and run as root (or
 * prints the exact command), checks the face model, and builds when sources changed.
 * Used by `npm test` and `npm start`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

function say(msg) {
  process.stderr.write(`noggin setup: ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`noggin setup: ${msg}\n`);
  process.exit(1);
}

function onPath(name) {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  return null;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.status !== 0) fail(`\`${[cmd, ...args].join(' ')}\` failed (exit ${r.status})`);
}

/** npm packages: `npm ci` when node_modules is missing or older than the lock file. */
export function ensureNpm() {
  const nm = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(nm) && statSync(nm).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** Chromium and ffmpeg: found via NOGGIN_CHROMIUM / NOGGIN_FFMPEG or PATH, else apt-get as root. */
export function ensureSystem() {
  const chromium = process.env.NOGGIN_CHROMIUM || ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'].map(onPath).find(Boolean);
  const ffmpeg = process.env.NOGGIN_FFMPEG || onPath('ffmpeg');
  const missing = [];
  if (!chromium) missing.push('chromium');
  if (!ffmpeg || !onPath('ffprobe')) missing.push('ffmpeg');
  if (!missing.length) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && onPath('apt-get')) {
    say(`installing ${missing.join(' and ')} with apt-get`);
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return;
  }
  fail(`${missing.join(' and ')} not found. Fix: run \`sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\` (or set NOGGIN_CHROMIUM / NOGGIN_FFMPEG)`);
}

/** The face model must be in place (never downloaded implicitly). */
export function ensureModel() {
  const model = process.env.NOGGIN_MODEL || join(ROOT, 'assets', 'models', 'face_landmarker.task');
  if (existsSync(model)) return;
  fail(`the face model is missing at ${model}. Fix: run \`npm run setup\` (downloads the official file and checks its sha256) or \`npm run setup -- --model /path/to/face_landmarker.task\``);
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds (tsc + page bundles) when any TypeScript source is newer than the last build. */
export function ensureBuild() {
  const stamp = join(ROOT, 'dist', '.build-stamp');
  const dirs = ['cli', 'core', 'system', 'capture', 'bridge', 'render', 'composite', 'studio', 'scripts', 'test', 'bench'].map((d) => join(ROOT, d)).filter(existsSync);
  const newest = Math.max(...dirs.map(newestMtime), statSync(join(ROOT, 'package-lock.json')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return;
  say('building (tsc + page bundles)');
  run('npm', ['run', '--silent', 'build']);
}

/** Everything, in order. */
export function ensureAll({ model = true } = {}) {
  ensureNpm();
  ensureSystem();
  if (model) ensureModel();
  ensureBuild();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureAll({ model: !process.argv.includes('--no-model') });
  execFileSync('true');
}
