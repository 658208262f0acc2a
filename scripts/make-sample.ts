/**
 * `npm run make-sample`: renders the bundled sample clip, assets/samples/presenter.mp4
 * (10 s, 25 fps, 1280x720, H.264 + AAC), and its ground truth presenter.truth.json: the
 * synthetic presenter (scripts/heads/presenter/) performing a scripted sequence (talking,
 * blinks, smiles, brows up, head turns to +/-30 degrees, nods, a tilt, a slow sway) in
 * front of a room background drawn by ffmpeg, with espeak-ng speaking a sentence (a
 * generated tone when espeak-ng is absent). Deterministic: the same script gives the same
 * frames. Outputs are written to temporary names and renamed when complete.
 *   node dist/scripts/make-sample.js [--out DIR] [--keep-work] [--log-level LEVEL]
 * (--log-level info logs the espeak-ng and ffmpeg command lines).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEDIAPIPE_BLENDSHAPES } from '../core/blendshapes.js';
import { NogginError } from '../core/errors.js';
import { log, setLogLevel } from '../core/log.js';
import { MEDIAPIPE_VERTICAL_FOV_DEG } from '../core/track.js';
import { tempPathFor } from '../core/track-file.js';
import { runToCompletion } from '../system/child-process.js';
import { launchChromium } from '../system/chromium.js';
import { exitOnFailure, installSignalHandlers, onCleanup } from '../system/cleanup.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { findFfmpeg } from '../system/tools.js';
import { perform, loudnessPerFrame, type PerformedFrame } from './heads/presenter/performance.js';
import { poseMatrix, HEAD_PIVOT_CM } from './heads/presenter/pose.js';
import { renderScripted, writePresenterModels, type ScriptedFace } from './heads/presenter/render.js';

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 25;
const SECONDS = 10;
/** What the presenter says and when (s): a greeting, then the head turns in silence, then the rest. */
const SPEECH: readonly { text: string; startS: number; toneS: number }[] = [
  { text: 'Hello! I am the noggin sample presenter.', startS: 0.3, toneS: 2.3 },
  { text: 'I can turn my head, nod and smile, and a mascot can take my place.', startS: 5.9, toneS: 3.8 },
];
const AUDIO_RATE = 22050;
/** The committed clip must stay under this. */
const MAX_BYTES = 2 * 1024 * 1024;

/** The room behind the presenter: wall, skirting and floor, a picture, a shelf with books and a plant; soft focus and a vignette. */
const ROOM = [
  `color=c=0xcdc3b3:s=${WIDTH}x${HEIGHT}:r=${FPS}:d=${SECONDS}`,
  'drawbox=x=0:y=598:w=1280:h=122:c=0x6e5645:t=fill',
  'drawbox=x=0:y=586:w=1280:h=14:c=0xe9e3d9:t=fill',
  'drawbox=x=860:y=104:w=290:h=200:c=0x4a3524:t=fill',
  'drawbox=x=876:y=120:w=258:h=168:c=0x8fb1c4:t=fill',
  'drawbox=x=876:y=226:w=258:h=62:c=0x5f7f4e:t=fill',
  'drawbox=x=1050:y=140:w=36:h=36:c=0xf2d57e:t=fill',
  'drawbox=x=80:y=338:w=280:h=14:c=0x5a4330:t=fill',
  'drawbox=x=104:y=268:w=24:h=70:c=0x8c3b32:t=fill',
  'drawbox=x=130:y=276:w=18:h=62:c=0x2f5b6e:t=fill',
  'drawbox=x=150:y=262:w=28:h=76:c=0xc9a227:t=fill',
  'drawbox=x=180:y=282:w=20:h=56:c=0x44603a:t=fill',
  'drawbox=x=262:y=304:w=44:h=34:c=0xa0583a:t=fill',
  'drawbox=x=256:y=262:w=56:h=44:c=0x4f7d45:t=fill',
  'gblur=sigma=2.5',
  'vignette=angle=PI/5',
].join(',');

interface Args {
  out: string;
  keepWork: boolean;
}

