/**
 * Launching headless Firefox (system install, driven by puppeteer-core over WebDriver BiDi),
 * for checking the studio page in a second browser. Headless Firefox creates WebGL contexts
 * only with an X display to open GL on (without one: "tryNativeGL ... Exhausted GL driver
 * options"), so when DISPLAY is unset a private Xvfb display is started for it; Mesa's
 * llvmpipe then rasterises, as SwiftShader does for Chromium. The browser (and its Xvfb) is
 * registered for cleanup and its crashes surface as one-line errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { NogginError } from '../core/errors.js';
import { log } from '../core/log.js';
import { withTimeout } from '../core/timeout.js';
import type { ChromiumHandle } from './chromium.js';
import { ManagedChild } from './child-process.js';
import { SHARED_LAUNCH_SETTINGS, watchBrowser } from './browser-watch.js';
import { aptHint, findFirefox, findXvfb } from './tools.js';

/** Firefox preferences for a camera without a camera: its own fake device, allowed without asking. */
export const FIREFOX_FAKE_CAMERA_PREFS: Readonly<Record<string, boolean>> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
};

/** A launched Firefox: the same surface as a Chromium handle (system/chromium.ts `openPage` takes it). */
export interface FirefoxHandle extends ChromiumHandle {
  /** The X display it renders WebGL on (`:N`), or null when there is none (no WebGL then). */
  readonly display: string | null;
}

/** Options for `launchFirefox`. */
export interface FirefoxLaunchOptions {
  /** Extra preferences (about:config). */
  readonly prefs?: Readonly<Record<string, string | number | boolean>>;
  /** Launch timeout in ms (default 30000). */
  readonly timeoutMs?: number;
}

/** Starts `Xvfb` on the first free display; resolves with `:N` once it listens. */
async function startXvfb(xvfb: string): Promise<{ display: string; child: ManagedChild }> {
  // 24-bit colour and GLX: what Firefox needs to make a WebGL context on it.
  const child = ManagedChild.start('xvfb', xvfb, ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp', '+extension', 'GLX']);
  let out = '';
  child.proc.stdout.setEncoding('utf8');
  const display = await withTimeout(
    new Promise<string>((resolve, reject) => {
      child.proc.stdout.on('data', (c: string) => {
        out += c;
        const m = /^(\d+)\n/.exec(out);
        if (m) resolve(`:${m[1]}`);
      });
      void child.exited.then((e) => reject(new Error(e.stderrTail.trim().split('\n').pop() || `exit code ${e.code}`)));
    }),
    10_000,
    null,
  ).catch((e: Error) => {
    void child.kill();
    throw new NogginError('firefox', `Xvfb did not start (${e.message})`, 'check that `Xvfb -displayfd 1` runs, or set DISPLAY to a running X server');
  });
  if (!display) {
    void child.kill();
    throw new NogginError('firefox', 'Xvfb gave no display number within 10 s', 'check that `Xvfb -displayfd 1` runs, or set DISPLAY to a running X server');
  }
  return { display, child };
}

/**
 * Launches headless Firefox on DISPLAY, or on a private Xvfb display when DISPLAY is unset
 * and Xvfb is installed (else without a display, and so without WebGL). Throws a
 * NogginError naming the fix when Firefox is missing or cannot start.
 */
export async function launchFirefox(opts: FirefoxLaunchOptions = {}): Promise<FirefoxHandle> {
  const executablePath = findFirefox();
  if (!executablePath) throw new NogginError('firefox', 'Firefox was not found (set NOGGIN_FIREFOX or put firefox-esr on PATH)', aptHint('firefox-esr'));
  let xvfb: ManagedChild | null = null;
  let display = process.env.DISPLAY || null;
  if (!display) {
    const x = findXvfb();
    if (x) ({ display, child: xvfb } = await startXvfb(x));
    else log.warn(`firefox: no DISPLAY and no Xvfb, so no WebGL; ${aptHint('xvfb')}`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'noggin-firefox-'));
  const env = { ...process.env, ...(display ? { DISPLAY: display } : {}) };
  log.debug({ cmd: `DISPLAY=${display ?? ''} ${executablePath} --headless --profile ${userDataDir}`, prefs: opts.prefs }, 'firefox: launch');
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      ...SHARED_LAUNCH_SETTINGS,
      userDataDir,
      env,
      extraPrefsFirefox: { ...opts.prefs },
      timeout: opts.timeoutMs ?? 30000,
    });
  } catch (e) {
    await xvfb?.kill();
    await rm(userDataDir, { recursive: true, force: true });
    throw new NogginError(
      'firefox',
      `Firefox at ${executablePath} failed to start (${(e as Error).message.split('\n')[0]})`,
      `check that it runs (\`${executablePath} --headless --version\`), or set NOGGIN_FIREFOX to a working Firefox`,
    );
  }
  const { close, crashed } = watchBrowser(browser, { component: 'firefox', name: 'Firefox', userDataDir, afterClose: async () => void (await xvfb?.kill()) });
  return { browser, close, crashed, display };
}
