/**
 * The live compositor: one WebGL2 canvas showing the camera frame with the presenter's
 * head hidden and the mascot on top, all on the GPU (no pixels go back to the CPU).
 *
 * The head hiding follows the offline compositor (composite/compose-frame.ts): the head
 * and neck polygons of composite/head-region.ts are filled (stencil, even-odd) into a mask
 * at quarter resolution and feathered with a Gaussian; the masked area is replaced by a fill,
 * then the mascot layer goes over it (premultiplied alpha, as the head canvas holds it),
 * fading out below the presenter's collar. Offline, the fill is a background plate rebuilt
 * from other frames of the clip; live there are no future frames, so the fill is:
 *  - a running background plate kept on the GPU: every other frame, pixels near the head but
 *    outside its mask blend into it (the first sighting is taken at once), so background the
 *    presenter uncovers by moving is remembered;
 *  - where the plate has never seen the background, a push-pull inpaint: the frame with
 *    the head masked out, premultiplied by its coverage, mipmapped, and four coarse levels
 *    averaged and divided by coverage, a smooth fill from the surroundings.
 * All coordinates are display pixels (after mirroring, when mirrored).
 */
import type { PixelRect } from '../../render/camera-math.js';
import type { HeadRegion } from '../../composite/head-region.js';
import { deleteTarget, makeProgram, makeTarget, makeTexture, readTopDown, type Target } from './gl-util.js';

/** What one composited frame is made of. */
export interface CompositeFrame {
  /** The camera's current picture (size = the compositor's size). */
  readonly camera: TexImageSource;
  /** Show the camera mirrored (selfie view). */
  readonly mirror: boolean;
  /** The presenter's head region in display px, or null (no face: nothing hidden). */
  readonly region: HeadRegion | null;
  /**
   * The mascot and the frame rect it covers: the head scene's canvas, or its pixels read
   * back (crop-sized RGBA, rows bottom-up, premultiplied: cheaper than a copy between two
   * WebGL contexts when WebGL runs in software, where pixels live in CPU memory anyway).
   */
  readonly head: { readonly source: HTMLCanvasElement | Uint8Array; readonly crop: PixelRect } | null;
  /** Opacity of the mascot and of the head hiding, 0..1 (fades when the face is lost). */
  readonly opacity: number;
  /** Learn the background plate from this frame (only while the head is tracked). */
  readonly updatePlate: boolean;
}

/** Failure to set up WebGL2 (message for the user). */
export class CompositorError extends Error {}

const VS_QUAD = `#version 300 es
in vec2 a_pos;
out vec2 v_uv;
void main() { v_uv = vec2(a_pos.x * 0.5 + 0.5, 0.5 - a_pos.y * 0.5); gl_Position = vec4(a_pos, 0.0, 1.0); }`;

const VS_POLY = `#version 300 es
in vec2 a_pos;
uniform vec2 u_size;
void main() { gl_Position = vec4(a_pos.x / u_size.x * 2.0 - 1.0, 1.0 - a_pos.y / u_size.y * 2.0, 0.0, 1.0); }`;

const FS_ONE = `#version 300 es
precision mediump float;
out vec4 o;
void main() { o = vec4(1.0); }`;

// Camera textures are stored top row first (sampled at v_uv); render targets bottom row
// first (sampled at 1 - v_uv.y).
const CAM = `
uniform sampler2D u_cam;
uniform float u_mirror;
vec3 cam(vec2 uv) { return texture(u_cam, vec2(u_mirror > 0.5 ? 1.0 - uv.x : uv.x, uv.y)).rgb; }
vec2 rt(vec2 uv) { return vec2(uv.x, 1.0 - uv.y); }`;

