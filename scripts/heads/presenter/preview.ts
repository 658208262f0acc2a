/**
 * Preview of the presenter: renders a few poses and expressions over a plain background,
 * runs the project's capture on them and prints what MediaPipe saw next to what was
 * rendered (detection, head angles, the main blendshapes). For checking the head while
 * building it:
 *   node dist/scripts/heads/presenter/preview.js [OUT_DIR]
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureVideo } from '../../../capture/index.js';
import { BLENDSHAPE_COUNT, BLENDSHAPE_INDEX, type MediaPipeBlendshape } from '../../../core/blendshapes.js';
import { asNogginError, NogginError } from '../../../core/errors.js';
import { matrixToYawPitchRoll } from '../../../core/pose.js';
import type { TrackFrame } from '../../../core/track.js';
import { runToCompletion } from '../../../system/child-process.js';
import { findFfmpeg, modelPath } from '../../../system/tools.js';
import { poseMatrix, type HeadPose } from './pose.js';
import { renderScripted, writePresenterModels, type ScriptedFace } from './render.js';

const W = 1280;
const H = 720;
const AT: HeadPose['t'] = [0, 3, -55];

const SHOTS: { name: string; pose?: Partial<HeadPose>; w?: Partial<Record<MediaPipeBlendshape, number>> }[] = [
  { name: 'neutral' },
  { name: 'jawOpen', w: { jawOpen: 0.7 } },
  { name: 'blink', w: { eyeBlinkLeft: 1, eyeBlinkRight: 1 } },
  { name: 'blinkLeft', w: { eyeBlinkLeft: 1 } },
  { name: 'smile', w: { mouthSmileLeft: 0.9, mouthSmileRight: 0.9 } },
  { name: 'browsUp', w: { browInnerUp: 0.9, browOuterUpLeft: 0.6, browOuterUpRight: 0.6 } },
  { name: 'yaw+30', pose: { yawDeg: 30 } },
  { name: 'yaw-30', pose: { yawDeg: -30 } },
  { name: 'pitch+12', pose: { pitchDeg: 12 } },
  { name: 'roll+12', pose: { rollDeg: 12 } },
  { name: 'neutral2' },
];

const WATCH: MediaPipeBlendshape[] = ['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight', 'mouthSmileLeft', 'mouthSmileRight', 'browInnerUp', 'browOuterUpLeft'];

async function main(): Promise<void> {
  const dir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'presenter-preview-')));
  await mkdir(dir, { recursive: true });
  const models = await writePresenterModels(dir);
  const faces: ScriptedFace[] = SHOTS.map((s) => {
    const b = new Float32Array(BLENDSHAPE_COUNT);
    for (const [k, v] of Object.entries(s.w ?? {})) b[BLENDSHAPE_INDEX[k as MediaPipeBlendshape]] = v;
    return { matrix: poseMatrix({ yawDeg: 0, pitchDeg: 0, rollDeg: 0, t: AT, ...s.pose }), blendshapes: b };
  });
  const size = { width: W, height: H, fps: 1 };
  await renderScripted(models.head, faces, size, { pngDir: join(dir, 'head') });
  await renderScripted(models.body, [faces[0]], size, { pngDir: join(dir, 'body') });
  const video = join(dir, 'preview.mp4');
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=0xb8b0a4:s=${W}x${H}:r=1:d=${SHOTS.length}`,
    '-loop', '1', '-framerate', '1', '-i', join(dir, 'body', 'frame_000000.png'),
    '-framerate', '1', '-start_number', '0', '-i', join(dir, 'head', 'frame_%06d.png'),
    '-filter_complex', '[0][1]overlay=shortest=1[a];[a][2]overlay=shortest=1,format=yuv420p[v]',
    '-map', '[v]', '-c:v', 'libx264', '-crf', '16', '-r', '1', join(dir, 'preview.mp4'),
  ];
  const r = await runToCompletion('ffmpeg-preview', findFfmpeg(), args, 120000);
  if (r.exit.state !== 'exited') throw new NogginError('preview', `ffmpeg failed (${r.exit.stderrTail.trim().split('\n').pop()})`, 'check ffmpeg with `noggin setup --check`');
  await runToCompletion('ffmpeg-stills', findFfmpeg(), ['-hide_banner', '-loglevel', 'error', '-y', '-i', video, join(dir, 'still_%02d.png')], 60000);
  const frames: TrackFrame[] = [];
  await captureVideo({
    input: video, smoothing: 'none', fillGapFrames: 0, workers: 1, maxAnalysisSide: 1280, modelPath: modelPath(),
    minDetectionConfidence: 0.5, onFrame: (f) => void frames.push(f),
  });
  console.log(`preview in ${dir}`);
  console.log(['shot'.padEnd(10), 'yaw', 'pitch', 'roll', ...WATCH].join('\t'));
  frames.forEach((f, i) => {
    if (!f.face) return console.log(`${SHOTS[i].name.padEnd(10)}\tno face`);
    const e = matrixToYawPitchRoll(f.face.matrix);
    const bs = WATCH.map((n) => f.face!.blendshapes[BLENDSHAPE_INDEX[n]].toFixed(2));
    console.log([SHOTS[i].name.padEnd(10), e.yawDeg.toFixed(1), e.pitchDeg.toFixed(1), e.rollDeg.toFixed(1), ...bs].join('\t'));
  });
}

main().catch((e) => {
  const err = asNogginError(e, 'preview');
  console.error(err.oneLine());
  process.exit(err.exitCode);
});
