/**
 * Bridge benchmark (`node dist/bench/bridge.js`), on loopback, with the bridge in its own
 * process:
 *  1. one producer at full speed (file session: paced only by credit) to 1, 4 and 16
 *     consumers: frames/s delivered and per-frame latency (producer send -> consumer
 *     receive) p50/p99;
 *  2. 8 live sessions at 30 fps at once (one consumer each) for BENCH_LIVE_SECONDS
 *     (default 60): latency p50/p99, drops, and the bridge's memory at start and end.
 * Env: BENCH_FRAMES (frames per fan-out run, default 3000), BENCH_LIVE_SECONDS,
 * BENCH_LIVE_SESSIONS (8), BENCH_FPS (30). Prints a table and a JSON line.
 */
import { fork, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { publishTrack, subscribe } from '../bridge/client.js';
import { BLENDSHAPE_COUNT } from '../core/blendshapes.js';
import { LANDMARK_FLOATS } from '../core/landmarks.js';
import { FACE_FRAME_BYTES } from '../core/protocol.js';
import { makeTrackHeader, type TrackFrame, type TrackHeader } from '../core/track.js';
import type { SessionListing } from '../bridge/session-registry.js';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 3000);
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 60);
const LIVE_SESSIONS = Number(process.env.BENCH_LIVE_SESSIONS ?? 8);
const FPS = Number(process.env.BENCH_FPS ?? 30);

/** Synthetic face frame `i` (random landmarks, every 10th frame without a face). */
function synthFrame(i: number, fps: number): TrackFrame {
  const timeMs = (i * 1000) / fps;
  if (i % 10 === 9) return { frame: i, timeMs, face: null };
  const landmarks = new Float32Array(LANDMARK_FLOATS);
  for (let k = 0; k < landmarks.length; k++) landmarks[k] = Math.random();
  const blendshapes = new Float32Array(BLENDSHAPE_COUNT);
  for (let k = 0; k < blendshapes.length; k++) blendshapes[k] = Math.random();
  const matrix = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, Math.random(), Math.random(), -50, 1]);
  return { frame: i, timeMs, face: { landmarks, blendshapes, matrix } };
}

function header(frames: number, fps: number): TrackHeader {
  return makeTrackHeader({ path: 'bench', width: 1280, height: 720, fps, frameCount: frames, durationMs: (frames * 1000) / fps }, { mode: 'none' });
}

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const ms = (x: number) => x.toFixed(2);
const mb = (x: number) => (x / 1024 / 1024).toFixed(1);
const memLine = (m: { rssBytes: number; heapUsedBytes: number; externalBytes: number }) => `${mb(m.rssBytes)} / ${mb(m.heapUsedBytes)} / ${mb(m.externalBytes)}`;

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  ask<T>(cmd: string, key: string): Promise<T>;
}

