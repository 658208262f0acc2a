/**
 * MediaPipe Face Landmarker in the page, on live video (VIDEO running mode, one instance
 * per stream). The GPU delegate runs where WebGL is hardware-accelerated; on a software
 * rasteriser (SwiftShader, llvmpipe) or when the GPU delegate fails to start, the CPU
 * (XNNPACK) delegate runs, which is faster there.
 */
import { FaceLandmarker, FilesetResolver } from '@mediapipe/tasks-vision';
import type { FaceData } from '../../core/track.js';
import { faceFromResult } from '../../capture/page/face-result.js';

/** Which inference delegate to use; `auto` picks GPU on hardware WebGL, CPU otherwise. */
export type DelegateChoice = 'auto' | 'GPU' | 'CPU';

/** Options of a face tracker. */
export interface FaceTrackerOptions {
  /** URL of face_landmarker.task. */
  readonly modelUrl: string;
  /** URL of the folder of tasks-vision's WASM files. */
  readonly wasmUrl: string;
  readonly delegate: DelegateChoice;
  /** Detection/presence/tracking confidences in [0,1] (default 0.5). */
  readonly minConfidence?: number;
}

/** The WebGL renderer string of a throwaway context ('' without WebGL). */
export function webglRendererName(): string {
  const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
  if (!gl) return '';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

/** True for renderer strings of software rasterisers. Pure. */
export function isSoftwareRenderer(name: string): boolean {
  return !name || /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
}

/** One landmarker on one live stream. */
export class FaceTracker {
  private lastTs = -Infinity;

  private constructor(
    private landmarker: FaceLandmarker | null,
    /** The delegate in use. */
    readonly delegate: 'GPU' | 'CPU',
  ) {}

  /** Loads the model and creates the landmarker. Rejects with the load error. */
  static async create(o: FaceTrackerOptions): Promise<FaceTracker> {
    const fileset = await FilesetResolver.forVisionTasks(o.wasmUrl);
    const conf = o.minConfidence ?? 0.5;
    const make = (delegate: 'GPU' | 'CPU') =>
      FaceLandmarker.createFromOptions(fileset, {
        baseOptions: { modelAssetPath: o.modelUrl, delegate },
        runningMode: 'VIDEO',
        numFaces: 1,
        minFaceDetectionConfidence: conf,
        minFacePresenceConfidence: conf,
        minTrackingConfidence: conf,
        outputFaceBlendshapes: true,
        outputFacialTransformationMatrixes: true,
      });
    const wanted = o.delegate === 'auto' ? (isSoftwareRenderer(webglRendererName()) ? 'CPU' : 'GPU') : o.delegate;
    if (wanted === 'GPU') {
      try {
        return new FaceTracker(await make('GPU'), 'GPU');
      } catch {
        // The GPU delegate needs WebGL2 features some drivers lack: the CPU one always works.
      }
    }
    return new FaceTracker(await make('CPU'), 'CPU');
  }

  /** Detects the face in the current picture of `source` at `timeMs` (forced to increase). */
  detect(source: HTMLVideoElement | HTMLCanvasElement | ImageBitmap, timeMs: number): FaceData | null {
    if (!this.landmarker) return null;
    const ts = Math.max(timeMs, this.lastTs + 0.001);
    this.lastTs = ts;
    return faceFromResult(this.landmarker.detectForVideo(source, ts));
  }

  close(): void {
    this.landmarker?.close();
    this.landmarker = null;
  }
}
