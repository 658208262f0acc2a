/**
 * Node's side of one render page: opens the page, loads the head, then streams track
 * frames to it as binary `faceFrame` messages (a few in flight, so Node, the page and the
 * transfer overlap) and yields each frame's rendered crop, in order, as straight-alpha
 * RGBA rows from the top.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { WebSocket as WebSocketClient, type WebSocket } from 'ws';
import { NogginError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { Antialias, RenderPageConfig, RenderPageInfo, RenderPageStats, SceneLighting } from '../core/page-contract.js';
import { encodeMessage, ProtocolError, type RenderCropData } from '../core/protocol.js';
import type { FaceData, TrackFrame } from '../core/track.js';
import { openPage, type ChromiumHandle } from '../system/chromium.js';
import type { PageHost } from '../system/page-host.js';
import { exchangeOverChannel } from '../system/page-channel.js';
import { DEFAULT_HEAD_LIMITS, type HeadLimits } from './head-check.js';
import { mat4Multiply } from './camera-math.js';
import { headSpec, type HeadSource } from './head-source.js';
import { NO_CALIBRATION, refinePose, type FaceCalibration } from './pose-fit.js';

/** The anti-aliasing mode of an option that may also be a boolean (true: 'msaa', false: 'none'). */
export function antialiasMode(a: Antialias | boolean | undefined): Antialias {
  if (a === undefined) return 'edges';
  if (typeof a === 'boolean') return a ? 'msaa' : 'none';
  return a;
}

/** Options of a render page. */
export interface RendererOptions {
  /** The head (see resolveHead); its files must be served by the host (headHostFiles). */
  readonly head: HeadSource;
  /** Full frame size (the track's source size) and camera field of view. */
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly verticalFovDeg: number;
  /** Anti-aliasing of the head's edges (default 'edges'; true and false mean 'msaa' and 'none'). */
  readonly antialias?: Antialias | boolean;
  /** Pixels around the head's projected bounds (default 4). */
  readonly cropMarginPx?: number;
  /** Crop size rounding (default 32). */
  readonly cropQuantumPx?: number;
  /** Render whole frames instead of crops (default false). */
  readonly fullFrame?: boolean;
  /** Frames sent ahead of the answers (default 3). */
  readonly inFlight?: number;
  /** Most morph targets active at once (default 64: all of a head's targets). */
  readonly maxActiveMorphs?: number;
  /** Morph normals too (default true). */
  readonly morphNormals?: boolean;
  /** Where morph targets are applied (default 'cpu'; see RenderPageConfig). */
  readonly morphsOn?: 'cpu' | 'gpu';
  /** Lights matched to the footage (render/lighting.ts estimateLighting); default studio lighting. */
  readonly lighting?: SceneLighting | null;
  /** Fail when the page answers no frame for this long while frames are pending (default 60000 ms). */
  readonly stallTimeoutMs?: number;
  /** PBR -> Blinn-Phong materials (default true: 2x faster without a GPU, nearly the same look). */
  readonly fastMaterials?: boolean;
  /** With fast materials, matte parts lit per vertex (default true; render/page/vertex-lighting.ts). */
  readonly vertexLighting?: boolean;
  /**
   * Lining up (render/pose-fit.ts): refit (default) corrects each frame's pose to the
   * landmarks on top of the calibration; calibrate applies only the calibration; none uses
   * MediaPipe's matrix as is.
   */
  readonly align?: AlignMode;
  /** Per-presenter calibration (calibrateFace); default none (identity). */
  readonly calibration?: FaceCalibration;
  readonly limits?: HeadLimits;
}

/** How the head's pose is lined up with the presenter. */
export type AlignMode = 'refit' | 'calibrate' | 'none';

/** One rendered head crop, straight alpha, rows from the top. */
export interface HeadCrop {
  /** Left and top in frame pixels; the crop lies inside the frame. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** width*height*4 bytes of straight (not premultiplied) RGBA. */
  readonly rgba: Uint8Array;
}

/** One rendered frame: the crop, or null when nothing was drawn (no face). */
export interface RenderedFrame {
  readonly frame: number;
  readonly timeMs: number;
  readonly crop: HeadCrop | null;
}

/** One rendered frame as the page sent it (see RenderCropData), or null when nothing was drawn. */
export interface RenderedPageFrame {
  readonly frame: number;
  readonly timeMs: number;
  readonly crop: RenderCropData | null;
}

/**
 * Converts a page crop (rows bottom-up, premultiplied) into straight RGBA rows from the top.
 * Pixels with alpha 0 become all zero.
 */
