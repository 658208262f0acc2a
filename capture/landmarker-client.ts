/**
 * Node's side of one landmarker page: opens the page in a browser, then streams decoded
 * frames to it as binary `videoFrame` messages (a few in flight, so decoding, transfer and
 * detection overlap) and yields the `faceFrame` answers in order.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import type { WebSocket } from 'ws';
import { NogginError } from '../core/errors.js';
import { withTimeout } from '../core/timeout.js';
import type { LandmarkerPageConfig } from '../core/page-contract.js';
import { encodeVideoFrameHeader } from '../core/protocol.js';
import type { TrackFrame } from '../core/track.js';
import { openPage, type ChromiumHandle } from '../system/chromium.js';
import type { DecodedFrame } from '../system/ffmpeg.js';
import type { PageHost } from '../system/page-host.js';
import { exchangeOverChannel } from '../system/page-channel.js';

/** Options of a landmarker page. */
export interface LandmarkerOptions {
  readonly runningMode: 'VIDEO' | 'IMAGE';
  /** Frames sent ahead of the answers (default 3). */
  readonly inFlight?: number;
  /** Frames the page keeps for the bare-cost benchmark (default 0). */
  readonly keepFramesForBench?: number;
  readonly minFaceDetectionConfidence?: number;
  readonly minFacePresenceConfidence?: number;
  readonly minTrackingConfidence?: number;
}

/** One landmarker page and its channel. */
export class LandmarkerClient {
  private constructor(
    private readonly page: Page,
    private readonly ws: WebSocket,
    private readonly inFlight: number,
    private readonly failures: Promise<never>,
  ) {}

  /** Opens a landmarker page in its own browser context (own renderer process). */
  static async open(chromium: ChromiumHandle, host: PageHost, opts: LandmarkerOptions): Promise<LandmarkerClient> {
    const context = await chromium.browser.createBrowserContext();
    const { page, pageCrashed } = await openPageIn(context, chromium, `${host.url}/pages/capture.html`);
    const channel = randomUUID();
    const config: LandmarkerPageConfig = {
      channel,
      modelUrl: `${host.url}/model/face_landmarker.task`,
      wasmUrl: `${host.url}/wasm`,
      runningMode: opts.runningMode,
      delegate: 'CPU',
      minFaceDetectionConfidence: opts.minFaceDetectionConfidence ?? 0.5,
      minFacePresenceConfidence: opts.minFacePresenceConfidence ?? 0.5,
      minTrackingConfidence: opts.minTrackingConfidence ?? 0.5,
      keepFramesForBench: opts.keepFramesForBench ?? 0,
    };
    const wsP = host.channel(channel);
    try {
      await Promise.race([
        page.evaluate((c) => window.noggin_landmarker_init(c), config),
        pageCrashed,
        chromium.crashed,
      ]);
    } catch (e) {
      if (e instanceof NogginError) throw e;
      const msg = (e as Error).message.split('\n')[0];
      throw new NogginError('model', `the face landmarker could not start (${msg})`, 'check the model file with `noggin setup --check`, or reinstall it with `noggin setup`');
    }
    const ws = await wsP;
    return new LandmarkerClient(page, ws, Math.max(1, opts.inFlight ?? 3), Promise.race([pageCrashed, chromium.crashed]));
  }

  /** Sends each frame to the page and yields its face frame, in order. */
  track(frames: AsyncIterable<DecodedFrame>): AsyncGenerator<TrackFrame> {
    return exchangeOverChannel(this.ws, frames, {
      component: 'landmarker',
      inFlight: this.inFlight,
      failures: this.failures,
      encode: (f) => {
        if (f.encoding === 'yuv420p') throw new Error('the landmarker page takes RGBA or JPEG frames');
        return Buffer.concat([encodeVideoFrameHeader(f.index, f.timeMs, f.width, f.height, f.encoding), f.data]);
      },
      answer(msg) {
        if (msg.type === 'error') throw new NogginError('landmarker', msg.payload.message, msg.payload.fix);
        return msg.type === 'faceFrame' ? msg.payload : undefined;
      },
    });
  }

  /** The bare landmarker cost: ms per frame on frames already held in the page. */
  async benchBare(iterations: number): Promise<number> {
    return this.page.evaluate((n) => window.noggin_landmarker_bench(n), iterations);
  }

  /** Closes the landmarker, its channel and its page. */
  async close(): Promise<void> {
    this.ws.terminate();
    if (!this.page.browser().connected) return;
    await withTimeout(this.page.evaluate(() => window.noggin_landmarker_close()).catch(() => undefined), 3000, undefined);
    await withTimeout(this.page.browserContext().close().catch(() => undefined), 3000, undefined);
  }
}

async function openPageIn(
  context: Awaited<ReturnType<ChromiumHandle['browser']['createBrowserContext']>>,
  chromium: ChromiumHandle,
  url: string,
): Promise<{ page: Page; pageCrashed: Promise<never> }> {
  return openPage({ ...chromium, browser: context as unknown as ChromiumHandle['browser'] }, url);
}
