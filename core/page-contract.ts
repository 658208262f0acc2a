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

/** Response curve of a retarget channel: a name or an exponent (score^k). */
export type RenderRetargetCurve = 'linear' | 'smoothstep' | 'ease-in' | 'ease-out' | number;

/**
 * Anti-aliasing of the rendered head: 'msaa' multisamples every edge (about 2x the render
 * cost on software WebGL), 'edges' smooths the outline and colour steps after readback (a
 * 3x3 filter on alpha or brightness steps; nearly free), 'none' leaves edges jagged.
 */
export type Antialias = 'msaa' | 'edges' | 'none';

/** The anti-aliasing modes, for option parsers. */
export const ANTIALIAS_MODES: readonly Antialias[] = ['msaa', 'edges', 'none'];

/**
 * The lights of the head scene, in camera space (x right, y up, z toward the viewer; the
 * camera looks down -Z). Intensities are relative to noggin's studio lighting (1 = as is).
 */
export interface SceneLighting {
  /** Unit vector from the head toward the key light. */
  readonly keyFrom: readonly [number, number, number];
  /** Key (directional) light strength, relative. */
  readonly key: number;
  /** Ambient (sky/ground) light strength, relative. */
  readonly ambient: number;
  /** Light colour, linear RGB in [0,1] (white = [1,1,1]). */
  readonly color: readonly [number, number, number];
}

/** What the render page needs to know about the head to load. */
export interface RenderHeadSpec {
  /** URL the page fetches the model from. */
  readonly url: string;
  /** File name (its extension picks the loader plugin: .glb/.gltf -> gltf, .vrm -> vrm). */
  readonly fileName: string;
  /** Loader plugin name, when not chosen by the extension. */
  readonly loader?: string;
  /**
   * Model space -> canonical face cm, as in core/head-profile.ts. Null: fitted by the
   * loader (VRM: from its head bone) or from the model's bounding box, with a warning.
   */
  readonly anchor: {
    readonly originCm: readonly [number, number, number];
    readonly unitsPerCm: number;
    /** Which way the model faces, degrees about +y (canonical = rotateY(model / k, -yawDeg) - originCm). */
    readonly yawDeg?: number;
  } | null;
  /** Head bounds in canonical cm, for the crop; default: measured from the meshes. */
  readonly boundsCm?: { readonly minCm: readonly [number, number, number]; readonly maxCm: readonly [number, number, number] };
  /** Base colour per material name, sRGB hex, applied over the file's. */
  readonly colors: Readonly<Record<string, string>>;
  /** Canonical y (cm) below which the model is cut away (a body under the neck); default none (VRM: from its bones). */
  readonly clipBelowCm?: number;
  /** Retargeting: plugin names in order, per-channel overrides, explicit target map. */
  readonly retarget: {
    readonly plugins?: readonly string[];
    readonly channels?: Readonly<Record<string, { readonly gain?: number; readonly offset?: number; readonly min?: number; readonly max?: number; readonly curve?: RenderRetargetCurve }>>;
    readonly map?: Readonly<Record<string, string | null>>;
  };
  /** Largest texture side accepted in the file (px); larger ones fail the load. */
  readonly maxTextureSide: number;
  /** Largest vertex count accepted over all meshes. */
  readonly maxVertices: number;
}

/** Configuration of the render page. */
export interface RenderPageConfig {
  /** WebSocket channel id: the page connects to ws://host/channel/<id>. */
  readonly channel: string;
  /** Full frame size in px (the track's source size). */
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** Vertical field of view of the track's camera (63 for MediaPipe). */
  readonly verticalFovDeg: number;
  readonly head: RenderHeadSpec;
  /** Anti-aliasing of the head's edges (see `Antialias`). */
  readonly antialias: Antialias;
  /** Pixels added around the head's projected bounds. */
  readonly cropMarginPx: number;
  /** Crop sizes are rounded up to a multiple of this, so the canvas rarely resizes. */
  readonly cropQuantumPx: number;
  /** Render whole frames instead of crops (debugging, comparisons). */
  readonly fullFrame: boolean;
  /**
   * Most morph targets active at once (the largest weights win). Each active target costs a
   * texture fetch per vertex, and without a GPU that is most of the frame time.
   */
  readonly maxActiveMorphs: number;
  /** Morph normals too (better shading of big shapes, about 1.5x the morph cost). */
  readonly morphNormals: boolean;
  /**
   * Where morph targets are applied: 'cpu' adds each active target's sparse deltas in JS and
   * uploads one buffer (far cheaper on software WebGL, where per-vertex target fetches
   * dominate), 'gpu' morphs in Babylon's vertex shader (better with a real GPU).
   */
  readonly morphsOn: 'cpu' | 'gpu';
  /** Lights matched to the footage (see render/lighting.ts); null: studio lighting. */
  readonly lighting: SceneLighting | null;
  /**
   * Replace PBR materials by Blinn-Phong ones of the same colours and textures (much cheaper
   * per pixel without a GPU; mascots look nearly the same).
   */
  readonly fastMaterials: boolean;
  /** With fast materials, matte parts lit per vertex (much cheaper per pixel without a GPU; within a level or so of per-pixel). */
  readonly vertexLighting: boolean;
}

