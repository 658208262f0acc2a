/**
 * Export of a track's blendshapes in the Live Link Face CSV layout (Timecode,
 * BlendShapeCount, then the ARKit curves with Live Link Face's capitalisation, head and eye
 * yaw/pitch/roll), so tracks open in Unreal, Blender add-ons and other tools.
 */
import { BLENDSHAPE_INDEX, LIVE_LINK_FACE_CURVES, type MediaPipeBlendshape } from '../core/blendshapes.js';
import { matrixToYawPitchRoll } from '../core/pose.js';
import type { TrackFrame } from '../core/track.js';

/** The CSV header line. */
export function liveLinkCsvHeader(): string {
  return ['Timecode', 'BlendShapeCount', ...LIVE_LINK_FACE_CURVES].join(',');
}

/** Live Link Face timecode `HH:MM:SS:FF.mmm` (frame within the second, then its fraction). */
export function liveLinkTimecode(timeMs: number, fps: number): string {
  const totalSec = Math.floor(timeMs / 1000);
  const framePos = ((timeMs / 1000 - totalSec) * fps);
  const ff = Math.floor(framePos + 1e-6);
  const frac = Math.round((framePos - ff) * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(Math.floor(totalSec / 3600))}:${p2(Math.floor(totalSec / 60) % 60)}:${p2(totalSec % 60)}:${p2(ff)}.${String(Math.min(frac, 999)).padStart(3, '0')}`;
}

const EYE_YAW_DEG = 30;
const EYE_PITCH_DEG = 25;

/** One CSV row for a frame with a face; null for a frame without one. Head angles in radians as Live Link Face writes them. */
export function liveLinkCsvRow(f: TrackFrame, fps: number): string | null {
  if (!f.face) return null;
  const bs = f.face.blendshapes;
  const get = (name: string) => {
    const arkit = (name[0].toLowerCase() + name.slice(1)) as MediaPipeBlendshape;
    const i = BLENDSHAPE_INDEX[arkit];
    return i === undefined ? 0 : bs[i];
  };
  const ypr = matrixToYawPitchRoll(f.face.matrix);
  const rad = Math.PI / 180;
  const eye = (side: 'Left' | 'Right') => {
    const yaw = (get(`EyeLookOut${side}`) - get(`EyeLookIn${side}`)) * (side === 'Left' ? 1 : -1) * EYE_YAW_DEG * rad;
    const pitch = (get(`EyeLookUp${side}`) - get(`EyeLookDown${side}`)) * EYE_PITCH_DEG * rad;
    return [yaw, pitch, 0];
  };
  const values = LIVE_LINK_FACE_CURVES.map((c) => {
    switch (c) {
      case 'HeadYaw':
        return ypr.yawDeg * rad;
      case 'HeadPitch':
        return ypr.pitchDeg * rad;
      case 'HeadRoll':
        return ypr.rollDeg * rad;
      case 'LeftEyeYaw':
        return eye('Left')[0];
      case 'LeftEyePitch':
        return eye('Left')[1];
      case 'RightEyeYaw':
        return eye('Right')[0];
      case 'RightEyePitch':
        return eye('Right')[1];
      case 'LeftEyeRoll':
      case 'RightEyeRoll':
        return 0;
      default:
        return get(c);
    }
  });
  return [liveLinkTimecode(f.timeMs, fps), String(LIVE_LINK_FACE_CURVES.length), ...values.map((v) => String(Math.round(v * 1e6) / 1e6))].join(',');
}
