/**
 * Checks an encoded `faceFrame` the way the bridge needs it: well-formed and every number
 * finite (NaN would corrupt recordings), without decoding it into arrays. The bridge
 * forwards the bytes as they came, so this is all the work it does per frame. Pure.
 */
import { encodeMessage, FACE_FRAME_BYTES, FACE_FRAME_HEADER_BYTES, PROTOCOL_VERSION } from '../core/protocol.js';

/** Tag byte of `faceFrame` (taken from the encoder, not repeated here). */
const FACE_TAG = encodeMessage('faceFrame', { frame: 0, timeMs: 0, face: null })[0];

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Frame index and time of a checked frame. */
export interface FaceFrameInfo {
  /** Frame index. */
  readonly frame: number;
  /** Presentation time in ms. */
  readonly timeMs: number;
}

/** Why a binary message is not an acceptable faceFrame (throws `Error` with that reason). */
export function inspectFaceFrame(bytes: Uint8Array): FaceFrameInfo {
  if (bytes.length < FACE_FRAME_HEADER_BYTES) throw new Error(`binary message of ${bytes.length} bytes is shorter than a faceFrame`);
  if (bytes[0] !== FACE_TAG) throw new Error(`binary message 0x${bytes[0].toString(16)} is not a faceFrame; the bridge only carries faceFrame`);
  if (bytes[1] !== PROTOCOL_VERSION) throw new Error(`faceFrame of protocol ${bytes[1]}, the bridge speaks ${PROTOCOL_VERSION}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hasFace = (v.getUint8(16) & 1) === 1;
  const expected = hasFace ? FACE_FRAME_BYTES : FACE_FRAME_HEADER_BYTES;
  if (bytes.length !== expected) throw new Error(`faceFrame is ${bytes.length} bytes, expected ${expected}`);
  const frame = v.getUint32(4, true);
  const timeMs = v.getFloat64(8, true);
  if (!Number.isFinite(timeMs)) throw new Error(`frame ${frame} has a non-finite time`);
  if (hasFace) {
    const n = (FACE_FRAME_BYTES - FACE_FRAME_HEADER_BYTES) / 4;
    const at = bytes.byteOffset + FACE_FRAME_HEADER_BYTES;
    if (LITTLE_ENDIAN && at % 4 === 0) {
      const f = new Float32Array(bytes.buffer, at, n);
      for (let i = 0; i < n; i++) if (f[i] - f[i] !== 0) throw new Error(`frame ${frame} holds a non-finite number`);
    } else {
      for (let i = 0; i < n; i++) {
        const x = v.getFloat32(FACE_FRAME_HEADER_BYTES + i * 4, true);
        if (x - x !== 0) throw new Error(`frame ${frame} holds a non-finite number`);
      }
    }
  }
  return { frame, timeMs };
}
