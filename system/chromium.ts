/**
 * Launching headless Chromium (system install, driven by puppeteer-core) with the flags
 * that make WebGL work without a GPU and keep it off the network. Every browser is
 * registered for cleanup and its crashes surface as one-line errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { NogginError } from '../core/errors.js';
import { log } from '../core/log.js';
import { SHARED_LAUNCH_SETTINGS, watchBrowser } from './browser-watch.js';
import { findChromium } from './tools.js';

/** Chromium flags noggin always passes (see DESIGN.md). */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--ignore-gpu-blocklist',
  '--enable-webgl',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  '--disable-dev-shm-usage',
  '--mute-audio',
  // Chromium 156 preloads its omnibox popups as WebUI renderers even when headless: about
  // 0.45 s of CPU each at every launch, for nothing.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,PreloadTopChromeWebUI',
  // Nothing but loopback resolves: the pages are served from 127.0.0.1 and must never reach
  // out (MediaPipe's tasks-vision posts usage logs to a Google host by default).
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** True for URLs a noggin page may load: its own loopback host and in-memory data. */
export function isLocalUrl(url: string): boolean {
  return /^(data:|blob:|http:\/\/127\.0\.0\.1[:/]|ws:\/\/127\.0\.0\.1[:/])/.test(url);
}

/** A launched browser and how to close it. */
export interface ChromiumHandle {
  readonly browser: Browser;
  /** Closes the browser (kills it after a grace period) and removes its profile. */
  close(): Promise<void>;
  /** Rejects when the browser disconnects unexpectedly (crash, kill). */
  readonly crashed: Promise<never>;
}

/** Options for `launchChromium`. */
export interface LaunchOptions {
  /** Extra command-line flags. */
  readonly extraArgs?: readonly string[];
  /** Launch timeout in ms (default 30000). */
  readonly timeoutMs?: number;
}

/** Launches headless Chromium. Throws a NogginError naming the fix when it cannot start. */
export async function launchChromium(opts: LaunchOptions = {}): Promise<ChromiumHandle> {
  const executablePath = findChromium();
  const userDataDir = await mkdtemp(join(tmpdir(), 'noggin-chromium-'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const args = [...CHROMIUM_FLAGS, ...(isRoot ? ['--no-sandbox'] : []), ...(opts.extraArgs ?? [])];
  log.debug({ cmd: [executablePath, '--headless', `--user-data-dir=${userDataDir}`, ...args].join(' ') }, 'chromium: launch');
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      ...SHARED_LAUNCH_SETTINGS,
      userDataDir,
      args,
      timeout: opts.timeoutMs ?? 30000,
    });
  } catch (e) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new NogginError(
      'chromium',
      `Chromium at ${executablePath} failed to start (${(e as Error).message.split('\n')[0]})`,
      'check that it runs (`' + executablePath + ' --headless --no-sandbox --version`), or set NOGGIN_CHROMIUM to a working Chromium',
    );
  }
  const { close, crashed } = watchBrowser(browser, { component: 'chromium', name: 'Chromium', userDataDir });
  return { browser, close, crashed };
}

/** Opens a page whose console errors and crashes are logged; a crashed page rejects `pageCrashed`. */
export async function openPage(handle: ChromiumHandle, url: string): Promise<{ page: Page; pageCrashed: Promise<never> }> {
  const page = await handle.browser.newPage();
  page.on('console', (m) => log.debug(`page console ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.debug(`page error: ${(e as Error).message}`));
  page.on('requestfailed', (r) => log.debug(`page request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (isLocalUrl(r.url())) void r.continue();
    else {
      log.debug(`page request blocked (not local): ${r.url()}`);
      void r.abort('blockedbyclient');
    }
  });
  const pageCrashed = new Promise<never>((_, reject) => {
    page.once('error', (e) => reject(new NogginError('chromium', `the page crashed (${e.message})`, 're-run; if it keeps happening, check free memory')));
  });
  pageCrashed.catch(() => undefined);
  await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  return { page, pageCrashed };
}