/** What the render page learnt about the head. */
export interface RenderHeadInfo {
  /** Loader plugin that loaded it, and the other plugins involved (glTF extensions, VRM). */
  readonly loader: string;
  readonly plugins: readonly string[];
  readonly meshes: number;
  readonly vertices: number;
  /** Meshes whose matte material is lit per vertex (fast materials). */
  readonly vertexLitMeshes: number;
  /** Distinct morph target names over all meshes. */
  readonly morphTargets: readonly string[];
  /** Bound target -> plugin (or "map") that bound it. */
  readonly bound: Readonly<Record<string, string>>;
  /** Targets nothing drives. */
  readonly unbound: readonly string[];
  /** Expression names (VRM), empty otherwise. */
  readonly expressions: readonly string[];
  /** Canonical-cm bounds used for the crop. */
  readonly boundsCm: { readonly minCm: readonly [number, number, number]; readonly maxCm: readonly [number, number, number] };
  /** Things the user should know (no morphs, fitted without profile...). */
  readonly warnings: readonly string[];
}

/** What the render page reports once ready. */
export interface RenderPageInfo {
  readonly webgl2: boolean;
  /** The WebGL renderer string (SwiftShader, a GPU...). */
  readonly renderer: string;
  readonly head: RenderHeadInfo;
}

/** Time spent so far in the render page. */
export interface RenderPageStats {
  readonly frames: number;
  /** Frames drawn (with a face). */
  readonly drawn: number;
  /** ms in scene.render (CPU side, includes SwiftShader when it runs synchronously). */
  readonly renderMs: number;
  /** ms in gl.readPixels. */
  readonly readMs: number;
  /** ms in WebSocket send. */
  readonly sendMs: number;
  /** Bytes of pixels sent. */
  readonly bytes: number;
  /** Canvas resizes. */
  readonly resizes: number;
}

/** Functions the render page (render/page) exposes. */
export interface RenderPageContract {
  /**
   * Creates the WebGL engine and scene, loads the head, connects the channel and starts
   * answering each `faceFrame` with a `renderCrop` (same frame index). Rejects with the
   * load error (message prefixed `webgl:`, `load:`, `limits:` to tell them apart).
   */
  noggin_render_init(config: RenderPageConfig): Promise<RenderPageInfo>;
  /**
   * Projects canonical-cm points through the scene's own camera and head nodes (Babylon's
   * matrices), once per face matrix (16 numbers, column-major, as the page would render
   * it). Returns frame pixels per matrix, null for points behind the camera.
   */
  noggin_render_project(
    matrices: readonly (readonly number[])[],
    pointsCm: readonly (readonly [number, number, number])[],
  ): Promise<({ x: number; y: number } | null)[][]>;
  /** Shows or hides the head (hidden: the bare cost of an empty scene through the same path). */
  noggin_render_setHeadVisible(visible: boolean): Promise<void>;
  /** Relights the head (camera space; null: studio lighting), e.g. once the footage's lighting is estimated. */
  noggin_render_setLighting(lighting: SceneLighting | null): Promise<void>;
  /**
   * Renders and reads back `iterations` frames of `width` x `height` px with the head
   * hidden (`withHead` false: the bare cost of an empty scene) or shown at a fixed pose.
   * Returns ms per frame.
   */
  noggin_render_bench(iterations: number, width: number, height: number, withHead: boolean): Promise<number>;
  noggin_render_stats(): Promise<RenderPageStats>;
  /** Test hook: loses the WebGL context (WEBGL_lose_context), as a GPU reset would. */
  noggin_render_loseContext(): Promise<void>;
  /** Disposes the scene and engine and closes the channel. */
  noggin_render_close(): Promise<void>;
}