export function toStraightCrop(c: RenderCropData): HeadCrop {
  const { width: w, height: h } = c;
  const stride = w * 4;
  const src = c.data;
  const out = new Uint8Array(w * h * 4);
  if (c.layout === 'spans') {
    const table = new DataView(src.buffer, src.byteOffset, h * 4);
    let at = h * 4;
    for (let r = 0; r < h; r++) {
      const x0 = table.getUint16(r * 4, true);
      const n = table.getUint16(r * 4 + 2, true);
      const row = c.bottomUp ? h - 1 - r : r;
      out.set(src.subarray(at, at + n * 4), row * stride + x0 * 4);
      at += n * 4;
    }
  } else {
    for (let row = 0; row < h; row++) {
      const from = (c.bottomUp ? h - 1 - row : row) * stride;
      out.set(src.subarray(from, from + stride), row * stride);
    }
  }
  if (c.premultiplied) {
    for (let i = 3; i < out.length; i += 4) {
      const a = out[i];
      if (a === 255) continue;
      if (a === 0) {
        out[i - 3] = 0;
        out[i - 2] = 0;
        out[i - 1] = 0;
        continue;
      }
      const k = 255 / a;
      out[i - 3] = Math.min(255, Math.round(out[i - 3] * k));
      out[i - 2] = Math.min(255, Math.round(out[i - 2] * k));
      out[i - 1] = Math.min(255, Math.round(out[i - 1] * k));
    }
  }
  return { x: c.x, y: c.y, width: w, height: h, rgba: out };
}

/**
 * The host keeps a timer while it waits for a page to connect a channel; when the page
 * failed before connecting, connect it from here so the waiter settles (and the process
 * can exit) instead of waiting out its timeout.
 */
function releaseChannel(host: PageHost, channel: string, pending: Promise<WebSocket>): void {
  pending.then((s) => s.terminate(), () => undefined);
  const client = new WebSocketClient(`${host.url.replace(/^http/, 'ws')}/channel/${channel}`);
  client.on('open', () => client.terminate());
  client.on('error', () => undefined);
}

/** Maps a page load error (prefixed webgl:/load:/limits:) to a one-line NogginError. */
function initError(e: unknown, head: HeadSource): NogginError {
  if (e instanceof NogginError) return e;
  const raw = (e as Error).message?.split('\n')[0] ?? String(e);
  const msg = raw.replace(/^Error:\s*/, '');
  const m = /(webgl|load|limits): (.*)$/.exec(msg);
  if (m?.[1] === 'webgl') {
    return new NogginError('render', m[2], 'check that Chromium can start WebGL with SwiftShader (`noggin setup --check`), or run with a GPU');
  }
  if (m?.[1] === 'limits') return new NogginError('head', `${head.modelPath}: ${m[2]}`, 'reduce the head (smaller textures, fewer vertices)');
  return new NogginError('head', `${head.modelPath} failed to load (${m ? m[2] : msg})`, 'check the file in a glTF viewer, or export it again as glTF 2.0 binary (.glb)');
}

/** One render page and its channel. */
export class RendererClient {
  private readonly align: AlignMode;
  private calibration: FaceCalibration;

  private constructor(
    readonly page: Page,
    private readonly ws: WebSocket,
    readonly info: RenderPageInfo,
    private readonly opts: RendererOptions,
    private readonly failures: Promise<never>,
  ) {
    this.align = opts.align ?? 'refit';
    this.calibration = opts.calibration ?? NO_CALIBRATION;
  }

