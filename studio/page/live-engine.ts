/**
 * The live head-swap loop (browser): camera frame -> Face Landmarker -> One Euro smoothing
 * (the filter of `capture --smoothing live`) -> neutral-face subtraction -> pose alignment
 * (render/pose-fit.ts, as `--align refit`) -> mirroring -> the offline renderer's HeadScene
 * -> GPU compositing into one visible canvas. Nothing leaves the page except, when asked, the
 * tracking published to a bridge session.
 */
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import type { RenderHeadSpec, StudioLiveMode, StudioLiveProbe, StudioLiveStats } from '../../core/page-contract.js';
import type { FaceData } from '../../core/track.js';
import { MEDIAPIPE_VERTICAL_FOV_DEG } from '../../core/track.js';
import { OneEuroSmoother } from '../../capture/smoothing/one-euro.js';
import { DEFAULT_ONE_EURO } from '../../capture/smoothing/params.js';
import { headRegion, type HeadRegion } from '../../composite/head-region.js';
import { HeadScene } from '../../render/page/head-scene.js';
import { calibrateFace, NO_CALIBRATION, refinePose, spread, type FaceCalibration, type FitFace } from '../../render/pose-fit.js';
import { BridgePublisher } from './bridge-publisher.js';
import { stopStream, openCamera } from './camera.js';
import { Compositor, type CompositeFrame } from './compositor.js';
import { faceCoverage } from './coverage.js';
import { FaceTracker, isSoftwareRenderer, type DelegateChoice } from './face-tracker.js';
import { lostFaceOpacity } from './face-fade.js';
import { meanBlendshapes, mirrorFace, subtractNeutral } from './face-transforms.js';
import { CanvasRecorder, type Recording } from './recorder.js';

/** A mascot the user can pick: a shipped head (from the server's index) or a dropped file. */
export interface HeadChoice {
  readonly name: string;
  readonly displayName: string;
  readonly kind: string;
  /** Profile colours by material name (sRGB hex), the starting point of recolouring. */
  readonly colors: Readonly<Record<string, string>>;
  readonly spec: RenderHeadSpec;
}

/**
 * What the live view shows: a camera at about `width` x `height`, or a video file (a URL the
 * page may load, e.g. the blob URL of a chosen file) played muted in a loop in its place.
 */
export type LiveSource =
  | { readonly kind: 'camera'; readonly deviceId: string; readonly width: number; readonly height: number }
  | { readonly kind: 'file'; readonly url: string; readonly name: string };

/** Where the engine finds its files. */
export interface LiveEngineOptions {
  readonly modelUrl: string;
  readonly wasmUrl: string;
  readonly delegate: DelegateChoice;
}

/** Faces collected (every other frame) to fit the presenter's calibration (render/pose-fit.ts). */
const ALIGN_FACES = 30;
/** Frames averaged for the neutral face. */
const NEUTRAL_FRAMES = 15;
/** A face missing for more frames than this restarts the smoothing filter. */
const SMOOTHING_GAP_FRAMES = 5;

interface Totals {
  t0: number;
  frames: number;
  faceFrames: number;
  detectMs: number;
  renderMs: number;
  compositeMs: number;
  frameMs: number;
  latencies: number[];
}

function newTotals(): Totals {
  return { t0: performance.now(), frames: 0, faceFrames: 0, detectMs: 0, renderMs: 0, compositeMs: 0, frameMs: 0, latencies: [] };
}

type VideoFrameMeta = { captureTime?: number; mediaTime?: number };

