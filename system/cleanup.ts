/**
 * Process-wide cleanup: everything that must not outlive noggin (child processes,
 * browsers, temporary files) registers here. On Ctrl-C/SIGTERM every cleanup runs (bounded
 * in time) before exit; on a normal exit, synchronous kills still run.
 */
import { asNogginError } from '../core/errors.js';
import { log } from '../core/log.js';
import { withTimeout } from '../core/timeout.js';

type Cleanup = { readonly name: string; readonly run: () => Promise<void> | void; readonly sync?: () => void };

const cleanups = new Set<Cleanup>();
let installed = false;
let shuttingDown = false;

/**
 * Registers a cleanup; returns a function that unregisters it. `sync` (optional) runs in
 * `process.on('exit')`, where nothing asynchronous can happen (use it to SIGKILL children).
 */
export function onCleanup(name: string, run: () => Promise<void> | void, sync?: () => void): () => void {
  const c: Cleanup = { name, run, sync };
  cleanups.add(c);
  return () => cleanups.delete(c);
}

/** Runs every registered cleanup once (newest first), each bounded by `timeoutMs`. */
export async function runCleanups(timeoutMs = 5000): Promise<void> {
  const list = [...cleanups].reverse();
  cleanups.clear();
  await Promise.all(
    list.map(async (c) => {
      try {
        await withTimeout(Promise.resolve(c.run()), timeoutMs, undefined);
      } catch (e) {
        log.debug({ err: e }, `cleanup ${c.name} failed`);
      }
    }),
  );
}

/**
 * The end of a script that failed: every cleanup runs, the one-line error (named after
 * `component` when it is not already a noggin error) goes to stderr, and the process
 * exits with the error's code.
 */
export async function exitOnFailure(e: unknown, component: string): Promise<never> {
  await runCleanups();
  const err = asNogginError(e, component);
  process.stderr.write(`${err.oneLine()}\n`);
  log.debug({ err: e }, `${component} failed`);
  process.exit(err.exitCode);
}

/** True once a signal started shutting the process down. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

/**
 * Installs SIGINT/SIGTERM/exit handlers once. On a signal: cleanups run, the one-line
 * `message(signal)` is printed, and the process exits 130 (SIGINT) or 143 (SIGTERM).
 */
export function installSignalHandlers(message: (signal: string) => string): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    void runCleanups().finally(() => {
      process.stderr.write(message(signal) + '\n');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    for (const c of cleanups) {
      try {
        c.sync?.();
      } catch {
        /* exiting anyway */
      }
    }
  });
}
