/**
 * The page contract: every function Node calls inside noggin's Chromium pages, declared
 * once, all prefixed `noggin_`. Pages assign these on `window`; Node calls them through
 * puppeteer's `page.evaluate`. Bulk data (video frames, face frames, pixels) never goes
 * through `evaluate`: it travels as binary protocol messages over the page's channel.
 */

/** Configuration of the landmarker page (capture). */
export interface LandmarkerPageConfig {
  /** WebSocket channel id: the page connects to ws://host/channel/<id>. */
  readonly channel: string;
  /** URL of face_landmarker.task. */
  readonly modelUrl: string;
  /** URL of the folder holding tasks-vision's WASM files. */
  readonly wasmUrl: string;
  /** VIDEO (tracking, timestamps must increase) or IMAGE (each frame on its own). */
  readonly runningMode: 'VIDEO' | 'IMAGE';
  /** Inference delegate. */
  readonly delegate: 'CPU' | 'GPU';
  /** Detection/presence/tracking confidences in [0,1]. */
  readonly minFaceDetectionConfidence: number;
  readonly minFacePresenceConfidence: number;
  readonly minTrackingConfidence: number;
  /** Number of received frames the page keeps for `noggin_landmarker_bench`. */
  readonly keepFramesForBench: number;
}

/** What the landmarker page reports once ready. */
export interface LandmarkerPageInfo {
  /** Blendshape category names in the model's output order. */
  readonly blendshapeNames: readonly string[];
  /** Whether WebGL2 was available in the page. */
  readonly webgl2: boolean;
}

/** Functions the landmarker page (capture/page) exposes. */
export interface LandmarkerPageContract {
  /**
   * Creates the landmarker, connects the channel and starts answering each `videoFrame`
   * with a `faceFrame` (same frame index and time). Rejects with the load error.
   */
  noggin_landmarker_init(config: LandmarkerPageConfig): Promise<LandmarkerPageInfo>;
  /**
   * Runs detection on the frames already held in the page, `iterations` times in total,
   * with nothing else going on: the bare landmarker cost. Returns ms per frame.
   */
  noggin_landmarker_bench(iterations: number): Promise<number>;
  /** Time spent so far in the page: frames answered, ms in detection, ms in the whole frame handler. */
  noggin_landmarker_stats(): Promise<{ frames: number; detectMs: number; handlerMs: number }>;
  /** Closes the landmarker and the channel. */
  noggin_landmarker_close(): Promise<void>;
}

/** Every page function, by page. */
export interface PageContract extends LandmarkerPageContract {}