export class LiveEngine {
  readonly video: HTMLVideoElement;
  private readonly compositor: Compositor;
  readonly software: boolean;
  private stream: MediaStream | null = null;
  private tracker: FaceTracker | null = null;
  private head: HeadScene | null = null;
  private headChoice: HeadChoice | null = null;
  private shownHead: string | null = null;
  private headPixels = new Uint8Array(0);
  private headLoading = 0;
  private smoother = new OneEuroSmoother(DEFAULT_ONE_EURO, SMOOTHING_GAP_FRAMES);
  private frameIndex = 0;
  private running = false;
  private loopToken = 0;
  private lastDisplay: { face: FaceData; region: HeadRegion; seenAt: number } | null = null;
  private neutral: Float32Array | null = null;
  private neutralSamples: Float32Array[] | null = null;
  private alignFaces: FitFace[] = [];
  private calibration: FaceCalibration = NO_CALIBRATION;
  private recorder: CanvasRecorder | null = null;
  private publisher: BridgePublisher | null = null;
  private totals = newTotals();
  private recent: { at: number; frameMs: number; latencyMs: number }[] = [];
  private probeWaiters: ((p: StudioLiveProbe) => void)[] = [];
  state: StudioLiveStats['state'] = 'idle';
  message: string | null = null;
  mirror = true;
  mode: StudioLiveMode = 'full';
  private sync = false;
  lastRecording: Recording | null = null;
  /** Called after state, head or message changes (for the UI). */
  onChange: () => void = () => undefined;

  constructor(readonly canvas: HTMLCanvasElement, private readonly opts: LiveEngineOptions) {
    this.compositor = new Compositor(canvas);
    this.software = isSoftwareRenderer(this.renderer());
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.playsInline = true;
  }

  /** The compositor's WebGL renderer string. */
  renderer(): string {
    const gl = this.compositor.gl;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  }

  private set(state: StudioLiveStats['state'], message: string | null): void {
    this.state = state;
    this.message = message;
    this.onChange();
  }

  /** Opens the source and the landmarker and starts the loop. Errors become `message`. */
  async start(source: LiveSource): Promise<void> {
    this.stop();
    this.set('starting', null);
    try {
      if (source.kind === 'camera') {
        this.stream = await openCamera(source.deviceId, source.width, source.height);
        this.video.srcObject = this.stream;
        await this.video.play();
      } else {
        await this.playFile(source.url, source.name);
      }
      if (!this.tracker) this.tracker = await FaceTracker.create(this.opts);
    } catch (e) {
      this.closeSource();
      this.set('error', (e as Error).message);
      return;
    }
    this.compositor.resize(this.video.videoWidth, this.video.videoHeight);
    this.compositor.resetPlate();
    // A new stream: smoothing and the presenter's calibration start afresh.
    this.smoother = new OneEuroSmoother(DEFAULT_ONE_EURO, SMOOTHING_GAP_FRAMES);
    this.alignFaces = [];
    this.calibration = NO_CALIBRATION;
    if (this.headChoice && (!this.head || this.head.opts.frameWidth !== this.video.videoWidth || this.head.opts.frameHeight !== this.video.videoHeight)) {
      // The head scene is sized to the frame: a new camera size needs it built again.
      await this.setHead(this.headChoice).catch((e: Error) => {
        this.message = `The mascot could not be loaded again: ${e.message}`;
      });
    }
    this.running = true;
    this.resetStats();
    this.set('running', null);
    this.schedule(++this.loopToken);
  }

  /** Stops the loop and the camera or file (the landmarker and head stay loaded). */
  stop(): void {
    this.running = false;
    this.loopToken++;
    this.closeSource();
    this.lastDisplay = null;
    if (this.state === 'running' || this.state === 'starting') this.set('idle', null);
  }

  /** Plays a video file in the camera's place: muted (so autoplay is allowed), looped. */
  private async playFile(url: string, name: string): Promise<void> {
    this.video.loop = true;
    this.video.src = url;
    try {
      await this.video.play();
    } catch (e) {
      const err = this.video.error;
      const why = err ? (err.message || `media error ${err.code}`) : (e as Error).message;
      throw new Error(`The video "${name}" could not be played as the camera (${why}). Choose a video this browser plays (MP4 with H.264, or WebM).`);
    }
  }

  private closeSource(): void {
    stopStream(this.stream);
    this.stream = null;
    this.video.srcObject = null;
    if (this.video.getAttribute('src') !== null) {
      this.video.pause();
      this.video.removeAttribute('src');
      this.video.load();
    }
    this.video.loop = false;
  }