/** What the studio page's Live tab reports (`noggin_studio_live_stats`). */
export interface StudioLiveStats {
  /** idle: not started; starting: camera or model loading; running; error: see `message`. */
  readonly state: 'idle' | 'starting' | 'running' | 'error';
  /** The plain-language message the page shows (a problem or a warning), or null. */
  readonly message: string | null;
  /** full: landmarker + mascot + compositing; no-mascot: the same without the mascot; landmarker: the landmarker alone (nothing drawn). */
  readonly mode: StudioLiveMode;
  /** Landmarker delegate in use, null before it is loaded. */
  readonly delegate: 'GPU' | 'CPU' | null;
  /** WebGL renderer string of the compositor (a GPU, SwiftShader...). */
  readonly renderer: string;
  /** Camera frame size in px (0 before the camera runs). */
  readonly width: number;
  readonly height: number;
  /** Name of the mascot shown, null for none. */
  readonly head: string | null;
  /** True while a mascot loads. */
  readonly headLoading: boolean;
  readonly mirror: boolean;
  /** True once a neutral face was recorded (calibrate). */
  readonly calibrated: boolean;
  readonly recording: boolean;
  /** Bridge session being published to, or null. */
  readonly publishing: string | null;
  /** Since the last reset: camera frames processed, and those with a face. */
  readonly frames: number;
  readonly faceFrames: number;
  /** Since the last reset: frames processed per second of wall time. */
  readonly fps: number;
  /** Since the last reset, mean ms per processed frame: landmarker, mascot render, compositing, all the frame's work. */
  readonly detectMs: number;
  readonly renderMs: number;
  readonly compositeMs: number;
  readonly frameMs: number;
  /** Since the last reset, mean and 95th percentile ms from the camera frame's capture to the composited canvas. */
  readonly latencyMs: number;
  readonly latencyP95Ms: number;
  /**
   * Since the last reset, with profile on: mean ms per frame of each compositing stage,
   * waiting for the GPU after each (`before`: GPU work queued ahead of compositing, such as
   * the mascot's rasterisation). Empty otherwise.
   */
  readonly stagesMs: Readonly<Record<string, number>>;
}

/** Processing modes of the Live tab (the bench compares them). */
export type StudioLiveMode = 'full' | 'no-mascot' | 'landmarker';

/** One composited frame compared with its camera frame (`noggin_studio_live_probe`). */
export interface StudioLiveProbe {
  /** Frame size in px. */
  readonly width: number;
  readonly height: number;
  /** Mascot shown in that frame. */
  readonly head: string | null;
  /** Pixels inside the face oval (display px) and those whose colour differs from the camera frame (largest channel difference > 8 of 255). */
  readonly ovalPixels: number;
  readonly differing: number;
  /** differing / ovalPixels. */
  readonly coverage: number;
  /** Mean RGB (0-255) of the composite inside the face oval. */
  readonly meanOutputRgb: readonly [number, number, number];
}

/** The last recording of the Live tab, for tests (`noggin_studio_live_lastRecording`). */
export interface StudioLiveRecording {
  /** The file, base64. */
  readonly base64: string;
  readonly mimeType: string;
  readonly fileName: string;
  /** Wall-clock ms from start to stop. */
  readonly durationMs: number;
  /** True when microphone audio was recorded. */
  readonly withAudio: boolean;
}

/** Functions the studio page's Live tab (studio/page) exposes. */
export interface StudioLivePageContract {
  noggin_studio_live_stats(): Promise<StudioLiveStats>;
  /** Starts the since-reset figures of `noggin_studio_live_stats` afresh. */
  noggin_studio_live_resetStats(): Promise<void>;
  /**
   * The processing mode (for the bench); `syncGpu` waits for the GPU at the end of each
   * frame so times include its work; `profile` also waits after each compositing stage and
   * times it (`stagesMs`).
   */
  noggin_studio_live_setMode(mode: StudioLiveMode, syncGpu: boolean, profile: boolean): Promise<void>;
  /** Compares the next composited frame with a face against its camera frame; rejects after `timeoutMs`. */
  noggin_studio_live_probe(timeoutMs: number): Promise<StudioLiveProbe>;
  /** The last finished recording, or null. */
  noggin_studio_live_lastRecording(): Promise<StudioLiveRecording | null>;
}

/** Every page function, by page. */
export interface PageContract extends LandmarkerPageContract, RenderPageContract, StudioLivePageContract {}
