/**
 * The one logger (pino), writing to stderr so stdout stays free for --json progress.
 * Level from NOGGIN_LOG_LEVEL or the CLI's --log-level; command lines of ffmpeg and
 * Chromium are logged at debug.
 */
import { pino, type Logger } from 'pino';

/** The process-wide logger. */
export const log: Logger = pino(
  { name: 'noggin', level: process.env.NOGGIN_LOG_LEVEL ?? 'warn', base: undefined },
  pino.destination({ fd: 2, sync: true }),
);

/** Sets the log level (trace, debug, info, warn, error, silent). */
export function setLogLevel(level: string): void {
  log.level = level;
}