const FS_BLUR = `#version 300 es
precision highp float;
in vec2 v_uv;
out vec4 o;
uniform sampler2D u_tex;
uniform vec2 u_step;
void main() {
  vec2 t = vec2(v_uv.x, 1.0 - v_uv.y);
  float acc = 0.0, wsum = 0.0;
  for (int i = -3; i <= 3; i++) {
    float x = float(i);
    float w = exp(-x * x / 2.0);
    acc += texture(u_tex, t + u_step * x).r * w;
    wsum += w;
  }
  o = vec4(acc / wsum, 0.0, 0.0, 1.0);
}`;

const FS_PLATE = `#version 300 es
precision highp float;
in vec2 v_uv;
out vec4 o;
${CAM}
uniform sampler2D u_plate;
uniform sampler2D u_mask;
uniform float u_rate;
void main() {
  vec4 p = texture(u_plate, rt(v_uv));
  float free = 1.0 - smoothstep(0.0, 0.04, texture(u_mask, rt(v_uv)).r);
  float k = free * max(u_rate, 1.0 - p.a);
  o = vec4(mix(p.rgb, cam(v_uv), k), max(p.a, free));
}`;

const FS_HOLED = `#version 300 es
precision highp float;
in vec2 v_uv;
out vec4 o;
${CAM}
uniform sampler2D u_mask;
void main() {
  float w = 1.0 - smoothstep(0.0, 0.04, texture(u_mask, rt(v_uv)).r);
  o = vec4(cam(v_uv) * w, w);
}`;

const FS_CAMERA = `#version 300 es
precision mediump float;
in vec2 v_uv;
out vec4 o;
${CAM}
void main() { o = vec4(cam(v_uv), 1.0); }`;

// The push-pull inpaint, at mask resolution: four mip levels of the masked-out frame,
// divided by their coverage.
const FS_INPAINT = `#version 300 es
precision highp float;
in vec2 v_uv;
out vec4 o;
uniform sampler2D u_holed;
uniform float u_lod0;
void main() {
  vec2 t = vec2(v_uv.x, 1.0 - v_uv.y);
  vec4 acc = vec4(0.0);
  for (int i = 0; i < 4; i++) acc += textureLod(u_holed, t, u_lod0 + float(i));
  o = vec4(acc.rgb / max(acc.a, 1e-4), 1.0);
}`;

// The fill over the hidden head (blended by the mask): the plate where it has seen the
// background, else the inpaint.
const FS_FILL = `#version 300 es
precision highp float;
in vec2 v_uv;
out vec4 o;
uniform sampler2D u_mask;
uniform sampler2D u_plate;
uniform sampler2D u_inpaint;
uniform float u_hide;
vec2 rt(vec2 uv) { return vec2(uv.x, 1.0 - uv.y); }
void main() {
  vec4 pl = texture(u_plate, rt(v_uv));
  o = vec4(mix(texture(u_inpaint, rt(v_uv)).rgb, pl.rgb, pl.a), texture(u_mask, rt(v_uv)).r * u_hide);
}`;

// The mascot (premultiplied), fading out below the presenter's collar.
const FS_HEAD = `#version 300 es
precision highp float;
in vec2 v_uv;
out vec4 o;
uniform sampler2D u_head;
uniform vec2 u_size;
uniform vec4 u_crop;
uniform float u_headAlpha;
uniform float u_headBottomUp;
uniform float u_fade;
uniform vec2 u_chin;
uniform vec2 u_up;
uniform float u_depth;
uniform float u_band;
void main() {
  vec2 px = v_uv * u_size;
  vec2 hc = (px - u_crop.xy) / u_crop.zw;
  vec4 h = texture(u_head, u_headBottomUp > 0.5 ? vec2(hc.x, 1.0 - hc.y) : hc);
  float k = u_headAlpha;
  if (u_fade > 0.5) k *= clamp((u_depth + u_band - dot(px - u_chin, -u_up)) / (2.0 * u_band), 0.0, 1.0);
  o = h * k;
}`;

/**
 * The running background plate is updated every PLATE_EVERY-th frame with this blend rate
 * (about 0.5 s to adopt a change at 30 fps); the first sighting of background is taken at once.
 */
