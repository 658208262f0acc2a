/**
 * What every launched browser gets, whichever its engine: closing that is safe to call
 * twice (a polite close, then SIGKILL, then its profile folder removed), registration with
 * the process cleanup (Ctrl-C, errors), and a promise that rejects with a one-line error
 * when the browser goes away without being closed.
 */
import { rm } from 'node:fs/promises';
import type { Browser } from 'puppeteer-core';
import { NogginError } from '../core/errors.js';
import { withTimeout } from '../core/timeout.js';
import { onCleanup } from './cleanup.js';

/**
 * puppeteer launch settings every browser shares: headless, long protocol calls allowed
 * (a first frame may wait on shader compiles), and signals left to noggin's own cleanup.
 */
export const SHARED_LAUNCH_SETTINGS = {
  headless: true,
  protocolTimeout: 120000,
  handleSIGINT: false,
  handleSIGTERM: false,
  handleSIGHUP: false,
} as const;

/** Which browser, for cleanup names and error messages. */
export interface WatchedBrowser {
  /** Component named in errors and cleanup (`chromium`, `firefox`). */
  readonly component: string;
  /** The browser's name as users know it (`Chromium`, `Firefox`). */
  readonly name: string;
  /** Its temporary profile folder, removed on close. */
  readonly userDataDir: string;
  /** Run after the browser is gone (e.g. ending a helper process it needed). */
  readonly afterClose?: () => Promise<void>;
}

/** Closing and crash reporting for a launched browser. */
export function watchBrowser(browser: Browser, w: WatchedBrowser): { close: () => Promise<void>; crashed: Promise<never> } {
  let closing = false;
  const proc = browser.process();
  const close = async () => {
    if (closing) return;
    closing = true;
    unregister();
    if (browser.connected) await withTimeout(browser.close().catch(() => undefined), 3000, undefined);
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await w.afterClose?.();
    await rm(w.userDataDir, { recursive: true, force: true }).catch(() => undefined);
  };
  const unregister = onCleanup(w.component, close, () => proc?.kill('SIGKILL'));
  const crashed = new Promise<never>((_, reject) => {
    browser.once('disconnected', () => {
      if (!closing) reject(new NogginError(w.component, `${w.name} quit unexpectedly (crashed or was killed)`, 're-run; if it keeps happening, run with --log-level debug and check memory'));
    });
  });
  crashed.catch(() => undefined);
  return { close, crashed };
}
