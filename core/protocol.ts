/**
 * The one protocol module: every message exchanged between noggin's stages (capture page
 * <-> Node, producers <-> bridge <-> consumers, renderers) is named here with its payload
 * type. Binary messages (face frames, video frames) use a fixed little-endian layout;
 * control messages are JSON `{"type","v","payload"}`. Browser-safe.
 */
import { BLENDSHAPE_COUNT } from './blendshapes.js';
import { LANDMARK_FLOATS } from './landmarks.js';
import type { FaceData, TrackFrame, TrackHeader, TrackTrailer } from './track.js';

/** Protocol version peers announce on connect; a mismatch is refused with a close reason. */
export const PROTOCOL_VERSION = 1;

/** Largest binary video frame accepted (bytes): 8192 x 8192 RGBA plus header. */
export const MAX_VIDEO_FRAME_BYTES = 8192 * 8192 * 4 + 64;
/** Largest JSON control message accepted (bytes). */
export const MAX_CONTROL_BYTES = 256 * 1024;

/** Role a peer declares in `hello`. */
export type PeerRole = 'producer' | 'consumer' | 'landmarker' | 'renderer' | 'recorder';

/** How a video frame's pixels are encoded: raw straight RGBA, or a JPEG image. */
export type VideoFrameEncoding = 'rgba' | 'jpeg';

/** A video frame travelling from Node to a page (raw RGBA, or JPEG to cut transfer cost). */
export interface VideoFrameData {
  /** 0-based decoded frame index. */
  readonly frame: number;
  /** Presentation time in ms from the first frame. */
  readonly timeMs: number;
  /** Frame width in px. */
  readonly width: number;
  /** Frame height in px. */
  readonly height: number;
  /** Pixel encoding of `data`. */
  readonly encoding: VideoFrameEncoding;
  /** rgba: straight RGBA, 8 bits per channel, row-major from the top-left (width*height*4 bytes); jpeg: a JFIF image. */
  readonly data: Uint8Array;
}

/**
 * A rendered head crop travelling from a render page to Node: the pixels of one rectangle
 * of the frame (the rest of the frame is transparent). A crop of width or height 0 means
 * nothing was drawn (no face in that frame).
 */
export interface RenderCropData {
  /** Track frame index this crop renders. */
  readonly frame: number;
  /** Presentation time in ms of that frame. */
  readonly timeMs: number;
  /** Crop rectangle in frame pixels: left, top (y down), width, height. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** True when rows run bottom to top (as gl.readPixels gives them). */
  readonly bottomUp: boolean;
  /** True when RGB is premultiplied by alpha (as WebGL blends over a transparent clear). */
  readonly premultiplied: boolean;
  /**
   * rgba: width*height*4 bytes of RGBA. spans: only the part of each row between its first
   * and last non-transparent pixel: `height` pairs of u16 (first pixel, pixel count), then
   * those pixels' RGBA row after row (everything else is transparent). Default rgba.
   */
  readonly layout?: 'rgba' | 'spans';
  readonly data: Uint8Array;
}

/** A failure reported across a socket. */
export interface ErrorPayload {
  /** Component that failed (capture, landmarker, bridge, render...). */
  readonly component: string;
  /** What went wrong. */
  readonly message: string;
  /** What the user should do. */
  readonly fix: string;
}

/** Map from message name to payload type. Every message noggin sends is listed here. */
export interface MessageMap {
  /** First message of every peer: its role and protocol version. */
  hello: {
    readonly protocol: number;
    readonly role: PeerRole;
    /** Session to publish to or subscribe to (bridge). */
    readonly session?: string;
    /** Consumer: first frame index wanted (resume). */
    readonly resumeFrom?: number;
    /** Producer: live sessions drop frames for slow consumers; file sessions apply backpressure. */
    readonly live?: boolean;
  };
  /** The server's answer to `hello`. */
  welcome: { readonly protocol: number; readonly session?: string; readonly nextFrame?: number };
  /** A track header travelling ahead of its frames. */
  trackHeader: TrackHeader;
  /** End of a stream of frames. */
  trackEnd: TrackTrailer & { readonly complete: boolean };
  /** A failure. */
  error: ErrorPayload;
  /**
   * Flow control from a receiver to its sender (consumer -> bridge, bridge -> file producer):
   * frames with index < `upTo` may be sent. Credit only grows.
   */
  credit: { readonly upTo: number };
  /**
   * Bridge -> a consumer of a live session: frames `from`..`to`-1 were dropped for it
   * because it fell more than the queue bound behind. The next frame it gets is `to` or
   * later; its credit should now count from `to`.
   */
  framesDropped: {
    readonly from: number;
    readonly to: number;
    /** Frames dropped for this consumer so far. */
    readonly total: number;
  };
  /** Bridge -> consumers: the session changed state (producer attached, lost, resumed, ended). */
  sessionStatus: {
    readonly session: string;
    /** waiting (no producer yet), streaming, stalled (producer lost, may resume), ended, aborted. */
    readonly state: 'waiting' | 'streaming' | 'stalled' | 'ended' | 'aborted';
    /** True for a live session (slow consumers lose the oldest frames). */
    readonly live: boolean;
    /** Index of the next frame the producer will send (frames produced so far). */
    readonly nextFrame: number;
  };
  /** One face-track frame (binary). */
  faceFrame: TrackFrame;
  /** One RGBA video frame (binary). */
  videoFrame: VideoFrameData;
  /** One rendered head crop, render page -> Node (binary). */
  renderCrop: RenderCropData;
}

