/**
 * Validation of the control messages the bridge accepts from peers. `decodeMessage`
 * checks the envelope; these schemas check the payload fields, so nothing a peer sends
 * reaches a session unchecked. Pure.
 */
import { z } from 'zod';
import { TrackHeaderSchema, type TrackHeader } from '../core/track.js';
import type { MessageMap } from '../core/protocol.js';

/** Session names: 1-64 characters from [A-Za-z0-9._-], starting with a letter or digit (they name recording files). */
export const SESSION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** True when `name` is a valid session name. Pure. */
export function isSessionName(name: string): boolean {
  return SESSION_NAME_RE.test(name);
}

/** Largest frame index the binary layout can carry (u32). */
export const MAX_FRAME_INDEX = 0xffffffff;

const frameIndex = z.number().int().nonnegative().max(MAX_FRAME_INDEX);

/** Schema of `hello` as the bridge requires it (a session name is mandatory here). */
export const BridgeHelloSchema = z.object({
  protocol: z.number().int(),
  role: z.enum(['producer', 'consumer', 'landmarker', 'renderer', 'recorder']),
  session: z.string().regex(SESSION_NAME_RE, 'session names are 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit'),
  resumeFrom: frameIndex.optional(),
  live: z.boolean().optional(),
});

/** A validated `hello`. */
export type BridgeHello = z.infer<typeof BridgeHelloSchema> & MessageMap['hello'];

/** Schema of `trackEnd`. */
export const TrackEndSchema = z.object({
  end: z.literal(true),
  frames: frameIndex,
  complete: z.boolean(),
});

/** Schema of `credit`. */
export const CreditSchema = z.object({ upTo: z.number().int().nonnegative().max(MAX_FRAME_INDEX + 1) });

/** Schema of `error` sent by a peer. */
export const ErrorPayloadSchema = z.object({
  component: z.string().max(200),
  message: z.string().max(4000),
  fix: z.string().max(4000),
});

/** Result of validating a payload: the value, or a one-line reason. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

function check<T>(schema: z.ZodType<T>, payload: unknown, what: string): Checked<T> {
  const r = schema.safeParse(payload);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') + ': ' : '';
  return { ok: false, reason: `${what}: ${where}${issue?.message ?? 'invalid'}` };
}

/** Validates a `hello` payload. Pure. */
export function checkHello(payload: unknown): Checked<BridgeHello> {
  return check(BridgeHelloSchema, payload, 'hello') as Checked<BridgeHello>;
}

/** Validates a `trackHeader` payload. Pure. */
export function checkTrackHeader(payload: unknown): Checked<TrackHeader> {
  return check(TrackHeaderSchema, payload, 'trackHeader') as Checked<TrackHeader>;
}

/** Validates a `trackEnd` payload. Pure. */
export function checkTrackEnd(payload: unknown): Checked<MessageMap['trackEnd']> {
  return check(TrackEndSchema, payload, 'trackEnd') as Checked<MessageMap['trackEnd']>;
}

/** Validates a `credit` payload. Pure. */
export function checkCredit(payload: unknown): Checked<MessageMap['credit']> {
  return check(CreditSchema, payload, 'credit');
}

/** Validates an `error` payload. Pure. */
export function checkErrorPayload(payload: unknown): Checked<MessageMap['error']> {
  return check(ErrorPayloadSchema, payload, 'error');
}
