/**
 * WebSocket close codes and reasons used by the bridge. Browser-safe (no Node imports), so
 * pages that talk to the bridge can tell a fatal refusal from a dropped connection.
 */

/** Close codes the bridge sends. 1xxx are standard; 4xxx are noggin's own. */
export const CLOSE = {
  /** The stream finished (trackEnd delivered) or the producer's session is complete. */
  normal: 1000,
  /** The bridge is shutting down (reconnect later). */
  goingAway: 1001,
  /** A message was larger than the bridge accepts (sent by `ws` itself). */
  tooBig: 1009,
  /** A message was malformed or not allowed at this point. Fatal. */
  badMessage: 4400,
  /** The peer speaks another protocol version. Fatal. */
  protocolMismatch: 4406,
  /** No `hello` arrived in time. */
  helloTimeout: 4408,
  /** The session already has a producer. Fatal. */
  conflict: 4409,
  /** The frames the consumer asked for are no longer held by the bridge. Fatal. */
  gone: 4410,
  /** Too many sessions or consumers. Fatal. */
  limit: 4429,
  /** The bridge failed internally (e.g. a recording could not be written). */
  internal: 4500,
} as const;

/** Codes after which a client must not reconnect: retrying would fail the same way. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE.tooBig,
  CLOSE.badMessage,
  CLOSE.protocolMismatch,
  CLOSE.conflict,
  CLOSE.gone,
  CLOSE.limit,
]);

/** Largest close reason a WebSocket close frame can carry (bytes of UTF-8). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Cuts `reason` to at most 123 UTF-8 bytes (on a character boundary). Pure. */
export function closeReason(reason: string): string {
  const enc = new TextEncoder();
  if (enc.encode(reason).length <= MAX_CLOSE_REASON_BYTES) return reason;
  let out = '';
  let bytes = 0;
  for (const ch of reason) {
    const n = enc.encode(ch).length;
    if (bytes + n > MAX_CLOSE_REASON_BYTES - 3) break;
    out += ch;
    bytes += n;
  }
  return out + '...';
}