/** A message name. */
export type MessageName = keyof MessageMap;
/** A decoded message: its name and payload. */
export type Message = { [K in MessageName]: { readonly type: K; readonly payload: MessageMap[K] } }[MessageName];

/** Names of messages that travel as binary. */
export const BINARY_MESSAGES = ['faceFrame', 'videoFrame', 'renderCrop'] as const satisfies readonly MessageName[];
type BinaryName = (typeof BINARY_MESSAGES)[number];

const TAG: Record<BinaryName, number> = { faceFrame: 0x46, videoFrame: 0x56, renderCrop: 0x52 };

/**
 * Binary layout of `faceFrame` (little-endian): u8 tag 'F', u8 version, u16 reserved,
 * u32 frame, f64 timeMs, u8 flags (bit0 face present, bit1 interpolated), 3 pad bytes,
 * then when a face is present f32 landmarks[1434], f32 blendshapes[52], f32 matrix[16].
 */
export const FACE_FRAME_HEADER_BYTES = 20;
/** Bytes of a `faceFrame` with a face. */
export const FACE_FRAME_BYTES = FACE_FRAME_HEADER_BYTES + (LANDMARK_FLOATS + BLENDSHAPE_COUNT + 16) * 4;
/**
 * Binary layout of `renderCrop` (little-endian): u8 tag 'R', u8 version, u8 flags (bit0
 * bottom-up rows, bit1 premultiplied, bit2 spans layout), u8 reserved, u32 frame, f64
 * timeMs, i32 x, i32 y, u32 width, u32 height, then the pixel data (see RenderCropData).
 */
export const RENDER_CROP_HEADER_BYTES = 32;
/** Binary layout of `videoFrame`: u8 tag 'V', u8 version, u8 encoding (0 rgba, 1 jpeg), u8 reserved, u32 frame, f64 timeMs, u32 width, u32 height, pixel bytes. */
export const VIDEO_FRAME_HEADER_BYTES = 24;

/** True on little-endian hosts, where float arrays can be copied as bytes. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeFloats(view: DataView, offset: number, src: Float32Array): number {
  if (LITTLE_ENDIAN && (view.byteOffset + offset) % 4 === 0) {
    new Float32Array(view.buffer, view.byteOffset + offset, src.length).set(src);
  } else {
    for (let i = 0; i < src.length; i++) view.setFloat32(offset + i * 4, src[i], true);
  }
  return offset + src.length * 4;
}

function readFloats(view: DataView, offset: number, n: number): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + n * 4));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(offset + i * 4, true);
  return out;
}

function encodeFaceFrame(f: TrackFrame): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(f.face ? FACE_FRAME_BYTES : FACE_FRAME_HEADER_BYTES);
  const v = new DataView(bytes.buffer);
  v.setUint8(0, TAG.faceFrame);
  v.setUint8(1, PROTOCOL_VERSION);
  v.setUint32(4, f.frame, true);
  v.setFloat64(8, f.timeMs, true);
  v.setUint8(16, (f.face ? 1 : 0) | (f.interpolated ? 2 : 0));
  if (f.face) {
    let o = writeFloats(v, FACE_FRAME_HEADER_BYTES, f.face.landmarks);
    o = writeFloats(v, o, f.face.blendshapes);
    writeFloats(v, o, f.face.matrix);
  }
  return bytes;
}

function decodeFaceFrame(v: DataView): TrackFrame {
  const flags = v.getUint8(16);
  let face: FaceData | null = null;
  if (flags & 1) {
    if (v.byteLength !== FACE_FRAME_BYTES) throw new Error(`faceFrame is ${v.byteLength} bytes, expected ${FACE_FRAME_BYTES}`);
    const lm = readFloats(v, FACE_FRAME_HEADER_BYTES, LANDMARK_FLOATS);
    const bsAt = FACE_FRAME_HEADER_BYTES + LANDMARK_FLOATS * 4;
    face = {
      landmarks: lm,
      blendshapes: readFloats(v, bsAt, BLENDSHAPE_COUNT),
      matrix: readFloats(v, bsAt + BLENDSHAPE_COUNT * 4, 16),
    };
  } else if (v.byteLength !== FACE_FRAME_HEADER_BYTES) {
    throw new Error(`faceFrame without face is ${v.byteLength} bytes, expected ${FACE_FRAME_HEADER_BYTES}`);
  }
  return {
    frame: v.getUint32(4, true),
    timeMs: v.getFloat64(8, true),
    face,
    ...(flags & 2 ? { interpolated: true } : {}),
  };
}

const ENCODING_CODE: Record<VideoFrameEncoding, number> = { rgba: 0, jpeg: 1 };

function encodeVideoFrame(f: VideoFrameData): Uint8Array<ArrayBuffer> {
  if (f.encoding === 'rgba' && f.data.length !== f.width * f.height * 4) {
    throw new Error(`videoFrame rgba is ${f.data.length} bytes, expected ${f.width * f.height * 4}`);
  }
  const bytes = new Uint8Array(VIDEO_FRAME_HEADER_BYTES + f.data.length);
  bytes.set(encodeVideoFrameHeader(f.frame, f.timeMs, f.width, f.height, f.encoding));
  bytes.set(f.data, VIDEO_FRAME_HEADER_BYTES);
  return bytes;
}

/** Header bytes of a `videoFrame`, for senders that append the pixel bytes themselves. */
export function encodeVideoFrameHeader(
  frame: number,
  timeMs: number,
  width: number,
  height: number,
  encoding: VideoFrameEncoding,
): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(VIDEO_FRAME_HEADER_BYTES);
  const v = new DataView(bytes.buffer);
  v.setUint8(0, TAG.videoFrame);
  v.setUint8(1, PROTOCOL_VERSION);
  v.setUint8(2, ENCODING_CODE[encoding]);
  v.setUint32(4, frame, true);
  v.setFloat64(8, timeMs, true);
  v.setUint32(16, width, true);
  v.setUint32(20, height, true);
  return bytes;
}

