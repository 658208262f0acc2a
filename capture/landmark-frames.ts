/**
 * Raw landmarking of a whole video: ffmpeg decodes (at a size that follows the face, see
 * analysis-scale.ts and segment-frames.ts), landmarker pages answer. With several
 * workers the clip is cut into contiguous segments, one landmarker (own renderer process)
 * per segment; each segment first tracks a few warm-up frames before its first frame so
 * tracking is continuous, and results are merged in frame order through disk spools.
 */
import { decodeMessage, encodeMessage } from '../core/protocol.js';
import type { TrackFrame } from '../core/track.js';
import { launchChromium, type ChromiumHandle } from '../system/chromium.js';
import type { VideoInfo } from '../system/ffmpeg.js';
import { startPageHost, type PageHost } from '../system/page-host.js';
import { AnalysisScaler } from './analysis-scale.js';
import { DiskSpool } from './disk-spool.js';
import { LandmarkerClient, type LandmarkerOptions } from './landmarker-client.js';
import { SegmentFrames } from './segment-frames.js';

/** Options of raw landmarking. */
export interface LandmarkOptions {
  /** Model file path. */
  readonly modelPath: string;
  /** Landmarkers run in parallel on separate segments (>= 1). */
  readonly workers: number;
  /** Long side of the frames given to the landmarker, px. */
  readonly maxAnalysisSide: number;
  /** Smallest face height (px) the landmarker's frames are scaled down to keep (0: always maxAnalysisSide); see AnalysisScaler. */
  readonly analysisFacePx?: number;
  /** Frames tracked before a segment's first frame (discarded). */
  readonly warmupFrames?: number;
  /** Landmarker settings. */
  readonly landmarker?: Partial<LandmarkerOptions>;
  /** Called once the landmarkers are ready (for timing). */
  readonly onReady?: () => void;
  /**
   * A browser and page host to open the landmarkers in (the host must serve the model),
   * shared with other pages of the job; they stay open. Default: launch private ones.
   */
  readonly browser?: { readonly chromium: ChromiumHandle; readonly host: PageHost };
}

/** A segment of the clip: [start, end) frame indices. */
export interface Segment {
  readonly start: number;
  readonly end: number;
}

/** Splits `frameCount` frames into at most `workers` contiguous segments of at least `minFrames`. */
export function planSegments(frameCount: number, workers: number, minFrames = 60): Segment[] {
  const n = Math.max(1, Math.min(workers, Math.floor(frameCount / minFrames) || 1));
  const segs: Segment[] = [];
  for (let i = 0; i < n; i++) segs.push({ start: Math.round((i * frameCount) / n), end: Math.round(((i + 1) * frameCount) / n) });
  return segs;
}

/** Shared browser resources of one landmarking run. */
interface Resources {
  readonly host: PageHost;
  readonly chromium: ChromiumHandle;
  readonly clients: LandmarkerClient[];
  /** Whether the browser and host were launched here (and are closed here). */
  readonly owned: boolean;
}

async function openResources(opts: LandmarkOptions, count: number): Promise<Resources> {
  const owned = !opts.browser;
  const host = opts.browser?.host ?? (await startPageHost({ modelPath: opts.modelPath }));
  let chromium: ChromiumHandle | null = opts.browser?.chromium ?? null;
  const clients: LandmarkerClient[] = [];
  try {
    chromium ??= await launchChromium();
    const c = chromium;
    const lmOpts: LandmarkerOptions = { runningMode: 'VIDEO', ...opts.landmarker };
    const opened = await Promise.allSettled(Array.from({ length: count }, () => LandmarkerClient.open(c, host, lmOpts)));
    for (const o of opened) if (o.status === 'fulfilled') clients.push(o.value);
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    return { host, chromium, clients, owned };
  } catch (e) {
    await Promise.all(clients.map((c) => c.close()));
    if (owned) {
      await chromium?.close();
      await host.close();
    }
    throw e;
  }
}

async function closeResources(r: Resources): Promise<void> {
  await Promise.all(r.clients.map((c) => c.close()));
  if (!r.owned) return;
  await r.chromium.close();
  await r.host.close();
}

/** Yields one raw (unsmoothed) track frame per decoded frame, in order. */
export async function* landmarkVideo(info: VideoInfo, opts: LandmarkOptions): AsyncGenerator<TrackFrame> {
  const segments = planSegments(info.frameCount, opts.workers);
  const warmup = opts.warmupFrames ?? 10;
  const res = await openResources(opts, segments.length);
  opts.onReady?.();
  const spools = await Promise.all(segments.map(() => DiskSpool.create()));
  try {
    const workers = segments.map(async (seg, i) => {
      const spool = spools[i];
      try {
        const from = Math.max(0, seg.start - (i === 0 ? 0 : warmup));
        const scaler = new AnalysisScaler(info, opts.maxAnalysisSide, opts.analysisFacePx ?? 0);
        const frames = new SegmentFrames(info, from, seg.end, scaler);
        try {
          for await (const f of res.clients[i].track(frames.frames())) {
            frames.faceOf(f.frame, f.face);
            if (f.frame < seg.start) continue;
            await spool.append(encodeMessage('faceFrame', f));
          }
        } finally {
          frames.close();
        }
        spool.end();
      } catch (e) {
        spool.fail(e);
        for (const s of spools) s.fail(e);
      }
    });
    for (const spool of spools) {
      for await (const rec of spool.read()) {
        const m = decodeMessage(rec);
        if (m.type === 'faceFrame') yield m.payload;
      }
    }
    await Promise.all(workers);
  } finally {
    await Promise.all(spools.map((s) => s.close()));
    await closeResources(res);
  }
}