const USAGE = 'use: make-sample [--out DIR] [--keep-work] [--log-level LEVEL]';

function parseArgs(argv: string[]): Args {
  const a: Args = { out: join(PROJECT_ROOT, 'assets', 'samples'), keepWork: false };
  for (let i = 0; i < argv.length; i++) {
    const value = (): string => {
      const v = argv[++i];
      if (!v || v.startsWith('--')) throw new NogginError('make-sample', `${argv[i - 1]} needs a value`, USAGE, 2);
      return v;
    };
    if (argv[i] === '--out') a.out = value();
    else if (argv[i] === '--log-level') {
      const level = value();
      if (!['trace', 'debug', 'info', 'warn', 'error', 'silent'].includes(level)) {
        throw new NogginError('make-sample', `unknown log level ${level}`, 'use trace, debug, info, warn, error or silent', 2);
      }
      setLogLevel(level);
    }
    else if (argv[i] === '--keep-work') a.keepWork = true;
    else throw new NogginError('make-sample', `unknown argument ${argv[i]}`, USAGE, 2);
  }
  return a;
}

async function ffmpeg(label: string, args: string[], timeoutMs = 300000): Promise<void> {
  log.info({ cmd: ['ffmpeg', ...args].map((x) => (/[\s;|]/.test(x) ? JSON.stringify(x) : x)).join(' ') }, `make-sample: ${label}`);
  const r = await runToCompletion(`ffmpeg-${label}`, findFfmpeg(), args, timeoutMs);
  if (r.exit.state !== 'exited') {
    const why = r.exit.stderrTail.trim().split('\n').pop() ?? r.exit.state;
    throw new NogginError('make-sample', `ffmpeg (${label}) failed: ${why}`, 're-run with --log-level debug; check ffmpeg with `noggin setup --check`');
  }
}

function espeakPath(): string | null {
  for (const p of (process.env.PATH ?? '/usr/bin').split(':')) {
    if (p && existsSync(join(p, 'espeak-ng'))) return join(p, 'espeak-ng');
  }
  return null;
}

/** 16-bit PCM mono samples and their rate from a WAV file. */
function readWav(buf: Buffer): { samples: Int16Array; rate: number } {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let at = 12;
  let rate = 0;
  let channels = 1;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    let size = buf.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(at + 10);
      rate = buf.readUInt32LE(at + 12);
    } else if (id === 'data') {
      // espeak-ng writes a streaming header with a placeholder size: take what is there.
      if (size === 0 || size === 0xffffffff || at + 8 + size > buf.length) size = buf.length - at - 8;
      const n = Math.floor(size / 2 / channels);
      const samples = new Int16Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(at + 8 + i * 2 * channels);
      return { samples, rate };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('WAV file without data');
}

/** A 16-bit mono WAV file of `samples`. */
function wavFile(samples: Int16Array, rate: number): Buffer {
  const buf = Buffer.alloc(44 + samples.length * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples.length * 2, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i], 44 + i * 2);
  return buf;
}

/** A 180 Hz tone, amplitude-modulated like syllables and words, for machines without espeak-ng. */
function tone(seconds: number, rate: number): Int16Array {
  const out = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const syll = Math.max(0, Math.sin(2 * Math.PI * 4.2 * t)) ** 1.5;
    const word = Math.sin(2 * Math.PI * 0.7 * t + 1) > -0.6 ? 1 : 0;
    out[i] = Math.round(0.35 * 32767 * syll * word * Math.sin(2 * Math.PI * 180 * t));
  }
  return out;
}

/** Resamples 16-bit audio to `rate` (linear; espeak-ng speaks at 22050 Hz already). */
function resample(x: Int16Array, from: number, rate: number): Int16Array {
  if (from === rate) return x;
  const out = new Int16Array(Math.floor((x.length * rate) / from));
  for (let i = 0; i < out.length; i++) {
    const f = (i * from) / rate;
    const j = Math.floor(f);
    out[i] = Math.round(x[j] + ((x[Math.min(x.length - 1, j + 1)] ?? 0) - x[j]) * (f - j));
  }
  return out;
}