function decodeVideoFrame(bytes: Uint8Array, v: DataView): VideoFrameData {
  const width = v.getUint32(16, true);
  const height = v.getUint32(20, true);
  const code = v.getUint8(2);
  if (code > 1) throw new Error(`videoFrame encoding ${code} unknown`);
  const encoding: VideoFrameEncoding = code === 1 ? 'jpeg' : 'rgba';
  const data = bytes.subarray(VIDEO_FRAME_HEADER_BYTES);
  if (encoding === 'rgba' && data.length !== width * height * 4) throw new Error(`videoFrame ${width}x${height} carries ${data.length} bytes`);
  if (encoding === 'jpeg' && (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8)) throw new Error('videoFrame jpeg lacks a JPEG start marker');
  return { frame: v.getUint32(4, true), timeMs: v.getFloat64(8, true), width, height, encoding, data };
}

/**
 * Writes the header of a `renderCrop` into `into` (at least RENDER_CROP_HEADER_BYTES long),
 * for senders that read pixels straight into the bytes after it.
 */
export function writeRenderCropHeader(into: Uint8Array, c: Omit<RenderCropData, 'data'>): void {
  const v = new DataView(into.buffer, into.byteOffset, RENDER_CROP_HEADER_BYTES);
  v.setUint8(0, TAG.renderCrop);
  v.setUint8(1, PROTOCOL_VERSION);
  v.setUint8(2, (c.bottomUp ? 1 : 0) | (c.premultiplied ? 2 : 0) | (c.layout === 'spans' ? 4 : 0));
  v.setUint8(3, 0);
  v.setUint32(4, c.frame, true);
  v.setFloat64(8, c.timeMs, true);
  v.setInt32(16, c.x, true);
  v.setInt32(20, c.y, true);
  v.setUint32(24, c.width, true);
  v.setUint32(28, c.height, true);
}

/** Bytes a spans-layout crop must carry, or -1 when its span table is inconsistent. */
export function renderCropSpansBytes(data: Uint8Array, width: number, height: number): number {
  if (data.length < height * 4) return -1;
  const v = new DataView(data.buffer, data.byteOffset, height * 4);
  let px = 0;
  for (let r = 0; r < height; r++) {
    const x0 = v.getUint16(r * 4, true);
    const n = v.getUint16(r * 4 + 2, true);
    if (x0 + n > width) return -1;
    px += n;
  }
  return height * 4 + px * 4;
}

function checkRenderCropData(c: Pick<RenderCropData, 'width' | 'height' | 'layout' | 'data'>): void {
  const want = c.layout === 'spans' ? renderCropSpansBytes(c.data, c.width, c.height) : c.width * c.height * 4;
  if (c.data.length !== want) throw new Error(`renderCrop ${c.width}x${c.height} (${c.layout}) carries ${c.data.length} bytes, expected ${want}`);
}

