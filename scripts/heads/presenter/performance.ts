/**
 * The sample clip's script: what the presenter does, frame by frame, as pure functions of
 * time: talking (jaw from the speech's loudness, lip shapes varied per syllable), blinks,
 * smiles, brows up, head turns to +/-30 degrees, nods, a tilt, and a slow sway. Deterministic.
 */
import { BLENDSHAPE_COUNT, BLENDSHAPE_INDEX, type MediaPipeBlendshape } from '../../../core/blendshapes.js';
import type { HeadPose } from './pose.js';
import { seededRandom } from '../../../core/random.js';

/** Keyframes [time s, value]; values ease (smoothstep) between keys and hold outside them. */
export type Keys = readonly (readonly [number, number])[];

/** The value of eased keyframes at time t (s). */
export function keyed(keys: Keys, t: number): number {
  if (t <= keys[0][0]) return keys[0][1];
  for (let i = 1; i < keys.length; i++) {
    const [t1, v1] = keys[i];
    if (t <= t1) {
      const [t0, v0] = keys[i - 1];
      const u = (t - t0) / (t1 - t0);
      return v0 + (v1 - v0) * u * u * (3 - 2 * u);
    }
  }
  return keys[keys.length - 1][1];
}

/** Head turns: +30 (toward the viewer's right), then -30, back to the camera; a slight turn with the tilt. */
const YAW: Keys = [[0, 0], [2.7, 0], [3.4, 30], [3.8, 30], [4.6, -30], [4.9, -30], [5.5, 0], [7.9, 0], [8.4, 10], [8.9, 10], [9.4, 0]];
/** Two nods (positive pitch: face down). */
const PITCH: Keys = [[0, 0], [6.4, 0], [6.7, 11], [7.0, -5], [7.3, 10], [7.6, -3], [7.9, 0]];
/** A tilt toward the subject's right shoulder. */
const ROLL: Keys = [[0, 0], [7.9, 0], [8.4, 13], [8.9, 13], [9.4, 0]];
/** Blink start times (s); a blink closes in 100 ms, holds 60 ms and opens in 140 ms. */
const BLINKS = [1.55, 2.35, 5.45, 6.2, 8.0, 9.6];
const BROWS_UP: Keys = [[0, 0], [0.8, 0], [1.0, 0.85], [1.3, 0.85], [1.5, 0], [8.5, 0], [8.7, 0.7], [9.0, 0.7], [9.2, 0]];
const SMILE: Keys = [[0, 0], [5.35, 0], [5.6, 0.75], [5.85, 0.75], [6.1, 0], [9.25, 0], [9.55, 0.85], [10, 0.85]];

function blinkAt(t: number): number {
  let w = 0;
  for (const t0 of BLINKS) {
    const d = t - t0;
    if (d < 0 || d > 0.3) continue;
    w = Math.max(w, d < 0.1 ? d / 0.1 : d < 0.16 ? 1 : 1 - (d - 0.16) / 0.14);
  }
  return w;
}

/** Lip shapes a syllable may carry on top of the jaw (weights at a fully open syllable). */
const VOWELS: Partial<Record<MediaPipeBlendshape, number>>[] = [
  {},
  { mouthFunnel: 0.45 },
  { mouthPucker: 0.5 },
  { mouthLowerDownLeft: 0.35, mouthLowerDownRight: 0.35, mouthUpperUpLeft: 0.2, mouthUpperUpRight: 0.2 },
  { mouthRollLower: 0.3 },
];


/** One scripted frame: pose and the 52 weights in MediaPipe order (index 0 `_neutral` stays 0). */
export interface PerformedFrame {
  readonly timeMs: number;
  readonly pose: HeadPose;
  readonly weights: Float32Array;
}

/** Where the head is at rest (canonical origin in camera cm) and how far it sways. */
export const REST_T: readonly [number, number, number] = [0, 3, -50];

/**
 * The whole performance for `frames` frames at `fps`. `loudness[k]` is the speech's level at
 * frame k in [0,1] (0 when silent); it opens the jaw, and each syllable (a rise of the
 * level) picks one lip shape.
 */
export function perform(frames: number, fps: number, loudness: readonly number[]): PerformedFrame[] {
  const pick = seededRandom(20261123);
  let vowel = VOWELS[0];
  let prev = 0;
  const out: PerformedFrame[] = [];
  for (let k = 0; k < frames; k++) {
    const t = k / fps;
    const w = new Float32Array(BLENDSHAPE_COUNT);
    const set = (name: MediaPipeBlendshape, v: number) => (w[BLENDSHAPE_INDEX[name]] = Math.min(1, Math.max(0, v)));
    const level = loudness[k] ?? 0;
    if (level > 0.25 && prev <= 0.25) vowel = VOWELS[Math.floor(pick() * VOWELS.length)];
    prev = level;
    set('jawOpen', 0.65 * level);
    // The mouth corners follow the jaw down a little, as a speaker's do.
    set('mouthFrownLeft', 0.3 * level);
    set('mouthFrownRight', 0.3 * level);
    for (const [name, v] of Object.entries(vowel)) set(name as MediaPipeBlendshape, v * level);
    const blink = blinkAt(t);
    set('eyeBlinkLeft', blink);
    set('eyeBlinkRight', blink);
    const brows = keyed(BROWS_UP, t);
    set('browInnerUp', brows);
    set('browOuterUpLeft', 0.7 * brows);
    set('browOuterUpRight', 0.7 * brows);
    const smile = keyed(SMILE, t);
    set('mouthSmileLeft', smile);
    set('mouthSmileRight', smile);
    set('cheekSquintLeft', 0.35 * smile);
    set('cheekSquintRight', 0.35 * smile);
    const pose: HeadPose = {
      yawDeg: keyed(YAW, t),
      pitchDeg: keyed(PITCH, t),
      rollDeg: keyed(ROLL, t),
      t: [REST_T[0] + 3 * Math.sin((2 * Math.PI * t) / 7), REST_T[1] + 0.8 * Math.sin((2 * Math.PI * t) / 4.3), REST_T[2] + 4 * Math.sin((2 * Math.PI * t) / 9)],
    };
    out.push({ timeMs: (k * 1000) / fps, pose, weights: w });
  }
  return out;
}

/**
 * Speech loudness per video frame from 16-bit PCM samples: RMS over each frame's span,
 * normalised to the 95th percentile, lightly smoothed, in [0,1].
 */
export function loudnessPerFrame(samples: Int16Array, sampleRate: number, frames: number, fps: number, offsetS: number): number[] {
  const raw: number[] = [];
  for (let k = 0; k < frames; k++) {
    const a = Math.round((k / fps - offsetS) * sampleRate);
    const b = Math.round(((k + 1) / fps - offsetS) * sampleRate);
    let sum = 0;
    let n = 0;
    for (let i = Math.max(0, a); i < Math.min(samples.length, b); i++) {
      sum += samples[i] * samples[i];
      n++;
    }
    raw.push(n ? Math.sqrt(sum / n) : 0);
  }
  const sorted = raw.filter((x) => x > 0).sort((x, y) => x - y);
  const ref = sorted[Math.floor(sorted.length * 0.95)] || 1;
  const out: number[] = [];
  let s = 0;
  for (const r of raw) {
    const v = Math.min(1, r / ref);
    s = v > s ? s + 0.7 * (v - s) : 0.55 * s + 0.45 * v;
    out.push(s < 0.06 ? 0 : s);
  }
  return out;
}
