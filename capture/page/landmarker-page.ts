/**
 * The landmarker page (runs in headless Chromium): receives RGBA video frames over its
 * channel, runs MediaPipe Face Landmarker on each, and answers with face frames. Implements
 * the `noggin_landmarker_*` part of the page contract.
 */
import { FaceLandmarker, FilesetResolver, type FaceLandmarkerResult } from '@mediapipe/tasks-vision';
import { MEDIAPIPE_BLENDSHAPES } from '../../core/blendshapes.js';
import type { LandmarkerPageConfig, LandmarkerPageContract, LandmarkerPageInfo } from '../../core/page-contract.js';
import { encodeMessage, type VideoFrameData } from '../../core/protocol.js';
import { connectPageChannel } from '../../core/page-socket.js';
import { faceFromResult } from './face-result.js';
import type { FaceData, TrackFrame } from '../../core/track.js';

declare global {
  interface Window extends LandmarkerPageContract {}
}

let landmarker: FaceLandmarker | null = null;
let socket: WebSocket | null = null;
let config: LandmarkerPageConfig | null = null;
let lastTs = -Infinity;
let chain: Promise<void> = Promise.resolve();
const kept: (ImageData | ImageBitmap)[] = [];
/** Category names the model gave that noggin does not know (reported once). */
const unknownNames = new Set<string>();

function toFace(r: FaceLandmarkerResult): FaceData | null {
  return faceFromResult(r, (name) => unknownNames.add(name));
}

function detect(image: ImageData | ImageBitmap, timeMs: number): FaceLandmarkerResult {
  if (!landmarker || !config) throw new Error('landmarker not initialised');
  if (config.runningMode === 'IMAGE') return landmarker.detect(image);
  // VIDEO mode needs strictly increasing timestamps.
  const ts = Math.max(timeMs, lastTs + 0.001);
  lastTs = ts;
  return landmarker.detectForVideo(image, ts);
}

const stats = { frames: 0, detectMs: 0, handlerMs: 0 };

async function toImage(f: VideoFrameData): Promise<ImageData | ImageBitmap> {
  if (f.encoding === 'jpeg') return createImageBitmap(new Blob([f.data as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
  return new ImageData(new Uint8ClampedArray(f.data.buffer as ArrayBuffer, f.data.byteOffset, f.data.byteLength), f.width, f.height);
}

async function onFrame(f: VideoFrameData, pending: Promise<ImageData | ImageBitmap>): Promise<void> {
  const image = await pending;
  const t0 = performance.now();
  let face: FaceData | null = null;
  try {
    const td = performance.now();
    const r = detect(image, f.timeMs);
    stats.detectMs += performance.now() - td;
    face = toFace(r);
  } catch (e) {
    socket?.send(encodeMessage('error', { component: 'landmarker', message: String((e as Error).message ?? e), fix: 're-run with --log-level debug' }));
    return;
  }
  if (config && kept.length < config.keepFramesForBench) kept.push(image);
  else if (image instanceof ImageBitmap) image.close();
  const out: TrackFrame = { frame: f.frame, timeMs: f.timeMs, face };
  socket?.send(encodeMessage('faceFrame', out));
  stats.frames++;
  stats.handlerMs += performance.now() - t0;
}

window.noggin_landmarker_stats = async () => ({ ...stats });

window.noggin_landmarker_init = async (cfg: LandmarkerPageConfig): Promise<LandmarkerPageInfo> => {
  config = cfg;
  const fileset = await FilesetResolver.forVisionTasks(cfg.wasmUrl);
  landmarker = await FaceLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: cfg.modelUrl, delegate: cfg.delegate },
    runningMode: cfg.runningMode,
    numFaces: 1,
    minFaceDetectionConfidence: cfg.minFaceDetectionConfidence,
    minFacePresenceConfidence: cfg.minFacePresenceConfidence,
    minTrackingConfidence: cfg.minTrackingConfidence,
    outputFaceBlendshapes: true,
    outputFacialTransformationMatrixes: true,
  });
  const gl2 = !!document.createElement('canvas').getContext('webgl2');
  socket = await connectPageChannel(
    cfg.channel,
    (msg) => {
      // Frames are handled strictly one after another, in arrival order.
      if (msg.type !== 'videoFrame') return;
      // Decoding starts at once (off the main thread for JPEG); detection waits its turn.
      const f = msg.payload;
      const image = toImage(f);
      image.catch(() => undefined);
      chain = chain.then(() => onFrame(f, image));
    },
    (e) => socket?.send(encodeMessage('error', { component: 'landmarker', message: `bad message from Node: ${e.message}`, fix: 're-run; report it if it persists' })),
  );
  return { blendshapeNames: [...MEDIAPIPE_BLENDSHAPES], webgl2: gl2 };
};

window.noggin_landmarker_bench = async (iterations: number): Promise<number> => {
  if (!kept.length) throw new Error('no frames held for the bench');
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) detect(kept[i % kept.length], lastTs + 33.333);
  return (performance.now() - t0) / iterations;
};

window.noggin_landmarker_close = async (): Promise<void> => {
  if (unknownNames.size) console.warn(`unknown blendshape names: ${[...unknownNames].join(',')}`);
  socket?.close();
  landmarker?.close();
  landmarker = null;
};