function encodeRenderCrop(c: RenderCropData): Uint8Array<ArrayBuffer> {
  checkRenderCropData(c);
  const bytes = new Uint8Array(RENDER_CROP_HEADER_BYTES + c.data.length);
  writeRenderCropHeader(bytes, c);
  bytes.set(c.data, RENDER_CROP_HEADER_BYTES);
  return bytes;
}

function decodeRenderCrop(bytes: Uint8Array, v: DataView): RenderCropData {
  const width = v.getUint32(24, true);
  const height = v.getUint32(28, true);
  const data = bytes.subarray(RENDER_CROP_HEADER_BYTES);
  const flags = v.getUint8(2);
  const layout = flags & 4 ? 'spans' : 'rgba';
  checkRenderCropData({ width, height, layout, data });
  return {
    frame: v.getUint32(4, true),
    timeMs: v.getFloat64(8, true),
    x: v.getInt32(16, true),
    y: v.getInt32(20, true),
    width,
    height,
    bottomUp: (flags & 1) !== 0,
    premultiplied: (flags & 2) !== 0,
    ...(layout === 'spans' ? { layout } : {}),
    data,
  };
}

/**
 * Encodes a message: binary messages to bytes, control messages to a JSON string.
 * The one encoder every stage uses.
 */
export function encodeMessage<K extends MessageName>(type: K, payload: MessageMap[K]): K extends BinaryName ? Uint8Array<ArrayBuffer> : string;
export function encodeMessage<K extends MessageName>(type: K, payload: MessageMap[K]): Uint8Array | string {
  if (type === 'faceFrame') return encodeFaceFrame(payload as TrackFrame);
  if (type === 'videoFrame') return encodeVideoFrame(payload as VideoFrameData);
  if (type === 'renderCrop') return encodeRenderCrop(payload as RenderCropData);
  return JSON.stringify({ type, v: PROTOCOL_VERSION, payload });
}

/** Thrown by `decodeMessage` for anything that is not a well-formed message. */
export class ProtocolError extends Error {}

/** Names of messages that travel as JSON control messages. */
export const CONTROL_MESSAGES = [
  'hello',
  'welcome',
  'trackHeader',
  'trackEnd',
  'error',
  'credit',
  'sessionStatus',
  'framesDropped',
] as const satisfies readonly Exclude<MessageName, BinaryName>[];

const JSON_NAMES = new Set<string>(CONTROL_MESSAGES);

/** Decodes bytes or a JSON string into a message; throws ProtocolError when malformed. */
export function decodeMessage(data: string | ArrayBuffer | Uint8Array): Message {
  if (typeof data === 'string') {
    if (data.length > MAX_CONTROL_BYTES) throw new ProtocolError(`control message of ${data.length} bytes exceeds ${MAX_CONTROL_BYTES}`);
    let obj: unknown;
    try {
      obj = JSON.parse(data);
    } catch {
      throw new ProtocolError('control message is not JSON');
    }
    if (!obj || typeof obj !== 'object') throw new ProtocolError('control message is not an object');
    const { type, v, payload } = obj as { type?: unknown; v?: unknown; payload?: unknown };
    if (typeof type !== 'string' || !JSON_NAMES.has(type)) throw new ProtocolError(`unknown control message type ${JSON.stringify(type)}`);
    if (v !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version ${String(v)} is not ${PROTOCOL_VERSION}`);
    if (!payload || typeof payload !== 'object') throw new ProtocolError(`${type} has no payload object`);
    return { type, payload } as Message;
  }
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length < 4) throw new ProtocolError('binary message shorter than its header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint8(1) !== PROTOCOL_VERSION) throw new ProtocolError(`binary message version ${v.getUint8(1)} is not ${PROTOCOL_VERSION}`);
  try {
    switch (v.getUint8(0)) {
      case TAG.faceFrame:
        if (bytes.length < FACE_FRAME_HEADER_BYTES) throw new Error('faceFrame too short');
        return { type: 'faceFrame', payload: decodeFaceFrame(v) };
      case TAG.videoFrame:
        if (bytes.length < VIDEO_FRAME_HEADER_BYTES) throw new Error('videoFrame too short');
        if (bytes.length > MAX_VIDEO_FRAME_BYTES) throw new Error('videoFrame too large');
        return { type: 'videoFrame', payload: decodeVideoFrame(bytes, v) };
      case TAG.renderCrop:
        if (bytes.length < RENDER_CROP_HEADER_BYTES) throw new Error('renderCrop too short');
        if (bytes.length > MAX_VIDEO_FRAME_BYTES) throw new Error('renderCrop too large');
        return { type: 'renderCrop', payload: decodeRenderCrop(bytes, v) };
      default:
        throw new Error(`unknown binary tag 0x${v.getUint8(0).toString(16)}`);
    }
  } catch (e) {
    throw new ProtocolError((e as Error).message);
  }
}
