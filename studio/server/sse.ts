/** Server-sent events: the stream a page's EventSource reads. */
import type { Response } from 'express';

/** An open event stream. */
export interface EventStream {
  /** Sends one event with a JSON payload. */
  send(event: string, data: unknown): void;
  /** Ends the stream. */
  end(): void;
  /** Resolves when the client went away or `end()` was called. */
  readonly closed: Promise<void>;
}

/**
 * Opens an event stream on `res` (status 200, no caching, no proxy buffering), with a
 * comment line every `keepAliveMs` so idle connections stay open.
 */
export function openEventStream(res: Response, keepAliveMs = 15_000): EventStream {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  const timer = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
  timer.unref();
  let ended = false;
  const closed = new Promise<void>((resolve) => {
    res.once('close', () => {
      clearInterval(timer);
      ended = true;
      resolve();
    });
  });
  return {
    send(event, data) {
      if (ended) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      res.end();
    },
    closed,
  };
}
