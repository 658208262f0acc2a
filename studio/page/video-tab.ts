/**
 * The studio's Video tab: open a video (upload, or a path on the server's machine when the
 * page is local), see source and result side by side and scrub/play them in sync, pick and
 * recolour the head, export it as a server job with live progress, and download the
 * result, track, CSV and alpha layer. The open video and the current job are kept in
 * localStorage, so a reload reattaches to a running export.
 */
import { isFinalState, type StudioHead, type StudioJob, type StudioVideo, type UploadLimits } from '../server/api-types.js';
import { ApiFailure, cancelJob, fetchHeads, fetchJob, fetchJobs, fetchLimits, fetchVideo, openPath, submitJob, uploadVideo } from './video-api.js';
import { addVideoTabStyle } from './video-style.js';
import { syncVideos } from './video-sync.js';

/** localStorage key of the tab's state ({video, job} ids). */
export const VIDEO_TAB_STORAGE_KEY = 'noggin.studio.video';

interface Stored {
  video: string | null;
  job: string | null;
}

type Attrs = Record<string, string | boolean | number | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children);
  return el;
}

function readStored(): Stored {
  try {
    const s = JSON.parse(localStorage.getItem(VIDEO_TAB_STORAGE_KEY) ?? '{}') as Partial<Stored>;
    return { video: typeof s.video === 'string' ? s.video : null, job: typeof s.job === 'string' ? s.job : null };
  } catch {
    return { video: null, job: null };
  }
}