/** The soundtrack (SECONDS long, the speech placed at its times) and how it was made. */
async function makeSpeech(work: string): Promise<{ samples: Int16Array; source: string }> {
  const track = new Int16Array(SECONDS * AUDIO_RATE);
  const espeak = espeakPath();
  let spoken = !!espeak;
  const parts: Int16Array[] = [];
  for (const [i, s] of SPEECH.entries()) {
    if (!espeak) break;
    const wav = join(work, `speech-${i}.wav`);
    const args = ['-v', 'en-us', '-s', '180', '-w', wav, s.text];
    log.info({ cmd: [espeak, ...args.slice(0, -1), JSON.stringify(s.text)].join(' ') }, 'make-sample: speech');
    const r = await runToCompletion('espeak-ng', espeak, args, 60000);
    if (r.exit.state !== 'exited' || !existsSync(wav)) {
      log.warn(`espeak-ng failed (${r.exit.stderrTail.trim().split('\n').pop()}); using a generated tone`);
      spoken = false;
      break;
    }
    const { samples, rate } = readWav(await readFile(wav));
    parts.push(resample(samples, rate, AUDIO_RATE));
  }
  SPEECH.forEach((s, i) => {
    const x = spoken ? parts[i] : tone(s.toneS, AUDIO_RATE);
    track.set(x.subarray(0, Math.max(0, track.length - Math.round(s.startS * AUDIO_RATE))), Math.round(s.startS * AUDIO_RATE));
  });
  return { samples: track, source: spoken ? `espeak-ng: "${SPEECH.map((s) => s.text).join(' ')}"` : 'generated tone (espeak-ng not found)' };
}

const round = (x: number, digits: number): number => {
  const p = 10 ** digits;
  const r = Math.round(x * p) / p;
  return r === 0 ? 0 : r;
};

/** The ground truth file: per frame the pose (angles, translation, matrix) and the 52 weights rendered. */
function truthJson(frames: readonly PerformedFrame[], faces: readonly ScriptedFace[], speech: string): string {
  const header = {
    format: 'noggin-sample-truth',
    version: 1,
    video: 'presenter.mp4',
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    frameCount: frames.length,
    speech,
    camera: { verticalFovDeg: MEDIAPIPE_VERTICAL_FOV_DEG, note: 'camera at the origin looking down -Z, y up (MediaPipe virtual camera)' },
    conventions: {
      matrix: '4x4 column-major, MediaPipe canonical face model (cm) -> camera (cm); what the renderer drew',
      angles: 'degrees, R = Ry(yaw) * Rx(pitch) * Rz(roll) (core/pose.ts matrixToYawPitchRoll)',
      yawDeg: 'about camera +y: positive turns the face toward camera +x (the viewer\'s right, the subject\'s left)',
      pitchDeg: 'about camera +x: positive tips the face down',
      rollDeg: 'about camera +z: positive tilts the head toward the subject\'s right shoulder (counter-clockwise on screen)',
      translationCm: 'camera cm of the canonical origin when the angles are zero; rotations turn about pivotCm',
      blendshapes: '52 weights in [0,1] in blendshapeNames order (MediaPipe order, index 0 _neutral), Left/Right the subject\'s own side',
    },
    pivotCm: HEAD_PIVOT_CM,
    blendshapeNames: MEDIAPIPE_BLENDSHAPES,
  };
  const lines = frames.map((f, k) =>
    JSON.stringify({
      frame: k,
      timeMs: round(f.timeMs, 3),
      yawDeg: round(f.pose.yawDeg, 4),
      pitchDeg: round(f.pose.pitchDeg, 4),
      rollDeg: round(f.pose.rollDeg, 4),
      translationCm: f.pose.t.map((v) => round(v, 4)),
      matrix: Array.from(faces[k].matrix, (v) => round(v, 6)),
      blendshapes: Array.from(f.weights, (v) => round(v, 4)),
    }),
  );
  const head = JSON.stringify(header, null, 2);
  return `${head.slice(0, -2)},\n  "frames": [\n    ${lines.join(',\n    ')}\n  ]\n}\n`;
}

