/**
 * The camera: the list of video inputs, opening one at a chosen resolution (getUserMedia),
 * and plain-language messages for the ways that fails. Standard APIs only (Chromium and
 * Firefox).
 */

/** A camera the user can pick. */
export interface CameraDevice {
  readonly deviceId: string;
  readonly label: string;
}

/** Resolutions offered (px, landscape). */
export const RESOLUTIONS: readonly { readonly label: string; readonly width: number; readonly height: number }[] = [
  { label: '640 x 480', width: 640, height: 480 },
  { label: '1280 x 720', width: 1280, height: 720 },
  { label: '1920 x 1080', width: 1920, height: 1080 },
  { label: '320 x 240', width: 320, height: 240 },
];

/** A failure with a message a user understands. */
export class CameraError extends Error {}

/** The video inputs (labels are empty until permission was given once). */
export async function listCameras(): Promise<CameraDevice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

/** Plain-language message for a getUserMedia failure. */
export function cameraErrorMessage(e: unknown, what: 'camera' | 'microphone' = 'camera'): string {
  const name = (e as { name?: string })?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return `No permission to use the ${what}. Allow ${what} access for this page in the browser (the icon in the address bar), then press Start.`;
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${what} was found. Connect one, then press Start.`;
  if (name === 'NotReadableError' || name === 'AbortError') return `The ${what} is in use by another program or could not be started. Close the other program, then press Start.`;
  return `The ${what} could not be opened (${(e as Error)?.message ?? String(e)}).`;
}

/** Opens a camera (deviceId '' = the default) at about width x height. */
export async function openCamera(deviceId: string, width: number, height: number): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CameraError('This browser gives pages no camera access here (the page must be opened as http://127.0.0.1 or https).');
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: 30 } },
      audio: false,
    });
  } catch (e) {
    throw new CameraError(cameraErrorMessage(e));
  }
}

/** Opens the microphone for recording; null (with the reason) when it cannot. */
export async function openMicrophone(): Promise<{ stream: MediaStream | null; problem: string | null }> {
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio: true, video: false }), problem: null };
  } catch (e) {
    return { stream: null, problem: cameraErrorMessage(e, 'microphone') };
  }
}

/** Stops every track of a stream. */
export function stopStream(s: MediaStream | null): void {
  for (const t of s?.getTracks() ?? []) t.stop();
}