  /** Opens a render page in its own browser context and loads the head. */
  static async open(chromium: ChromiumHandle, host: PageHost, opts: RendererOptions): Promise<RendererClient> {
    const context = await chromium.browser.createBrowserContext();
    let page: Page | null = null;
    try {
      const opened = await openPage({ ...chromium, browser: context as unknown as ChromiumHandle['browser'] }, `${host.url}/pages/render.html`);
      page = opened.page;
      const channel = randomUUID();
      const config: RenderPageConfig = {
        channel,
        frameWidth: opts.frameWidth,
        frameHeight: opts.frameHeight,
        verticalFovDeg: opts.verticalFovDeg,
        head: headSpec(opts.head, host.url, opts.limits ?? DEFAULT_HEAD_LIMITS),
        antialias: antialiasMode(opts.antialias),
        cropMarginPx: opts.cropMarginPx ?? 4,
        cropQuantumPx: opts.cropQuantumPx ?? 32,
        fullFrame: opts.fullFrame ?? false,
        // Every target: with Babylon's influencer cap below the target count, shipped heads' morphs
        // (jawOpen at 1 included) rendered nothing; the cap costs ~12% speed, not worth wrong faces.
        maxActiveMorphs: opts.maxActiveMorphs ?? 64,
        morphNormals: opts.morphNormals ?? true,
        morphsOn: opts.morphsOn ?? 'cpu',
        lighting: opts.lighting ?? null,
        fastMaterials: opts.fastMaterials ?? true,
        vertexLighting: opts.vertexLighting ?? true,
      };
      const wsP = host.channel(channel);
      wsP.catch(() => undefined);
      const p = page;
      let info: RenderPageInfo;
      try {
        info = await Promise.race([
          p.evaluate((c) => window.noggin_render_init(c), config),
          opened.pageCrashed,
          chromium.crashed,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new NogginError('render', 'the render page did not load the head within 120 s', 're-run with --log-level debug')), 120000).unref(),
          ),
        ]);
      } catch (e) {
        releaseChannel(host, channel, wsP);
        throw initError(e, opts.head);
      }
      for (const w of info.head.warnings) log.warn(`head ${opts.head.request}: ${w}`);
      const ws = await wsP;
      return new RendererClient(p, ws, info, opts, Promise.race([opened.pageCrashed, chromium.crashed]));
    } catch (e) {
      await context.close().catch(() => undefined);
      throw e;
    }
  }

  /** Sends each track frame to the page and yields its rendered crop, in order. */
  async *render(frames: AsyncIterable<TrackFrame>): AsyncGenerator<RenderedFrame> {
    for await (const f of this.renderPageCrops(frames)) yield { frame: f.frame, timeMs: f.timeMs, crop: f.crop ? toStraightCrop(f.crop) : null };
  }

  /**
   * As `render`, with each crop as the page sent it (premultiplied spans, rows bottom-up),
   * for consumers that composite it directly instead of converting it first.
   */
  renderPageCrops(frames: AsyncIterable<TrackFrame>): AsyncGenerator<RenderedPageFrame> {
    return exchangeOverChannel(this.ws, frames, {
      component: 'render',
      inFlight: this.opts.inFlight ?? 3,
      failures: this.failures,
      stallTimeoutMs: this.opts.stallTimeoutMs ?? 60000,
      encode: (f) => encodeMessage('faceFrame', f.face ? { ...f, face: { ...f.face, matrix: this.poseFor(f.face) } } : f),
      answer(msg, oldest) {
        if (msg.type === 'error') {
          const lost = /context was lost/.test(msg.payload.message);
          throw lost
            ? new NogginError('render', `${msg.payload.message.replace(/^webgl: /, '')}; the layer was not written`, 're-run; if it keeps happening, check GPU/driver stability or free memory')
            : new NogginError('render', msg.payload.message, msg.payload.fix);
        }
        if (msg.type !== 'renderCrop') return undefined;
        const c = msg.payload;
        if (c.frame !== oldest?.frame) throw new ProtocolError(`render page answered frame ${c.frame}, expected ${oldest?.frame}`);
        return { frame: c.frame, timeMs: c.timeMs, crop: c.width && c.height ? c : null };
      },
    });
  }


  /**
   * Projects canonical points through the page's own camera and head nodes, once per face
   * matrix (as given: apply `poseFor` first to get what the page renders).
   */
  async project(matrices: readonly ArrayLike<number>[], pointsCm: readonly (readonly [number, number, number])[]): Promise<({ x: number; y: number } | null)[][]> {
    return this.page.evaluate((m, p) => window.noggin_render_project(m, p), matrices.map((m) => Array.from(m)), pointsCm as [number, number, number][]);
  }

  /** Shows or hides the head (hidden: the bare cost through the same path). */
  async setHeadVisible(visible: boolean): Promise<void> {
    await this.page.evaluate((v) => window.noggin_render_setHeadVisible(v), visible);
  }

  /** Relights the head (frames sent after this use it); null: studio lighting. */
  async setLighting(lighting: SceneLighting | null): Promise<void> {
    await this.page.evaluate((l) => window.noggin_render_setLighting(l), lighting);
  }

  /** Sets the per-presenter calibration (frames sent after this use it). */
  setCalibration(calibration: FaceCalibration): void {
    this.calibration = calibration;
  }

  /** The face matrix this client sends for a face (after the alignment correction). */
  poseFor(face: FaceData): Float32Array {
    if (this.align === 'none') return face.matrix;
    const cam = { verticalFovDeg: this.opts.verticalFovDeg, frameWidth: this.opts.frameWidth, frameHeight: this.opts.frameHeight };
    if (this.align === 'calibrate') return Float32Array.from(mat4Multiply(face.matrix, this.calibration.matrix));
    return Float32Array.from(refinePose(face.matrix, face.landmarks, cam, this.calibration, { rotationStiffness: 2 }));
  }

  /** ms per frame to render and read back `width` x `height` px, head hidden (bare) or shown. */
  async bench(iterations: number, width: number, height: number, withHead: boolean): Promise<number> {
    return this.page.evaluate((n, w, h, s) => window.noggin_render_bench(n, w, h, s), iterations, width, height, withHead);
  }

  async stats(): Promise<RenderPageStats> {
    return this.page.evaluate(() => window.noggin_render_stats());
  }

  /** Test hook: makes the page lose its WebGL context. */
  async loseContext(): Promise<void> {
    await this.page.evaluate(() => window.noggin_render_loseContext());
  }

  /** Closes the scene, its channel and its page. */
  async close(): Promise<void> {
    await Promise.race([this.page.evaluate(() => window.noggin_render_close()), new Promise((r) => setTimeout(r, 3000).unref())]).catch(() => undefined);
    this.ws.terminate();
    await this.page.browserContext().close().catch(() => undefined);
  }
}