async function startServer(mode: 'bridge' | 'relay' = 'bridge'): Promise<Server> {
  const child = fork(fileURLToPath(new URL('./bridge-server.js', import.meta.url)), [], {
    execArgv: ['--expose-gc', ...(process.env.BENCH_SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVER_PROF}`] : [])],
    env: { ...process.env, NOGGIN_LOG_LEVEL: process.env.NOGGIN_LOG_LEVEL ?? 'error', BENCH_MODE: mode },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string }));
    child.once('exit', (c) => reject(new Error(`bridge exited with ${c}`)));
  });
  return {
    child,
    url,
    ask<T>(cmd: string, key: string) {
      return new Promise<T>((resolve) => {
        const on = (m: Record<string, unknown>) => {
          if (key in m) {
            child.off('message', on);
            resolve(m[key] as T);
          }
        };
        child.on('message', on);
        child.send({ cmd });
      });
    },
  };
}

interface FanResult {
  consumers: number;
  frames: number;
  seconds: number;
  deliveredPerSecond: number;
  producedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function fanOut(server: Server, consumers: number, frames: readonly TrackFrame[]): Promise<FanResult> {
  const session = `fan-${consumers}`;
  const sent = new Float64Array(frames.length);
  const lat: number[] = [];
  const subs = Array.from({ length: consumers }, () => subscribe(server.url, session, { window: 64 }));
  const done = subs.map(async (s) => {
    let n = 0;
    for await (const f of s) {
      lat.push(performance.now() - sent[f.frame]);
      n++;
    }
    return n;
  });
  // let every consumer attach before the producer starts
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  await publishTrack(server.url, session, header(frames.length, FPS), frames, { onProgress: (n) => (sent[n - 1] = performance.now()) });
  const tProduced = performance.now();
  const counts = await Promise.all(done);
  const t1 = performance.now();
  for (const c of counts) if (c !== frames.length) throw new Error(`a consumer got ${c} of ${frames.length} frames`);
  lat.sort((a, b) => a - b);
  const seconds = (t1 - t0) / 1000;
  return {
    consumers,
    frames: frames.length,
    seconds,
    deliveredPerSecond: (frames.length * consumers) / seconds,
    producedPerSecond: frames.length / ((tProduced - t0) / 1000),
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
  };
}

interface Memory {
  rssBytes: number;
  heapUsedBytes: number;
  /** ArrayBuffers outside the JS heap (frame bytes live there). */
  externalBytes: number;
}

interface LiveResult {
  sessions: number;
  fps: number;
  seconds: number;
  framesDelivered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  drops: number;
  consumerSkipped: number;
  /** Frames the bridge held at the end, all sessions together. */
  heldFrames: number;
  memoryStart: Memory;
  memoryWarm: Memory;
  warmAfterSeconds: number;
  memoryEnd: Memory;
}

async function live(server: Server): Promise<LiveResult> {
  const total = Math.round(LIVE_SECONDS * FPS);
  const pool = Array.from({ length: 64 }, (_, i) => synthFrame(i, FPS));
  const memoryStart = await server.ask<Memory>('mem', 'mem');
  const lat: number[] = [];
  let skipped = 0;
  const runs: Promise<void>[] = [];
  const t0 = performance.now() + 300;
  for (let s = 0; s < LIVE_SESSIONS; s++) {
    const name = `live-${s}`;
    const sent = new Float64Array(total);
    const sub = subscribe(server.url, name, { resumeFrom: 0 });
    const consumed = (async () => {
      for await (const f of sub) lat.push(performance.now() - sent[f.frame]);
      skipped += sub.stats().skipped;
    })();
    async function* paced(): AsyncGenerator<TrackFrame> {
      const start = t0 + (s * 1000) / FPS / LIVE_SESSIONS; // spread the sessions over a frame interval
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / FPS;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const p = pool[i % pool.length];
        yield { ...p, frame: i, timeMs: (i * 1000) / FPS };
      }
    }
    runs.push(
      publishTrack(server.url, name, header(total, FPS), paced(), { live: true, onProgress: (n) => (sent[n - 1] = performance.now()) }).then(() => consumed),
    );
  }
  // memory once every session runs at its steady state (after warm-up), to compare with the end
  const warmAt = Math.min(10, LIVE_SECONDS / 4) * 1000;
  const memoryWarm = (async () => {
    await new Promise((r) => setTimeout(r, t0 - performance.now() + warmAt));
    return server.ask<Memory>('mem', 'mem');
  })();
  await Promise.all(runs);
  const seconds = (performance.now() - t0) / 1000;
  const sessions = await server.ask<SessionListing[]>('sessions', 'sessions');
  const drops = sessions.filter((x) => x.name.startsWith('live-')).reduce((a, x) => a + x.drops, 0);
  const heldFrames = sessions.reduce((a, x) => a + x.held, 0);
  const memoryEnd = await server.ask<Memory>('mem', 'mem');
  lat.sort((a, b) => a - b);
  return {
    sessions: LIVE_SESSIONS,
    fps: FPS,
    seconds,
    framesDelivered: lat.length,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    maxMs: lat.at(-1) ?? NaN,
    drops,
    consumerSkipped: skipped,
    heldFrames,
    memoryStart,
    memoryWarm: await memoryWarm,
    warmAfterSeconds: warmAt / 1000,
    memoryEnd,
  };
}

/** The same live load through a plain ws relay (no bridge logic): the floor this machine allows. */
async function relayBaseline(): Promise<{ p50Ms: number; p99Ms: number; maxMs: number; frames: number }> {
  const relay = await startServer('relay');
  try {
    const total = Math.round(LIVE_SECONDS * FPS);
    const lat: number[] = [];
    const t0 = performance.now() + 300;
    await Promise.all(
      Array.from({ length: LIVE_SESSIONS }, async (_, s) => {
        const cons = new WebSocket(`${relay.url}/c/${s}`, { perMessageDeflate: false });
        await new Promise((r) => cons.once('open', r));
        const prod = new WebSocket(`${relay.url}/p/${s}`, { perMessageDeflate: false });
        await new Promise((r) => prod.once('open', r));
        const sent = new Float64Array(total);
        let got = 0;
        const all = new Promise<void>((resolve) =>
          cons.on('message', (d: Buffer) => {
            lat.push(performance.now() - sent[d.readUInt32LE(0)]);
            if (++got === total) resolve();
          }),
        );
        const start = t0 + (s * 1000) / FPS / LIVE_SESSIONS;
        for (let i = 0; i < total; i++) {
          const wait = start + (i * 1000) / FPS - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const b = Buffer.alloc(FACE_FRAME_BYTES);
          b.writeUInt32LE(i, 0);
          sent[i] = performance.now();
          prod.send(b);
        }
        await all;
        cons.close();
        prod.close();
      }),
    );
    lat.sort((a, b) => a - b);
    return { p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), maxMs: lat.at(-1) ?? NaN, frames: lat.length };
  } finally {
    relay.child.send({ cmd: 'stop' });
    await new Promise((r) => relay.child.once('exit', r));
  }
}

async function stopServer(server: Server): Promise<void> {
  server.child.send({ cmd: 'stop' });
  await new Promise((r) => server.child.once('exit', r));
}

async function main(): Promise<void> {
  process.stdout.write(`bridge bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), loopback, bridge in its own process\n`);
  const frames = Array.from({ length: FRAMES }, (_, i) => synthFrame(i, FPS));
  const fan: FanResult[] = [];
  let server = await startServer();
  try {
    await fanOut(server, 2, frames.slice(0, Math.min(500, FRAMES))); // warm-up, not reported
    process.stdout.write(`\n1) one producer at full speed, ${FRAMES} frames (${FACE_FRAME_BYTES} bytes each with a face), file session\n`);
    process.stdout.write('consumers  frames/s delivered  frames/s produced  latency p50 ms  p99 ms\n');
    for (const n of [1, 4, 16]) {
      const r = await fanOut(server, n, frames);
      fan.push(r);
      process.stdout.write(
        `${String(n).padStart(9)}  ${r.deliveredPerSecond.toFixed(0).padStart(18)}  ${r.producedPerSecond.toFixed(0).padStart(17)}  ${ms(r.p50Ms).padStart(14)}  ${ms(r.p99Ms).padStart(6)}\n`,
      );
    }
  } finally {
    await stopServer(server);
  }
  process.stdout.write(`\n2) ${LIVE_SESSIONS} live sessions at ${FPS} fps for ${LIVE_SECONDS} s, one consumer each (fresh bridge process)\n`);
  server = await startServer();
  let l: LiveResult;
  try {
    l = await live(server);
  } finally {
    await stopServer(server);
  }
  process.stdout.write(
    `frames delivered ${l.framesDelivered}, latency p50 ${ms(l.p50Ms)} ms, p99 ${ms(l.p99Ms)} ms, max ${ms(l.maxMs)} ms, drops ${l.drops} (consumers saw ${l.consumerSkipped} skipped)\n` +
      `bridge memory after GC (rss / heap / buffers MB): start ${memLine(l.memoryStart)}; after ${l.warmAfterSeconds} s ${memLine(l.memoryWarm)}; end ${memLine(l.memoryEnd)}\n`,
  );
  process.stdout.write(`\n3) reference: the same live load through a plain ws relay process (no bridge logic)\n`);
  const b = await relayBaseline();
  process.stdout.write(`frames ${b.frames}, latency p50 ${ms(b.p50Ms)} ms, p99 ${ms(b.p99Ms)} ms, max ${ms(b.maxMs)} ms\n`);
  process.stdout.write(JSON.stringify({ fanOut: fan, live: l, relayBaseline: b }) + '\n');
}

process.stdout.on('error', () => {}); // e.g. piped into head
await main();
