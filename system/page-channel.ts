/**
 * The one request/answer loop over a page's binary channel: items are encoded and sent
 * with at most `inFlight` unanswered (so Node, the transfer and the page overlap), the
 * page's answers are yielded in order, and any failure (an `error` message, a malformed
 * message, the channel closing, the page or browser crashing) ends the stream with a
 * one-line NogginError. Used by the landmarker and renderer clients.
 */
import type { WebSocket } from 'ws';
import { AsyncQueue } from '../core/async-queue.js';
import { NogginError } from '../core/errors.js';
import { decodeMessage, ProtocolError, type Message } from '../core/protocol.js';

/** How one page's exchange encodes requests and reads answers. */
export interface PageExchange<In, Out> {
  /** Component named in errors (landmarker, render...). */
  readonly component: string;
  /** Requests sent ahead of their answers (>= 1). */
  readonly inFlight: number;
  /** Bytes (or JSON text) to send for one item. */
  encode(item: In): Uint8Array | string;
  /**
   * The answer carried by a message, or undefined when the message is not an answer.
   * `oldest` is the oldest item still unanswered (answers come in order). May throw (a
   * NogginError for a page-reported error, a ProtocolError for an answer out of order).
   */
  answer(msg: Message, oldest: In | undefined): Out | undefined;
  /** Fail when no answer arrives for this long while items are pending (ms); default: never. */
  readonly stallTimeoutMs?: number;
  /** Rejects when the page or its browser dies. */
  readonly failures: Promise<never>;
}

/** Sends every item over `ws` and yields the answers in order. */
export async function* exchangeOverChannel<In, Out>(ws: WebSocket, items: AsyncIterable<In>, x: PageExchange<In, Out>): AsyncGenerator<Out> {
  const answers = new AsyncQueue<Out>();
  let credit = Math.max(1, x.inFlight);
  let wake: (() => void) | null = null;
  let sent = 0;
  let answered = 0;
  let sending = true;
  let stop = false;
  const pending: In[] = [];
  const maybeEnd = () => {
    if (!sending && answered === sent) answers.end();
  };
  const onMessage = (data: Buffer, isBinary: boolean) => {
    try {
      const out = x.answer(decodeMessage(isBinary ? data : data.toString('utf8')), pending[0]);
      if (out === undefined) return;
      pending.shift();
      answers.push(out);
      answered++;
      credit++;
      wake?.();
      maybeEnd();
    } catch (e) {
      answers.fail(
        e instanceof ProtocolError ? new NogginError(x.component, `bad message from the page: ${e.message}`, 're-run; report it if it persists') : e,
      );
    }
  };
  const onClose = () => {
    if (sending || answered < sent) answers.fail(new NogginError(x.component, `the ${x.component} page closed its channel`, 're-run with --log-level debug'));
  };
  ws.on('message', onMessage);
  ws.on('close', onClose);
  x.failures.catch((e) => answers.fail(e));
  // A page that stops answering (hung WebGL, frozen renderer) fails the stream instead of hanging it.
  let lastAnswered = 0;
  const watchdog = x.stallTimeoutMs
    ? setInterval(() => {
        if (answered === lastAnswered && pending.length > 0) {
          answers.fail(new NogginError(x.component, `the ${x.component} page stopped answering (nothing in ${Math.round(x.stallTimeoutMs! / 1000)} s)`, 're-run with --log-level debug; check free memory'));
        }
        lastAnswered = answered;
      }, x.stallTimeoutMs)
    : undefined;
  // Credit first, then pull: an input is only taken from its source once it can be sent.
  const source = items[Symbol.asyncIterator]();
  const pump = (async () => {
    try {
      for (;;) {
        while (credit <= 0 && !stop) await new Promise<void>((r) => (wake = r));
        if (stop) break;
        wake = null;
        const next = await source.next();
        if (next.done || stop) break;
        credit--;
        const bytes = x.encode(next.value);
        pending.push(next.value);
        await new Promise<void>((resolve, reject) => ws.send(bytes, { binary: typeof bytes !== 'string' }, (err) => (err ? reject(err) : resolve())));
        sent++;
      }
    } finally {
      if (stop) await source.return?.(undefined);
    }
    sending = false;
    maybeEnd();
  })();
  pump.catch((e) => answers.fail(e));
  try {
    for await (const out of answers) yield out;
    await pump;
  } finally {
    clearInterval(watchdog);
    stop = true;
    sending = false;
    (wake as (() => void) | null)?.();
    ws.off('message', onMessage);
    ws.off('close', onClose);
  }
}
