/**
 * The studio's Live tab: camera and resolution pickers, the mascot picker (shipped heads
 * and VRMs, or a dropped .glb/.vrm), a video file in the camera's place, recolouring from
 * the profile's colours, mirror, calibrate, record to a downloadable file, publish to a
 * bridge session, and the live canvas with fps and latency. Implements the
 * `noggin_studio_live_*` page contract.
 */
import type { StudioLivePageContract } from '../../core/page-contract.js';
import { listCameras, openMicrophone, RESOLUTIONS } from './camera.js';
import { CompositorError } from './compositor.js';
import { fetchHeadIndex, headFromFile, headFromIndex, type HeadIndex } from './head-index.js';
import { LiveEngine, type HeadChoice, type LiveSource } from './live-engine.js';
import type { DelegateChoice } from './face-tracker.js';
import { el } from './dom.js';

declare global {
  interface Window extends Partial<StudioLivePageContract> {}
}

/** Where the page finds the landmarker's files. */
const MODEL_URL = '/api/studio/model';
const WASM_URL = '/wasm';
/** The camera picker's value for the chosen video file. */
const FILE_SOURCE = 'file:';

/** What the shell needs to show and hide the tab. */
export interface LiveTab {
  show(): void;
  hide(): void;
}

/** Builds the Live tab into `root`. */
export function mountLiveTab(root: HTMLElement): LiveTab {
  const params = new URLSearchParams(location.search);
  const message = el('div', { id: 'live-message', class: 'message', role: 'alert', hidden: true });
  const say = (text: string | null, kind: 'error' | 'note' = 'error') => {
    message.hidden = !text;
    message.textContent = text ?? '';
    message.className = `message ${kind}`;
  };
  const canvas = el('canvas', { id: 'live-canvas', class: 'live-canvas', width: 640, height: 480 }) as HTMLCanvasElement;
  let engine: LiveEngine;
  try {
    engine = new LiveEngine(canvas, { modelUrl: MODEL_URL, wasmUrl: WASM_URL, delegate: (params.get('delegate')?.toUpperCase() as DelegateChoice) || 'auto' });
  } catch (e) {
    root.append(el('div', { class: 'message error', id: 'live-message', role: 'alert' }, e instanceof CompositorError ? e.message : `The live view cannot start: ${(e as Error).message}`));
    return { show() {}, hide() {} };
  }

  const cameraSel = el('select', { id: 'live-camera', title: 'Camera' }) as HTMLSelectElement;
  const resSel = el('select', { id: 'live-resolution', title: 'Resolution' }) as HTMLSelectElement;
  for (const r of RESOLUTIONS) resSel.append(el('option', { value: `${r.width}x${r.height}` }, r.label));
  const startBtn = el('button', { id: 'live-start', type: 'button' }, 'Start') as HTMLButtonElement;
  const videoInput = el('input', { id: 'live-video', type: 'file', accept: 'video/*', hidden: true }) as HTMLInputElement;
  const videoBtn = el('button', { type: 'button', title: "Play a video file (looped) in the camera's place, or drop one on the picture" }, 'Video file...') as HTMLButtonElement;
  const headSel = el('select', { id: 'live-head', title: 'Mascot' }) as HTMLSelectElement;
  const fileInput = el('input', { id: 'live-file', type: 'file', accept: '.glb,.vrm', hidden: true }) as HTMLInputElement;
  const fileBtn = el('button', { type: 'button', title: 'Load a .glb or .vrm (or drop one on the picture)' }, 'Open model...') as HTMLButtonElement;
  const mirrorBox = el('input', { id: 'live-mirror', type: 'checkbox', checked: true }) as HTMLInputElement;
  const calibrateBtn = el('button', { id: 'live-calibrate', type: 'button', title: 'Look at the camera with a relaxed, neutral face, then press' }, 'Calibrate') as HTMLButtonElement;
  const uncalibrateBtn = el('button', { id: 'live-uncalibrate', type: 'button', hidden: true }, 'Reset calibration') as HTMLButtonElement;
  const recordBtn = el('button', { id: 'live-record', type: 'button', class: 'record' }, 'Record') as HTMLButtonElement;
  const sessionInput = el('input', { id: 'live-session', type: 'text', placeholder: 'session name', value: params.get('session') ?? 'live', size: 12 }) as HTMLInputElement;
  const publishBtn = el('button', { id: 'live-publish', type: 'button', title: 'Stream the tracking to this bridge session so other renderers follow it' }, 'Publish') as HTMLButtonElement;
  const status = el('div', { id: 'live-status', class: 'status' }, 'Not started');
  const colors = el('div', { id: 'live-colors', class: 'colors' });
  const downloads = el('div', { id: 'live-downloads', class: 'downloads' });
  const stage = el('div', { class: 'stage' }, canvas, el('div', { class: 'drop-hint' }, 'Drop a .glb or .vrm (the mascot) or a video (the camera) here'));

  root.append(
    el('div', { class: 'toolbar' },
      el('label', {}, 'Camera ', cameraSel), el('label', {}, 'Size ', resSel), startBtn, videoBtn, videoInput,
      el('span', { class: 'sep' }),
      el('label', {}, 'Mascot ', headSel), fileBtn, fileInput,
      el('label', { title: 'Show the picture as a mirror (selfie view)' }, mirrorBox, ' Mirror'),
      calibrateBtn, uncalibrateBtn,
      el('span', { class: 'sep' }),
      recordBtn,
      el('label', {}, 'Bridge ', sessionInput), publishBtn,
    ),
    message,
    stage,
    status,
    el('div', { class: 'panel' }, el('h3', {}, 'Colours'), colors),
    downloads,
  );

  let index: HeadIndex | null = null;
  const choices = new Map<string, HeadChoice>();
  let started = false;
  let micProblem: string | null = null;
  /** The video file chosen to play in the camera's place (a blob URL of the user's file). */
  let videoFile: { url: string; name: string } | null = null;

  const refreshCameras = async () => {
    const cams = await listCameras();
    const keep = cameraSel.value;
    cameraSel.replaceChildren(
      el('option', { value: '' }, 'Default camera'),
      ...cams.map((c) => el('option', { value: c.deviceId }, c.label)),
      ...(videoFile ? [el('option', { value: FILE_SOURCE }, `Video: ${videoFile.name}`)] : []),
    );
    if ([...cameraSel.options].some((o) => o.value === keep)) cameraSel.value = keep;
  };

  const source = (): LiveSource => {
    if (cameraSel.value === FILE_SOURCE && videoFile) return { kind: 'file', url: videoFile.url, name: videoFile.name };
    const [width, height] = resSel.value.split('x').map(Number);
    return { kind: 'camera', deviceId: cameraSel.value, width, height };
  };

  const showColors = (choice: HeadChoice) => {
    colors.replaceChildren();
    const entries = Object.entries(choice.colors);
    if (!entries.length) {
      colors.append(el('span', { class: 'muted' }, 'This mascot has no profile colours.'));
      return;
    }
    for (const [material, hex] of entries) {
      const input = el('input', { type: 'color', value: hex.toLowerCase(), 'data-material': material }) as HTMLInputElement;
      input.addEventListener('input', () => engine.recolor(material, input.value));
      colors.append(el('label', { class: 'swatch' }, input, ` ${material}`));
    }
    const reset = el('button', { type: 'button' }, 'Reset colours');
    reset.addEventListener('click', () => {
      for (const input of colors.querySelectorAll<HTMLInputElement>('input[type=color]')) {
        input.value = choice.colors[input.dataset.material!].toLowerCase();
        engine.recolor(input.dataset.material!, input.value);
      }
    });
    colors.append(reset);
  };

  const loadHead = async (choice: HeadChoice) => {
    say(null);
    try {
      const warnings = await engine.setHead(choice);
      showColors(choice);
      if (warnings.length) say(`${choice.displayName}: ${warnings.join('; ')}.`, 'note');
    } catch (e) {
      say(`The mascot ${choice.displayName} could not be loaded: ${(e as Error).message.replace(/^(load|limits|webgl): /, '')}`);
    }
  };

  const start = async () => {
    started = true;
    const src = source();
    // A file plays at its own size.
    resSel.disabled = src.kind === 'file';
    startBtn.disabled = true;
    await engine.start(src);
    startBtn.disabled = false;
    if (engine.state === 'error') {
      say(engine.message);
      return;
    }
    say(null);
    await refreshCameras();
    await indexReady;
    const choice = choices.get(headSel.value);
    if (choice && engine.headName() !== choice.name) await loadHead(choice);
  };

  const indexReady = (async () => {
    try {
      index = await fetchHeadIndex();
    } catch (e) {
      say((e as Error).message);
      return;
    }
    for (const h of index.heads) {
      const c = headFromIndex(h);
      choices.set(c.name, c);
      headSel.append(el('option', { value: c.name }, `${h.displayName} (${h.kind})`));
    }
    // The command line's default mascot, unless the address names another.
    const wanted = params.get('head') ?? 'fox';
    if (choices.has(wanted)) headSel.value = wanted;
  })();
  void refreshCameras().catch(() => undefined);

  engine.onChange = () => {
    startBtn.textContent = engine.state === 'running' ? 'Stop' : 'Start';
    recordBtn.textContent = engine.recordingMs() !== null ? 'Stop recording' : 'Record';
    recordBtn.classList.toggle('on', engine.recordingMs() !== null);
    publishBtn.textContent = engine.publishing() ? 'Stop publishing' : 'Publish';
    uncalibrateBtn.hidden = !engine.isCalibrated();
    calibrateBtn.textContent = engine.isCalibrating() ? 'Hold still...' : engine.isCalibrated() ? 'Recalibrate' : 'Calibrate';
    if (engine.state === 'error' && engine.message) say(engine.message);
  };

  startBtn.addEventListener('click', () => {
    if (engine.state === 'running') engine.stop();
    else void start();
  });
  cameraSel.addEventListener('change', () => started && void start());
  resSel.addEventListener('change', () => started && void start());
  headSel.addEventListener('change', () => {
    const c = choices.get(headSel.value);
    if (c) void loadHead(c);
  });
  mirrorBox.addEventListener('change', () => engine.setMirror(mirrorBox.checked));
  calibrateBtn.addEventListener('click', () => engine.calibrate());
  uncalibrateBtn.addEventListener('click', () => engine.clearCalibration());

  const useVideoFile = async (file: File) => {
    if (videoFile) URL.revokeObjectURL(videoFile.url);
    videoFile = { url: URL.createObjectURL(file), name: file.name };
    await refreshCameras();
    cameraSel.value = FILE_SOURCE;
    await start();
  };
  videoBtn.addEventListener('click', () => videoInput.click());
  videoInput.addEventListener('change', () => {
    const f = videoInput.files?.[0];
    videoInput.value = '';
    if (f) void useVideoFile(f);
  });

  const dropFile = (file: File | undefined) => {
    if (!file) return;
    if (file.type.startsWith('video/')) {
      void useVideoFile(file);
      return;
    }
    try {
      const c = headFromFile(file, index?.limits ?? { maxTextureSide: 4096, maxVertices: 500_000, maxFileBytes: 64 * 1024 * 1024 });
      const prev = choices.get(c.name);
      if (prev?.spec.url.startsWith('blob:')) URL.revokeObjectURL(prev.spec.url);
      if (!prev) headSel.append(el('option', { value: c.name }, `${c.displayName} (dropped ${c.kind})`));
      choices.set(c.name, c);
      headSel.value = c.name;
      void loadHead(c);
    } catch (e) {
      say((e as Error).message);
    }
  };
  fileBtn.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => dropFile(fileInput.files?.[0]));
  stage.addEventListener('dragover', (e) => {
    e.preventDefault();
    stage.classList.add('dragging');
  });
  stage.addEventListener('dragleave', () => stage.classList.remove('dragging'));
  stage.addEventListener('drop', (e) => {
    e.preventDefault();
    stage.classList.remove('dragging');
    dropFile(e.dataTransfer?.files?.[0]);
  });

  const offerDownload = (r: NonNullable<LiveEngine['lastRecording']>) => {
    const url = URL.createObjectURL(r.blob);
    const a = el('a', { href: url, download: r.fileName, class: 'download' }, `Download ${r.fileName} (${(r.durationMs / 1000).toFixed(1)} s, ${(r.blob.size / 1e6).toFixed(1)} MB${r.withAudio ? '' : ', no sound'})`);
    downloads.prepend(el('div', {}, a));
  };
  recordBtn.addEventListener('click', async () => {
    if (engine.recordingMs() !== null) {
      const r = await engine.stopRecording();
      if (r) offerDownload(r);
      return;
    }
    if (engine.state !== 'running') {
      say('Start the camera before recording.');
      return;
    }
    const mic = await openMicrophone();
    micProblem = mic.problem;
    try {
      engine.startRecording(mic.stream);
      say(micProblem ? `Recording without sound: ${micProblem}` : null, 'note');
    } catch (e) {
      say((e as Error).message);
    }
  });
  publishBtn.addEventListener('click', async () => {
    if (engine.publishing()) {
      engine.stopPublishing();
      return;
    }
    try {
      await engine.startPublishing(sessionInput.value.trim());
      say(`Publishing the tracking to session "${sessionInput.value.trim()}": follow it with noggin render --session ${location.origin}/${sessionInput.value.trim()}`, 'note');
    } catch (e) {
      say((e as Error).message);
    }
  });

  setInterval(() => {
    if (engine.state !== 'running') {
      status.textContent = engine.state === 'starting' ? 'Starting the camera and the face tracker...' : 'Not started';
      return;
    }
    const f = engine.recentFigures();
    const s = engine.stats();
    const rec = engine.recordingMs();
    const pub = engine.publishing();
    status.textContent = [
      `${f.fps.toFixed(1)} fps`,
      `${f.frameMs.toFixed(0)} ms per frame`,
      `latency ${f.latencyMs.toFixed(0)} ms`,
      `${s.width}x${s.height}`,
      cameraSel.value === FILE_SOURCE && videoFile ? `from ${videoFile.name}` : '',
      `face tracker on ${s.delegate ?? '?'}`,
      s.head ? `mascot ${s.head}${s.headLoading ? ' (loading another...)' : ''}` : s.headLoading ? 'loading mascot...' : 'no mascot',
      engine.software ? 'software WebGL' : '',
      rec !== null ? `recording ${(rec / 1000).toFixed(1)} s` : '',
      pub ? `published ${pub.frames} frames to ${pub.session}${pub.problem ? ` (${pub.problem})` : ''}` : '',
    ].filter(Boolean).join(' · ');
  }, 500);

  window.noggin_studio_live_stats = async () => engine.stats();
  window.noggin_studio_live_resetStats = async () => engine.resetStats();
  window.noggin_studio_live_setMode = async (mode, syncGpu, profile) => {
    engine.mode = mode;
    engine.syncGpu = syncGpu;
    engine.profile = profile;
  };
  window.noggin_studio_live_probe = (timeoutMs) => engine.probe(timeoutMs);
  window.noggin_studio_live_lastRecording = async () => {
    const r = engine.lastRecording;
    if (!r) return null;
    const bytes = new Uint8Array(await r.blob.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { base64: btoa(bin), mimeType: r.mimeType, fileName: r.fileName, durationMs: r.durationMs, withAudio: r.withAudio };
  };

  return {
    show() {
      if (!started && params.get('autostart') !== '0') void start();
    },
    hide() {
      if (engine.state === 'running' && engine.recordingMs() === null) {
        engine.stop();
        started = false;
      }
    },
  };
}