  private schedule(token: number): void {
    const v = this.video as HTMLVideoElement & { requestVideoFrameCallback?: (cb: (now: number, meta: VideoFrameMeta) => void) => number };
    if (v.requestVideoFrameCallback) {
      v.requestVideoFrameCallback((now, meta) => this.tick(token, now, meta));
    } else {
      // Without requestVideoFrameCallback: poll each display frame for a new video time.
      let last = -1;
      const poll = (now: number) => {
        if (token !== this.loopToken) return;
        if (this.video.currentTime !== last) {
          last = this.video.currentTime;
          this.tick(token, now, {});
        } else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }
  }

  private tick(token: number, now: number, meta: VideoFrameMeta): void {
    if (token !== this.loopToken || !this.running) return;
    try {
      this.process(now, meta);
    } catch (e) {
      this.set('error', `The live view stopped: ${(e as Error).message ?? String(e)}`);
      this.stop();
      this.state = 'error';
      return;
    }
    this.schedule(token);
  }

  private process(now: number, meta: VideoFrameMeta): void {
    const t0 = performance.now();
    const w = this.video.videoWidth;
    const h = this.video.videoHeight;
    if (w !== this.canvas.width || h !== this.canvas.height) this.compositor.resize(w, h);
    const raw = this.tracker!.detect(this.video, t0);
    const t1 = performance.now();
    let t2 = t1;
    let t3 = t1;
    let face: FaceData | null = null;
    if (this.mode !== 'landmarker') {
      const smoothed = this.smoother.push({ frame: this.frameIndex++, timeMs: now, face: raw }).face;
      if (smoothed) face = this.prepare(smoothed, w, h);
      this.publisher?.push(face, now);
      let display = this.lastDisplay;
      if (face) {
        const aligned = { ...face, matrix: this.align(face, w, h) };
        const shown = this.mirror ? mirrorFace(aligned) : aligned;
        display = { face: shown, region: headRegion(shown.landmarks, w, h), seenAt: t0 };
        this.lastDisplay = display;
      }
      const age = display ? t0 - display.seenAt : Infinity;
      const opacity = lostFaceOpacity(age);
      let headLayer: CompositeFrame['head'] = null;
      if (display && opacity > 0 && this.head && this.mode === 'full') {
        const crop = this.head.cropFor(display.face.matrix);
        if (crop) {
          this.head.setTime(now);
          this.head.setFace(display.face.matrix, display.face.blendshapes);
          this.head.render(crop);
          headLayer = { source: this.software ? this.readHead(crop.width, crop.height) : this.head.canvas, crop };
        }
      }
      t2 = performance.now();
      // No head hiding until a mascot is there to cover it (a headless presenter is worse).
      const hide = this.head !== null || this.mode === 'no-mascot';
      this.compositor.draw({ camera: this.video, mirror: this.mirror, region: hide ? (display?.region ?? null) : null, head: headLayer, opacity, updatePlate: !!face });
      if (this.sync) this.syncWithGpu();
      t3 = performance.now();
      if (face && display && this.probeWaiters.length) this.answerProbes(display.face, w, h);
    } else if (this.sync) {
      this.syncWithGpu();
    }
    const end = performance.now();
    const latency = end - (meta.captureTime && meta.captureTime > 0 && meta.captureTime <= end ? meta.captureTime : now);
    const T = this.totals;
    T.frames++;
    if (raw) T.faceFrames++;
    T.detectMs += t1 - t0;
    T.renderMs += t2 - t1;
    T.compositeMs += t3 - t2;
    T.frameMs += end - t0;
    T.latencies.push(latency);
    this.recent.push({ at: end, frameMs: end - t0, latencyMs: latency });
    while (this.recent.length && this.recent[0].at < end - 2000) this.recent.shift();
  }

  /** Neutral subtraction, collection of calibration samples. Returns the face to show (camera space). */
  private prepare(smoothed: FaceData, w: number, h: number): FaceData {
    if (this.neutralSamples) {
      this.neutralSamples.push(smoothed.blendshapes);
      if (this.neutralSamples.length >= NEUTRAL_FRAMES) {
        this.neutral = meanBlendshapes(this.neutralSamples);
        this.neutralSamples = null;
        this.onChange();
      }
    }
    if (this.alignFaces.length < ALIGN_FACES && this.frameIndex % 2 === 0) {
      this.alignFaces.push(smoothed);
      if (this.alignFaces.length === ALIGN_FACES) {
        this.calibration = calibrateFace(spread(this.alignFaces, ALIGN_FACES), { verticalFovDeg: MEDIAPIPE_VERTICAL_FOV_DEG, frameWidth: w, frameHeight: h });
      }
    }
    return this.neutral ? { ...smoothed, blendshapes: subtractNeutral(smoothed.blendshapes, this.neutral) } : smoothed;
  }

  /** The pose to render (camera space): the landmarks' refit of the calibrated pose. */
  private align(face: FaceData, w: number, h: number): Float32Array {
    const cam = { verticalFovDeg: MEDIAPIPE_VERTICAL_FOV_DEG, frameWidth: w, frameHeight: h };
    return Float32Array.from(refinePose(face.matrix, face.landmarks, cam, this.calibration, { rotationStiffness: 2 }));
  }

  /** The head scene's last render, read back (see CompositeFrame.head). */
  private readHead(w: number, h: number): Uint8Array {
    if (this.headPixels.length < w * h * 4) this.headPixels = new Uint8Array(Math.ceil(w * h * 4 * 1.25));
    const px = this.headPixels.subarray(0, w * h * 4);
    this.head!.readPixels(px);
    return px;
  }

  private syncWithGpu(): void {
    const gl = this.compositor.gl;
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  }

  private answerProbes(face: FaceData, w: number, h: number): void {
    const out = this.compositor.readOutput();
    const cam = this.compositor.readCamera(this.mirror);
    const c = faceCoverage(out, cam, w, h, face.landmarks);
    const probe: StudioLiveProbe = { width: w, height: h, head: this.shownHead, ...c };
    const waiters = this.probeWaiters;
    this.probeWaiters = [];
    for (const r of waiters) r(probe);
  }

  /** Resolves with the next composited frame with a face, compared with its camera frame. */
  probe(timeoutMs: number): Promise<StudioLiveProbe> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no composited frame with a face within ${timeoutMs} ms`)), timeoutMs);
      this.probeWaiters.push((p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
  }

  /**
   * Loads a mascot (replacing the one shown once it is ready); resolves with what the user
   * should know about it (warnings of the loader). Rejects with the load error.
   */
  async setHead(choice: HeadChoice): Promise<readonly string[]> {
    const w = this.video.videoWidth || 640;
    const h = this.video.videoHeight || 480;
    this.headChoice = choice;
    const token = ++this.headLoading;
    this.onChange();
    let scene: HeadScene | null = null;
    let warnings: readonly string[] = [];
    try {
      scene = new HeadScene({
        antialias: !this.software,
        verticalFovDeg: MEDIAPIPE_VERTICAL_FOV_DEG,
        frameWidth: w,
        frameHeight: h,
        cropMarginPx: 4,
        cropQuantumPx: 32,
        maxActiveMorphs: 64,
        morphNormals: !this.software,
        fastMaterials: true,
        vertexLighting: true,
        morphsOn: this.software ? 'cpu' : 'gpu',
      });
      warnings = (await scene.loadHead({ ...choice.spec, colors: { ...choice.spec.colors, ...choice.colors } })).warnings;
    } catch (e) {
      scene?.dispose();
      if (token === this.headLoading) {
        this.headLoading = 0;
        this.onChange();
      }
      throw e;
    }
    if (token !== this.headLoading) {
      scene.dispose();
      return [];
    }
    this.head?.dispose();
    this.head = scene;
    this.shownHead = choice.name;
    this.headLoading = 0;
    this.onChange();
    return warnings;
  }

  /** The mascot's name, or null. */
  headName(): string | null {
    return this.shownHead;
  }

  isHeadLoading(): boolean {
    return this.headLoading !== 0;
  }

  /** Recolours a material of the shown mascot (sRGB hex). */
  recolor(material: string, hex: string): void {
    if (!this.head) return;
    const c = Color3.FromHexString(hex);
    for (const m of this.head.scene.materials) {
      if (m.name !== material) continue;
      const mat = m as unknown as { albedoColor?: Color3; diffuseColor?: Color3; unfreeze(): void; freeze(): void };
      mat.unfreeze();
      if (mat.albedoColor) mat.albedoColor = c.toLinearSpace();
      else if (mat.diffuseColor) mat.diffuseColor = c;
      mat.freeze();
    }
  }

  /** Records the neutral face from the next frames and refits the alignment. */
  calibrate(): void {
    this.neutralSamples = [];
    this.alignFaces = [];
    this.calibration = NO_CALIBRATION;
    this.onChange();
  }

  /** Forgets the neutral face. */
  clearCalibration(): void {
    this.neutral = null;
    this.neutralSamples = null;
    this.onChange();
  }

  isCalibrated(): boolean {
    return this.neutral !== null;
  }

  isCalibrating(): boolean {
    return this.neutralSamples !== null;
  }

  setMirror(on: boolean): void {
    this.mirror = on;
    this.lastDisplay = null;
    this.onChange();
  }

  /** Starts recording the canvas (with `audio`'s tracks when given). */
  startRecording(audio: MediaStream | null): void {
    if (this.recorder) return;
    this.recorder = new CanvasRecorder(this.canvas, audio, 30);
    this.onChange();
  }

  /** Stops recording; resolves with the file. */
  async stopRecording(): Promise<Recording | null> {
    const r = this.recorder;
    this.recorder = null;
    if (!r) return null;
    this.lastRecording = await r.stop();
    this.onChange();
    return this.lastRecording;
  }

  recordingMs(): number | null {
    return this.recorder ? this.recorder.elapsedMs() : null;
  }

  /** Starts publishing the tracking to a bridge session. */
  async startPublishing(session: string): Promise<void> {
    this.stopPublishing();
    this.publisher = await BridgePublisher.start(session, this.video.videoWidth || 640, this.video.videoHeight || 480, 30);
    this.onChange();
  }

  stopPublishing(): void {
    this.publisher?.stop();
    this.publisher = null;
    this.onChange();
  }

  publishing(): { session: string; frames: number; problem: string | null } | null {
    return this.publisher ? { session: this.publisher.session, frames: this.publisher.frames, problem: this.publisher.problem } : null;
  }

  resetStats(): void {
    this.totals = newTotals();
    if (this.compositor.profile) this.compositor.profile = {};
  }

  /** Waits for the GPU at the end of each frame (bench), or not. */
  set syncGpu(on: boolean) {
    this.sync = on;
  }

  /** Times each compositing stage, waiting for the GPU after each (bench), or not. */
  set profile(on: boolean) {
    this.compositor.profile = on ? {} : null;
  }

  /** Frames/s and mean frame and latency ms over the last 2 s (for the status line). */
  recentFigures(): { fps: number; frameMs: number; latencyMs: number } {
    const r = this.recent;
    if (r.length < 2) return { fps: 0, frameMs: 0, latencyMs: 0 };
    const span = (r[r.length - 1].at - r[0].at) / 1000;
    const mean = (k: 'frameMs' | 'latencyMs') => r.reduce((s, x) => s + x[k], 0) / r.length;
    return { fps: span > 0 ? (r.length - 1) / span : 0, frameMs: mean('frameMs'), latencyMs: mean('latencyMs') };
  }

  stats(): StudioLiveStats {
    const T = this.totals;
    const n = Math.max(1, T.frames);
    const lat = [...T.latencies].sort((a, b) => a - b);
    const secs = (performance.now() - T.t0) / 1000;
    return {
      state: this.state,
      message: this.message,
      mode: this.mode,
      delegate: this.tracker?.delegate ?? null,
      renderer: this.renderer(),
      width: this.video.videoWidth,
      height: this.video.videoHeight,
      head: this.headName(),
      headLoading: this.isHeadLoading(),
      mirror: this.mirror,
      calibrated: this.isCalibrated(),
      recording: this.recorder !== null,
      publishing: this.publisher?.session ?? null,
      frames: T.frames,
      faceFrames: T.faceFrames,
      fps: secs > 0 ? T.frames / secs : 0,
      detectMs: T.detectMs / n,
      renderMs: T.renderMs / n,
      compositeMs: T.compositeMs / n,
      frameMs: T.frameMs / n,
      latencyMs: lat.length ? lat.reduce((s, x) => s + x, 0) / lat.length : 0,
      latencyP95Ms: lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.95))] : 0,
      stagesMs: Object.fromEntries(Object.entries(this.compositor.profile ?? {}).map(([k, v]) => [k, v / n])),
    };
  }
}