const PLATE_RATE = 0.15;
const PLATE_EVERY = 2;
/**
 * The mask and the inpaint source are at 1/4 of the frame's size: bilinear upsampling of the
 * mask is itself a soft edge of about the offline feather's width, and the inpaint is a blur
 * anyway. Without a GPU every full-size pass costs milliseconds.
 */
const MASK_SCALE = 4;

/** A pixel rectangle [x0,x1) x [y0,y1), top-down. */
interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export class Compositor {
  readonly gl: WebGL2RenderingContext;
  private readonly quad: WebGLBuffer;
  private readonly poly: WebGLBuffer;
  private readonly progs: Record<'one' | 'blur' | 'plate' | 'holed' | 'inpaint' | 'camera' | 'fill' | 'head', WebGLProgram>;
  private readonly vao: WebGLVertexArrayObject;
  private readonly uniforms = new Map<WebGLProgram, Map<string, WebGLUniformLocation | null>>();
  private readonly camTex: WebGLTexture;
  private readonly headTex: WebGLTexture;
  private width = 0;
  private height = 0;
  private maskA: Target | null = null;
  private maskB: Target | null = null;
  private plates: [Target, Target] | null = null;
  private holed: Target | null = null;
  private inpaint: Target | null = null;
  private probeTarget: Target | null = null;
  private plateIndex = 0;
  private frameNo = 0;
  private lastMirror: boolean | null = null;
  /** When set, each stage waits for the GPU and its ms are added here (bench only). */
  profile: Record<string, number> | null = null;
  private stageT = 0;

  constructor(readonly canvas: HTMLCanvasElement) {
    const gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false, premultipliedAlpha: true, preserveDrawingBuffer: false });
    if (!gl) throw new CompositorError('This browser has no WebGL2 here, which the live view needs. Turn on hardware acceleration (or use a current Chrome, Edge or Firefox).');
    this.gl = gl;
    this.progs = {
      one: makeProgram(gl, VS_POLY, FS_ONE),
      blur: makeProgram(gl, VS_QUAD, FS_BLUR),
      plate: makeProgram(gl, VS_QUAD, FS_PLATE),
      holed: makeProgram(gl, VS_QUAD, FS_HOLED),
      camera: makeProgram(gl, VS_QUAD, FS_CAMERA),
      inpaint: makeProgram(gl, VS_QUAD, FS_INPAINT),
      fill: makeProgram(gl, VS_QUAD, FS_FILL),
      head: makeProgram(gl, VS_QUAD, FS_HEAD),
    };
    this.vao = gl.createVertexArray()!;
    gl.bindVertexArray(this.vao);
    this.quad = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.quad);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    this.poly = gl.createBuffer()!;
    this.camTex = makeTexture(gl, 0, 0);
    this.headTex = makeTexture(gl, 0, 0);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
  }

  private u(p: WebGLProgram, name: string): WebGLUniformLocation | null {
    let m = this.uniforms.get(p);
    if (!m) this.uniforms.set(p, (m = new Map()));
    if (!m.has(name)) m.set(name, this.gl.getUniformLocation(p, name));
    return m.get(name)!;
  }

  /** Sets the output size (the camera's size); reallocates the buffers when it changed. */
  resize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    const gl = this.gl;
    this.width = width;
    this.height = height;
    this.canvas.width = width;
    this.canvas.height = height;
    for (const t of [this.maskA, this.maskB, this.holed, this.inpaint, this.probeTarget, ...(this.plates ?? [])]) deleteTarget(gl, t);
    const qw = Math.max(1, Math.ceil(width / MASK_SCALE));
    const qh = Math.max(1, Math.ceil(height / MASK_SCALE));
    this.maskA = makeTarget(gl, qw, qh, { stencil: true });
    this.maskB = makeTarget(gl, qw, qh);
    this.holed = makeTarget(gl, qw, qh, { mipmaps: true });
    this.inpaint = makeTarget(gl, qw, qh);
    this.plates = [makeTarget(gl, width, height), makeTarget(gl, width, height)];
    this.probeTarget = null;
    this.resetPlate();
  }

  /** Forgets the background plate (after a mirror switch or a camera change). */
  resetPlate(): void {
    const gl = this.gl;
    for (const t of this.plates ?? []) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, t.fbo);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  private bindQuad(): void {
    const gl = this.gl;
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.quad);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  }

  private tex(p: WebGLProgram, name: string, unit: number, t: WebGLTexture): void {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_2D, t);
    gl.uniform1i(this.u(p, name), unit);
  }

  private camUniforms(p: WebGLProgram, mirror: boolean): void {
    this.tex(p, 'u_cam', 0, this.camTex);
    this.gl.uniform1f(this.u(p, 'u_mirror'), mirror ? 1 : 0);
  }

  /** Restricts drawing to `b` (frame px, top-down) scaled by 1/`scale`, in a target of h rows. */
  private scissor(b: Box, scale: number, rows: number): void {
    const gl = this.gl;
    const x0 = Math.floor(b.x0 / scale);
    const x1 = Math.ceil(b.x1 / scale);
    const y0 = Math.floor(b.y0 / scale);
    const y1 = Math.ceil(b.y1 / scale);
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(x0, rows - y1, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
  }

  /** The frame box of the head and neck polygons grown by `pad` px, clipped to the frame. */
  private regionBox(region: HeadRegion, pad: number): Box {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const poly of [region.head, region.neck]) {
      for (const [x, y] of poly) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
    return { x0: Math.max(0, x0 - pad), y0: Math.max(0, y0 - pad), x1: Math.min(this.width, x1 + pad), y1: Math.min(this.height, y1 + pad) };
  }

  /** Fills the head and neck polygons into maskA (even-odd, via the stencil), then feathers it. */
  private drawMask(region: HeadRegion, box: Box): void {
    const gl = this.gl;
    const a = this.maskA!;
    const b = this.maskB!;
    gl.bindFramebuffer(gl.FRAMEBUFFER, a.fbo);
    gl.viewport(0, 0, a.width, a.height);
    gl.disable(gl.SCISSOR_TEST);
    gl.clearColor(0, 0, 0, 1);
    gl.clearStencil(0);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.STENCIL_BUFFER_BIT);
    this.scissor(box, MASK_SCALE, a.height);
    const p = this.progs.one;
    gl.useProgram(p);
    gl.uniform2f(this.u(p, 'u_size'), this.width, this.height);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.poly);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.enable(gl.STENCIL_TEST);
    let first = true;
    for (const polygon of [region.head, region.neck]) {
      if (polygon.length < 3) continue;
      const xy = new Float32Array(polygon.length * 2);
      polygon.forEach(([x, y], i) => {
        xy[i * 2] = x;
        xy[i * 2 + 1] = y;
      });
      gl.bufferData(gl.ARRAY_BUFFER, xy, gl.STREAM_DRAW);
      if (!first) gl.clear(gl.STENCIL_BUFFER_BIT);
      first = false;
      gl.colorMask(false, false, false, false);
      gl.stencilFunc(gl.ALWAYS, 0, 1);
      gl.stencilOp(gl.KEEP, gl.KEEP, gl.INVERT);
      gl.drawArrays(gl.TRIANGLE_FAN, 0, polygon.length);
      gl.colorMask(true, true, true, true);
      gl.stencilFunc(gl.EQUAL, 1, 1);
      gl.stencilOp(gl.KEEP, gl.KEEP, gl.KEEP);
      gl.drawArrays(gl.TRIANGLE_FAN, 0, polygon.length);
    }
    gl.disable(gl.STENCIL_TEST);
    // The offline feather (three box blurs of radius featherPx/2) is close to a Gaussian of
    // sigma featherPx/2; the 7 taps sit one sigma apart (mask texels are MASK_SCALE px).
    const step = Math.max(0.5, region.featherPx / 2 / MASK_SCALE);
    const blur = this.progs.blur;
    gl.useProgram(blur);
    this.bindQuad();
    gl.bindFramebuffer(gl.FRAMEBUFFER, b.fbo);
    this.tex(blur, 'u_tex', 0, a.tex);
    gl.uniform2f(this.u(blur, 'u_step'), step / a.width, 0);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindFramebuffer(gl.FRAMEBUFFER, a.fbo);
    this.tex(blur, 'u_tex', 0, b.tex);
    gl.uniform2f(this.u(blur, 'u_step'), 0, step / a.height);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.disable(gl.SCISSOR_TEST);
  }

  private stage(name: string): void {
    if (!this.profile) return;
    const gl = this.gl;
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    const now = performance.now();
    this.profile[name] = (this.profile[name] ?? 0) + now - this.stageT;
    this.stageT = now;
  }

  /** Composites one frame onto the canvas. */
  draw(f: CompositeFrame): void {
    const gl = this.gl;
    if (this.profile) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      this.stageT = performance.now();
      this.stage('before');
    }
    gl.bindVertexArray(this.vao);
    gl.disable(gl.BLEND);
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.CULL_FACE);
    gl.disable(gl.SCISSOR_TEST);
    gl.disable(gl.STENCIL_TEST);
    gl.colorMask(true, true, true, true);
    if (this.lastMirror !== null && this.lastMirror !== f.mirror) this.resetPlate();
    this.lastMirror = f.mirror;
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.camTex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, f.camera);
    this.stage('camera');
    const region = f.opacity > 0 ? f.region : null;
    // Everything the fill touches: the polygons plus the feather's reach.
    const box = region ? this.regionBox(region, region.featherPx * 3 + MASK_SCALE * 2) : null;
    if (region && box) this.drawMask(region, box);
    this.stage('mask');
    this.bindQuad();
    if (region && box) {
      if (f.updatePlate && this.frameNo++ % PLATE_EVERY === 0) {
        const [from, to] = this.plateIndex === 0 ? [this.plates![0], this.plates![1]] : [this.plates![1], this.plates![0]];
        const p = this.progs.plate;
        gl.useProgram(p);
        gl.bindFramebuffer(gl.FRAMEBUFFER, to.fbo);
        gl.viewport(0, 0, to.width, to.height);
        // Only the plate near the head is ever read; keep the rest as it was.
        this.scissor(this.regionBox(region, region.faceHeight * 0.3), 1, to.height);
        this.camUniforms(p, f.mirror);
        this.tex(p, 'u_plate', 1, from.tex);
        this.tex(p, 'u_mask', 2, this.maskA!.tex);
        gl.uniform1f(this.u(p, 'u_rate'), PLATE_RATE);
        gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
        gl.disable(gl.SCISSOR_TEST);
        this.plateIndex ^= 1;
      }
      this.stage('plate');
      const h = this.holed!;
      const p = this.progs.holed;
      gl.useProgram(p);
      gl.bindFramebuffer(gl.FRAMEBUFFER, h.fbo);
      gl.viewport(0, 0, h.width, h.height);
      this.camUniforms(p, f.mirror);
      this.tex(p, 'u_mask', 2, this.maskA!.tex);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      gl.bindTexture(gl.TEXTURE_2D, h.tex);
      gl.generateMipmap(gl.TEXTURE_2D);
      const ip = this.progs.inpaint;
      gl.useProgram(ip);
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.inpaint!.fbo);
      this.scissor(box, MASK_SCALE, this.inpaint!.height);
      this.tex(ip, 'u_holed', 3, h.tex);
      // Four levels from the one where a texel is about an eighth of the face.
      gl.uniform1f(this.u(ip, 'u_lod0'), Math.max(0, Math.round(Math.log2(Math.max(1, region.faceHeight / (8 * MASK_SCALE))))));
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      gl.disable(gl.SCISSOR_TEST);
    }
    this.stage('inpaint');
    const head = f.head && f.opacity > 0 ? f.head : null;
    if (head) {
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, this.headTex);
      if (head.source instanceof Uint8Array) {
        gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, head.crop.width, head.crop.height, 0, gl.RGBA, gl.UNSIGNED_BYTE, head.source);
      } else {
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, head.source);
      }
    }
    this.stage('head');
    this.drawFinal(f, region, box, null);
    this.stage('final');
  }

  /**
   * The output: the camera, then the fill blended in by the mask over the head's region,
   * then the mascot over its crop; each pass drawn only over its rectangle (software WebGL
   * shades every pixel of a pass whatever its branches do).
   */
  private drawFinal(f: CompositeFrame, region: HeadRegion | null, box: Box | null, target: Target | null): void {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, target?.fbo ?? null);
    gl.viewport(0, 0, this.width, this.height);
    this.bindQuad();
    const cam = this.progs.camera;
    gl.useProgram(cam);
    this.camUniforms(cam, f.mirror);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.enable(gl.BLEND);
    if (region && box) {
      const p = this.progs.fill;
      gl.useProgram(p);
      this.scissor(box, 1, this.height);
      gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ZERO, gl.ONE);
      this.tex(p, 'u_mask', 1, this.maskA!.tex);
      this.tex(p, 'u_plate', 2, this.plates![this.plateIndex].tex);
      this.tex(p, 'u_inpaint', 3, this.inpaint!.tex);
      gl.uniform1f(this.u(p, 'u_hide'), f.opacity);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    }
    const head = f.head && f.opacity > 0 ? f.head : null;
    if (head) {
      const c = head.crop;
      const p = this.progs.head;
      gl.useProgram(p);
      this.scissor({ x0: c.x, y0: c.y, x1: c.x + c.width, y1: c.y + c.height }, 1, this.height);
      gl.blendFuncSeparate(gl.ONE, gl.ONE_MINUS_SRC_ALPHA, gl.ZERO, gl.ONE);
      this.tex(p, 'u_head', 4, this.headTex);
      gl.uniform2f(this.u(p, 'u_size'), this.width, this.height);
      gl.uniform4f(this.u(p, 'u_crop'), c.x, c.y, c.width, c.height);
      gl.uniform1f(this.u(p, 'u_headBottomUp'), head.source instanceof Uint8Array ? 1 : 0);
      gl.uniform1f(this.u(p, 'u_headAlpha'), f.opacity);
      gl.uniform1f(this.u(p, 'u_fade'), region ? 1 : 0);
      gl.uniform2f(this.u(p, 'u_chin'), region?.chin[0] ?? 0, region?.chin[1] ?? 0);
      gl.uniform2f(this.u(p, 'u_up'), region?.up[0] ?? 0, region?.up[1] ?? -1);
      gl.uniform1f(this.u(p, 'u_depth'), region?.collarDepth ?? 0);
      gl.uniform1f(this.u(p, 'u_band'), region ? 2 * region.featherPx : 1);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    }
    gl.disable(gl.BLEND);
    gl.disable(gl.SCISSOR_TEST);
  }

  /** Reads what the canvas shows now (call right after `draw`, same task). Rows top-down RGBA. */
  readOutput(): Uint8Array {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return readTopDown(gl, this.width, this.height);
  }

  /** The camera picture of the last `draw` as displayed (mirrored when it was), rows top-down RGBA. */
  readCamera(mirror: boolean): Uint8Array {
    const gl = this.gl;
    this.probeTarget ??= makeTarget(gl, this.width, this.height);
    this.drawFinal({ camera: this.canvas, mirror, region: null, head: null, opacity: 0, updatePlate: false }, null, null, this.probeTarget);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.probeTarget.fbo);
    const px = readTopDown(gl, this.width, this.height);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return px;
  }

  dispose(): void {
    const gl = this.gl;
    for (const t of [this.maskA, this.maskB, this.holed, this.inpaint, this.probeTarget, ...(this.plates ?? [])]) deleteTarget(gl, t);
    gl.deleteTexture(this.camTex);
    gl.deleteTexture(this.headTex);
  }
}
