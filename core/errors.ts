/**
 * User-facing errors: every failure names the component, the problem and the fix, and
 * prints as one line.
 */

/** An error a user can act on. `oneLine()` is what the CLI prints before exiting non-zero. */
export class NogginError extends Error {
  /**
   * @param component the stage or subsystem that failed (capture, ffmpeg, chromium, model...)
   * @param problem what went wrong, without a trailing period
   * @param fix what the user should do, without a trailing period
   * @param exitCode process exit status (default 1; 2 for usage errors, 130 for Ctrl-C)
   */
  constructor(
    readonly component: string,
    readonly problem: string,
    readonly fix: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(`${component}: ${problem}`, options);
    this.name = 'NogginError';
  }

  /** The one-line message: `noggin <component>: <problem>. Fix: <fix>.` */
  oneLine(): string {
    return `noggin ${this.component}: ${this.problem.replace(/\s+/g, ' ')}. Fix: ${this.fix}.`;
  }
}

/** Raised when the user presses Ctrl-C or the process receives SIGTERM. */
export class InterruptedError extends NogginError {
  constructor(signal: string) {
    super('noggin', `interrupted by ${signal}; partial output was removed`, 're-run the command', signal === 'SIGINT' ? 130 : 143);
  }
}

/** Wraps any thrown value as a NogginError (unknown errors become internal errors). */
export function asNogginError(e: unknown, component = 'internal'): NogginError {
  if (e instanceof NogginError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new NogginError(component, msg.split('\n')[0], 'run again with --log-level debug and report the output', 1, { cause: e });
}