function writeStored(s: Stored): void {
  try {
    localStorage.setItem(VIDEO_TAB_STORAGE_KEY, JSON.stringify(s));
  } catch {
    /* private mode: reattaching after a reload is lost, nothing else */
  }
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

function describeError(e: unknown): string {
  if (e instanceof ApiFailure) return e.message;
  return `${(e as Error).message ?? String(e)}`;
}

const STATE_TEXT: Record<StudioJob['state'], string> = {
  queued: 'Queued',
  running: 'Exporting',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Mounts the Video tab into `root`. */
export function mountVideoTab(root: HTMLElement): void {
  addVideoTabStyle(document);
  const stored = readStored();
  let heads: StudioHead[] = [];
  let limits: UploadLimits | null = null;
  let video: StudioVideo | null = null;
  let job: StudioJob | null = null;
  let events: EventSource | null = null;
  let overrides: Record<string, string> = {};
  let uploading: AbortController | null = null;

  // Open.
  const fileInput = h('input', { type: 'file', accept: 'video/*,.mp4,.mov,.mkv,.webm,.avi', 'data-nv': 'file', style: 'display:none' });
  const fileButton = h('button', { class: 'nv-primary', 'data-nv': 'choose', text: 'Open video…' });
  const pathInput = h('input', { type: 'text', placeholder: '/path/to/video.mp4 on the server', 'data-nv': 'path' });
  const pathButton = h('button', { 'data-nv': 'open-path', text: 'Open path' });
  const pathRow = h('span', { class: 'nv-row', hidden: true }, pathInput, pathButton);
  const uploadBar = h('div');
  const uploadStatus = h('span', { class: 'nv-note', 'data-nv': 'upload-status' });
  const uploadRow = h('div', { class: 'nv-row', hidden: true }, h('div', { class: 'nv-bar' }, uploadBar), uploadStatus);
  const sourceInfo = h('span', { class: 'nv-note', 'data-nv': 'source-info', text: 'No video open.' });
  const errorBox = h('div', { class: 'nv-error', role: 'alert', 'data-nv': 'error' });

  // Panes and transport.
  const source = h('video', { 'data-nv': 'source', preload: 'auto', playsinline: true });
  const result = h('video', { 'data-nv': 'result', preload: 'auto', playsinline: true, muted: true });
  const sourceEmpty = h('div', { class: 'nv-empty', text: 'Open a video to start.' });
  const resultEmpty = h('div', { class: 'nv-empty', 'data-nv': 'result-empty', text: 'Export to see the result here.' });
  const play = h('button', { 'data-nv': 'play', text: 'Play', disabled: true });
  const scrub = h('input', { type: 'range', class: 'nv-scrub', min: 0, max: 0, step: 0.04, value: 0, 'data-nv': 'scrub', disabled: true });
  const time = h('span', { class: 'nv-time', 'data-nv': 'time', text: '0:00.00 / 0:00.00' });

  // Head and export.
  const headSelect = h('select', { 'data-nv': 'head' });
  const swatches = h('span', { class: 'nv-row', 'data-nv': 'colors' });
  const resetColors = h('button', { 'data-nv': 'reset-colors', text: 'Reset colours' });
  const optCsv = h('input', { type: 'checkbox', 'data-nv': 'opt-csv', checked: true });
  const optLayer = h('input', { type: 'checkbox', 'data-nv': 'opt-layer' });
  const exportButton = h('button', { class: 'nv-primary', 'data-nv': 'export', text: 'Export', disabled: true });
  const jobBar = h('div');
  const jobStatus = h('span', { 'data-nv': 'job-status', text: '' });
  const cancelButton = h('button', { 'data-nv': 'cancel', text: 'Cancel', hidden: true });
  const jobRow = h('div', { class: 'nv-row', hidden: true }, h('div', { class: 'nv-bar', 'data-nv': 'job-bar' }, jobBar), jobStatus, cancelButton);
  const downloads = h('div', { class: 'nv-downloads', 'data-nv': 'downloads' });
  const jobsTable = h('table', { class: 'nv-jobs', 'data-nv': 'jobs' });

  root.replaceChildren(
    h(
      'div',
      { class: 'nv-tab' },
      h('div', { class: 'nv-row' }, fileButton, fileInput, pathRow, sourceInfo),
      uploadRow,
      errorBox,
      h(
        'div',
        { class: 'nv-panes' },
        h('div', { class: 'nv-pane' }, source, sourceEmpty, h('span', { class: 'nv-label', text: 'Source' })),
        h('div', { class: 'nv-pane' }, result, resultEmpty, h('span', { class: 'nv-label', text: 'Result' })),
      ),
      h('div', { class: 'nv-row' }, play, scrub, time),
      h(
        'div',
        { class: 'nv-row nv-section' },
        h('label', {}, 'Head ', headSelect),
        swatches,
        resetColors,
      ),
      h(
        'div',
        { class: 'nv-row' },
        h('label', {}, optCsv, ' track + Live Link CSV'),
        h('label', {}, optLayer, ' alpha layer (ProRes 4444, a second render pass)'),
        exportButton,
      ),
      jobRow,
      downloads,
      h('div', { class: 'nv-section' }, h('div', { class: 'nv-note', text: 'Export jobs (one runs at a time; the others wait):' }), jobsTable),
    ),
  );

  const sync = syncVideos(source, result, { play, scrub, time }, () => video?.fps ?? 25);
  (root as HTMLElement & { nogginVideoSync?: typeof sync }).nogginVideoSync = sync;

  const showError = (msg: string) => {
    errorBox.textContent = msg;
  };
  const save = () => writeStored({ video: video?.id ?? null, job: job?.id ?? null });

  // --- heads and colours
  const currentHead = () => heads.find((x) => x.name === headSelect.value) ?? null;
  const renderSwatches = () => {
    const head = currentHead();
    swatches.replaceChildren();
    if (!head) return;
    for (const [name, base] of Object.entries(head.colors)) {
      const input = h('input', { type: 'color', value: overrides[name] ?? base, 'data-color': name, title: name });
      input.addEventListener('input', () => {
        if (input.value.toLowerCase() === base.toLowerCase()) delete overrides[name];
        else overrides[name] = input.value;
      });
      swatches.append(h('label', { class: 'nv-swatch' }, input, name));
    }
    resetColors.disabled = Object.keys(head.colors).length === 0;
  };
  headSelect.addEventListener('change', () => {
    overrides = {};
    renderSwatches();
  });
  resetColors.addEventListener('click', () => {
    overrides = {};
    renderSwatches();
  });

  // --- source video
  const setVideo = (v: StudioVideo | null) => {
    video = v;
    sourceEmpty.hidden = !!v;
    if (v) {
      source.src = v.url;
      sourceInfo.textContent = `${v.name}: ${v.width}x${v.height}, ${v.fps.toFixed(2)} fps, ${v.frameCount} frames, ${(v.durationMs / 1000).toFixed(1)} s${v.hasAudio ? '' : ', no audio'}`;
    } else {
      source.removeAttribute('src');
      source.load();
      sourceInfo.textContent = 'No video open.';
    }
    exportButton.disabled = !v || !heads.length;
    if (!job || job.video !== v?.id) showResult(null);
    save();
  };

  const showResult = (url: string | null) => {
    resultEmpty.hidden = !!url;
    if (url) {
      if (!result.src.endsWith(url)) result.src = url;
    } else if (result.getAttribute('src')) {
      result.removeAttribute('src');
      result.load();
    }
  };

  fileButton.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (file) void openFile(file);
  });
  const openFile = async (file: File) => {
    showError('');
    uploading?.abort();
    const ac = new AbortController();
    uploading = ac;
    uploadRow.hidden = false;
    fileButton.disabled = true;
    uploadStatus.textContent = `Uploading ${file.name}…`;
    try {
      const v = await uploadVideo(
        file,
        (sent, total) => {
          uploadBar.style.width = `${(100 * sent) / Math.max(1, total)}%`;
          uploadStatus.textContent = sent < total ? `Uploading ${file.name}: ${mib(sent)} of ${mib(total)}` : `Checking ${file.name}…`;
        },
        ac.signal,
      );
      setVideo(v);
      uploadStatus.textContent = `Uploaded ${file.name}.`;
      uploadRow.hidden = true;
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      uploadRow.hidden = true;
      showError(describeError(e));
    } finally {
      if (uploading === ac) uploading = null;
      fileButton.disabled = false;
    }
  };
  root.addEventListener('dragover', (e) => e.preventDefault());
  root.addEventListener('drop', (e) => {
    const f = e.dataTransfer?.files?.[0];
    if (!f) return;
    e.preventDefault();
    void openFile(f);
  });
  pathButton.addEventListener('click', async () => {
    showError('');
    const p = pathInput.value.trim();
    if (!p) return showError('Type the full path of a video on the server\'s machine. Fix: e.g. /home/me/clip.mp4.');
    pathButton.disabled = true;
    try {
      setVideo(await openPath(p));
    } catch (e) {
      showError(describeError(e));
    } finally {
      pathButton.disabled = false;
    }
  });

  // --- jobs
  const stagesText = (j: StudioJob) =>
    Object.entries(j.progress.stages)
      .map(([s, p]) => `${s} ${p.done}/${p.total}`)
      .join(' · ');
  const renderJob = () => {
    if (!job) {
      jobRow.hidden = true;
      downloads.replaceChildren();
      return;
    }
    const j = job;
    jobRow.hidden = false;
    jobRow.dataset.state = j.state;
    jobBar.style.width = `${Math.round(j.progress.fraction * 1000) / 10}%`;
    const pct = `${Math.floor(j.progress.fraction * 100)}%`;
    let text = `${STATE_TEXT[j.state]} ${j.sourceName} with ${j.head}`;
    if (j.state === 'queued') text += ` (waiting for ${j.queuePosition === 0 ? 'the running job' : `${(j.queuePosition ?? 0) + 1} jobs`})`;
    if (j.state === 'running') text += `: ${pct}${stagesText(j) ? ` (${stagesText(j)})` : ''}`;
    jobStatus.textContent = text;
    cancelButton.hidden = isFinalState(j.state);
    if (j.state === 'failed' && j.error) showError(`Export failed: ${j.error.message}. Fix: ${j.error.fix}.`);
    downloads.replaceChildren(
      ...j.files.map((f) =>
        h('a', { href: f.url, download: f.name, 'data-file': f.kind }, `${f.kind === 'result' ? 'Result video' : f.kind === 'layer' ? 'Alpha layer' : f.kind === 'track' ? 'Face track' : 'Live Link CSV'} (${f.name}, ${mib(f.bytes)})`),
      ),
    );
    const res = j.files.find((f) => f.kind === 'result');
    if (video && j.video === video.id) {
      showResult(res && j.state === 'done' ? `${res.url}?inline=1` : null);
      resultEmpty.textContent =
        j.state === 'queued' ? 'Waiting for the running export…' : j.state === 'running' ? `Exporting with ${j.head}: ${pct}` : j.state === 'failed' ? 'The export failed (see the message above).' : 'Export to see the result here.';
    }
  };

  const attach = (j: StudioJob) => {
    events?.close();
    events = null;
    job = j;
    save();
    renderJob();
    if (isFinalState(j.state)) return void refreshJobs();
    const es = new EventSource(`/api/jobs/${j.id}/events`);
    events = es;
    es.addEventListener('job', (ev) => {
      const next = JSON.parse((ev as MessageEvent<string>).data) as StudioJob;
      if (job?.id !== next.id) return;
      const changed = next.state !== job.state;
      job = next;
      renderJob();
      if (changed) void refreshJobs();
      if (isFinalState(next.state)) {
        es.close();
        if (events === es) events = null;
      }
    });
    es.addEventListener('error', () => {
      // EventSource reconnects by itself; once closed for good (404, server gone), poll instead.
      if (es.readyState !== EventSource.CLOSED || events !== es) return;
      events = null;
      void fetchJob(j.id).then(
        (fresh) => attach(fresh),
        (e) => {
          if (e instanceof ApiFailure && e.status === 404) {
            job = null;
            save();
            renderJob();
          }
          showError(describeError(e));
        },
      );
    });
    void refreshJobs();
  };

  exportButton.addEventListener('click', async () => {
    if (!video) return;
    showError('');
    exportButton.disabled = true;
    try {
      const j = await submitJob({
        video: video.id,
        head: headSelect.value,
        colors: { ...overrides },
        outputs: { csv: optCsv.checked, layer: optLayer.checked },
      });
      showResult(null);
      attach(j);
    } catch (e) {
      showError(describeError(e));
    } finally {
      exportButton.disabled = !video;
    }
  });
  cancelButton.addEventListener('click', async () => {
    if (!job) return;
    cancelButton.disabled = true;
    try {
      const j = await cancelJob(job.id);
      if (job?.id === j.id) {
        job = j;
        renderJob();
      }
    } catch (e) {
      showError(describeError(e));
    } finally {
      cancelButton.disabled = false;
    }
  });

  let jobsPoll = 0;
  const refreshJobs = async () => {
    let list: StudioJob[];
    try {
      list = await fetchJobs();
    } catch {
      return;
    }
    jobsTable.replaceChildren(
      ...list.slice(0, 10).map((j) => {
        const show = h('button', { text: 'Show' });
        show.addEventListener('click', async () => {
          if (j.video !== video?.id) {
            try {
              setVideo(await fetchVideo(j.video));
            } catch (e) {
              showError(describeError(e));
            }
          }
          attach(await fetchJob(j.id));
        });
        const row = h(
          'tr',
          { 'data-job': j.id, 'data-state': j.state },
          h('td', { text: `${j.sourceName} → ${j.head}` }),
          h('td', { text: j.state === 'running' ? `${STATE_TEXT[j.state]} ${Math.floor(j.progress.fraction * 100)}%` : STATE_TEXT[j.state] }),
          h('td', {}, show),
        );
        return row;
      }),
    );
    clearTimeout(jobsPoll);
    if (list.some((j) => !isFinalState(j.state))) jobsPoll = window.setTimeout(() => void refreshJobs(), 2000);
  };

  // --- start: heads, limits, then what was open before a reload
  void (async () => {
    try {
      [heads, limits] = await Promise.all([fetchHeads(), fetchLimits()]);
    } catch (e) {
      showError(describeError(e));
      return;
    }
    headSelect.replaceChildren(...heads.map((x) => h('option', { value: x.name, text: `${x.displayName} (${x.name})` })));
    renderSwatches();
    pathRow.hidden = !limits.localPaths;
    try {
      if (stored.job) {
        const j = await fetchJob(stored.job).catch(() => null);
        if (j) {
          setVideo(await fetchVideo(j.video).catch(() => null));
          const head = heads.find((x) => x.name === j.head);
          if (head) {
            headSelect.value = head.name;
            overrides = Object.fromEntries(Object.entries(j.colors).filter(([k, c]) => head.colors[k] !== undefined && head.colors[k].toLowerCase() !== c.toLowerCase()));
            renderSwatches();
          }
          attach(j);
          return;
        }
      }
      if (stored.video) setVideo(await fetchVideo(stored.video).catch(() => null));
      void refreshJobs();
    } catch (e) {
      showError(describeError(e));
    }
  })();
}