async function main(): Promise<void> {
  installSignalHandlers((signal) => `make-sample: interrupted by ${signal}; partial output was removed. Fix: re-run the command.`);
  const args = parseArgs(process.argv.slice(2));
  try {
    await mkdir(args.out, { recursive: true });
  } catch (e) {
    throw new NogginError('make-sample', `cannot use ${args.out} as the output folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'give a folder you can write to with --out DIR');
  }
  const work = await mkdtemp(join(tmpdir(), 'noggin-sample-'));
  const video = join(args.out, 'presenter.mp4');
  const truth = join(args.out, 'presenter.truth.json');
  const videoTemp = tempPathFor(video);
  const truthTemp = tempPathFor(truth);
  const unregister = onCleanup('make-sample', async () => {
    await rm(videoTemp, { force: true });
    await rm(truthTemp, { force: true });
    if (!args.keepWork) await rm(work, { recursive: true, force: true });
  });
  const t0 = Date.now();
  try {
    const speech = await makeSpeech(work);
    const wav = join(work, 'soundtrack.wav');
    await writeFile(wav, wavFile(speech.samples, AUDIO_RATE));
    const n = FPS * SECONDS;
    const frames = perform(n, FPS, loudnessPerFrame(speech.samples, AUDIO_RATE, n, FPS, 0));
    const faces: ScriptedFace[] = frames.map((f) => ({ matrix: poseMatrix(f.pose), blendshapes: f.weights }));
    // The body sways with the head but does not turn: the head turns on the neck.
    const bodyFaces: ScriptedFace[] = frames.map((f) => ({
      matrix: poseMatrix({ yawDeg: 0, pitchDeg: 0, rollDeg: 0, t: f.pose.t }),
      blendshapes: new Float32Array(MEDIAPIPE_BLENDSHAPES.length),
    }));
    const models = await writePresenterModels(work);
    const size = { width: WIDTH, height: HEIGHT, fps: FPS };
    const chromium = await launchChromium();
    try {
      process.stderr.write('make-sample: rendering the head\n');
      await renderScripted(models.head, faces, size, { mov: join(work, 'head.mov') }, chromium);
      process.stderr.write('make-sample: rendering the body\n');
      await renderScripted(models.body, bodyFaces, size, { mov: join(work, 'body.mov') }, chromium);
    } finally {
      await chromium.close();
    }
    process.stderr.write('make-sample: compositing and encoding\n');
    await ffmpeg('encode', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', ROOM,
      '-i', join(work, 'body.mov'),
      '-i', join(work, 'head.mov'),
      '-i', wav,
      '-filter_complex',
      `[0:v][1:v]overlay=format=auto[a];[a][2:v]overlay=format=auto,format=yuv420p[v];[3:a]apad[s]`,
      '-map', '[v]', '-map', '[s]', '-t', String(SECONDS),
      '-c:v', 'libx264', '-preset', 'veryslow', '-crf', '27', '-pix_fmt', 'yuv420p', '-g', '50', '-threads', '1',
      '-c:a', 'aac', '-b:a', '48k', '-ac', '1',
      '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact',
      '-movflags', '+faststart', '-f', 'mp4', videoTemp,
    ], 600000);
    const bytes = (await stat(videoTemp)).size;
    if (bytes > MAX_BYTES) {
      throw new NogginError('make-sample', `the clip is ${(bytes / 1048576).toFixed(2)} MB, over the 2 MB limit`, 'raise the CRF in scripts/make-sample.ts');
    }
    await writeFile(truthTemp, truthJson(frames, faces, speech.source));
    await rename(videoTemp, video);
    await rename(truthTemp, truth);
    process.stderr.write(`make-sample: wrote ${video} (${(bytes / 1024).toFixed(0)} KiB, ${n} frames, speech: ${speech.source}) and ${truth} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  } finally {
    unregister();
    if (args.keepWork) process.stderr.write(`make-sample: work files kept in ${work}\n`);
    else await rm(work, { recursive: true, force: true });
  }
}

main().catch((e) => exitOnFailure(e, 'make-sample'));
