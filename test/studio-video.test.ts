/**
 * The studio's Video tab and its jobs API, in headless Chromium against an in-process
 * bridge: bad uploads (a text file, a file over the limit) get a clear message; a clip is
 * uploaded through the page, exported, the page is reloaded mid-job and reattaches, the
 * result plays in sync with the source and its download matches what `noggin run` makes;
 * a second job queues behind the first (never two at once) and, cancelled while running,
 * leaves no output. Screenshots go to test-artifacts/studio/. Needs ../shared (skipped
 * without it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Router } from 'express';
import type { ElementHandle, Page } from 'puppeteer-core';
import type { BridgeHandle } from '../bridge/index.js';
import { launchChromium, openPage, type ChromiumHandle } from '../system/chromium.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { mountStudioVideo, type StudioJob, type StudioVideoHandle } from '../studio/server/index.js';
import { downloadName, overallFraction } from '../studio/server/job-queue.js';
import { parseErrorLine, runArgs } from '../studio/server/job-runner.js';
import { cleanFileName, uploadExtension } from '../studio/server/video-store.js';
import { countFrames, ffmpeg, runCli, SHARED, sharedVideo } from './helpers/cli.js';
import { openInVideoTab, scrubVideoTab, startStudio, untilExported, untilVideoTabSynced, type StudioTestServer } from './helpers/studio.js';

const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts', 'studio');
const LIMIT = 1024 * 1024;

let dir = '';
let clip = '';
let server: StudioTestServer | null = null;
let bridge: BridgeHandle | null = null;
let studio: StudioVideoHandle | null = null;
let chromium: ChromiumHandle | null = null;
let page: Page | null = null;

async function apiJson<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${bridge!.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (res.status === 204 ? null : await res.json()) as T };
}

const getJob = async (id: string) => (await apiJson<{ job: StudioJob }>('GET', `/api/jobs/${id}`)).json.job;

async function until<T>(what: string, ms: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const text = (sel: string) => page!.$eval(sel, (el) => el.textContent ?? '');

async function shot(name: string): Promise<void> {
  await page!.screenshot({ path: join(ARTIFACTS, name) as `${string}.png`, fullPage: true });
}

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

function frameMd5s(path: string): string {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).join('\n');
}

before(async () => {
  if (!SHARED) return;
  dir = await mkdtemp(join(tmpdir(), 'noggin-studio-video-'));
  await mkdir(ARTIFACTS, { recursive: true });
  clip = join(dir, 'talk.mp4');
  // 1 s of presenter-2 at 480x480 keeps every stage short.
  ffmpeg(['-i', sharedVideo('presenter-2.mp4'), '-t', '1', '-vf', 'scale=480:480', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac', clip]);
  await writeFile(join(dir, 'notes.txt'), 'these are meeting notes, not a video\n'.repeat(20));
  await writeFile(join(dir, 'huge.mp4'), Buffer.alloc(LIMIT + 4096, 7));
  // What `noggin serve` starts, the studio page at /.
  server = await startStudio(dir, { maxUploadMb: LIMIT / (1024 * 1024) });
  ({ bridge, studio } = server);
  chromium = await launchChromium();
  page = (await openPage(chromium, `${bridge.url}/#video`)).page;
  await page.setViewport({ width: 1100, height: 900 });
  await page.waitForFunction(() => (document.querySelector('[data-nv=head]') as HTMLSelectElement | null)?.options.length, { timeout: 20000 });
});

after(async () => {
  await chromium?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('bad uploads (not a video, too large) get a clear message in the page and the API', { skip: !SHARED }, async () => {
  const input = (await page!.$('input[data-nv=file]')) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(join(dir, 'notes.txt'));
  await page!.waitForFunction(() => /is not a video/.test(document.querySelector('[data-nv=error]')?.textContent ?? ''), { timeout: 20000 });
  const notVideo = await text('[data-nv=error]');
  assert.match(notVideo, /^"notes\.txt" is not a video \(ffprobe: .+\)\. Fix: choose a video file/);
  await shot('video-bad-upload.png');

  await input.uploadFile(join(dir, 'huge.mp4'));
  await page!.waitForFunction(() => /larger than/.test(document.querySelector('[data-nv=error]')?.textContent ?? ''), { timeout: 20000 });
  assert.match(await text('[data-nv=error]'), /^"huge\.mp4" is 1(\.0)? MiB, larger than the 1 MiB this server accepts\. Fix: .*--max-upload-mb/);
  assert.equal(await page!.$eval('[data-nv=source]', (v) => (v as HTMLVideoElement).getAttribute('src')), null, 'no video was opened');

  // The API: the size is refused before any byte is sent; a chunk past the declared size is refused too.
  const big = await apiJson<{ error: { component: string; message: string; fix: string } }>('POST', '/api/uploads', { name: 'x.mp4', bytes: LIMIT + 1 });
  assert.equal(big.status, 413);
  assert.equal(big.json.error.component, 'studio');
  const small = await apiJson<{ upload: { id: string } }>('POST', '/api/uploads', { name: 'y.mp4', bytes: 10 });
  const over = await fetch(`${bridge!.url}/api/uploads/${small.json.upload.id}?offset=0`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.alloc(20) });
  assert.equal(over.status, 413);
  assert.equal((await apiJson('GET', `/api/uploads/${small.json.upload.id}`)).status, 200, 'the upload can resume after a refused chunk');
  // Nothing of the refused uploads is left as a video.
  const vids = await apiJson<{ videos: unknown[] }>('GET', '/api/videos');
  assert.equal(vids.json.videos.length, 0);
});

test('upload, export, reload mid-job, second job queues, download matches noggin run', { skip: !SHARED }, async (t) => {
  await openInVideoTab(page!, clip, 25, 30000);
  assert.equal(await text('[data-nv=error]'), '');
  const options = await page!.$$eval('[data-nv=head] option', (os) => os.map((o) => (o as HTMLOptionElement).value));
  assert.ok(options.includes('fox') && options.includes('robot'), `shipped heads are listed: ${options.join(', ')}`);
  await page!.select('[data-nv=head]', 'fox');

  // Never two jobs running at once, sampled all through the test.
  let maxRunning = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const jobs = (await apiJson<{ jobs: StudioJob[] }>('GET', '/api/jobs').catch(() => null))?.json.jobs ?? [];
      maxRunning = Math.max(maxRunning, jobs.filter((j) => j.state === 'running').length);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  t.after(async () => {
    sampling = false;
    await sampler;
  });

  await page!.click('[data-nv=export]');
  // `noggin run` with the same options, alongside the export (same code, same assets).
  const cliOut = join(dir, 'cli.mp4');
  const tCli = Date.now();
  const cliRun = runCli(['run', clip, '--head', 'fox', '-o', cliOut]).then((r) => {
    t.diagnostic(`noggin run: ${((Date.now() - tCli) / 1000).toFixed(1)} s`);
    return r;
  });
  const jobId = await until('the page to store its job', 10000, () =>
    page!.evaluate(() => (JSON.parse(localStorage.getItem('noggin.studio.video') ?? '{}') as { job?: string }).job ?? null),
  );
  // A second export while the first runs: it waits.
  const second = (await apiJson<{ job: StudioJob }>('POST', '/api/jobs', { video: (await getJob(jobId)).video, head: 'robot', colors: { shell: '#ff0000' } })).json.job;
  assert.equal(second.state, 'queued');
  assert.equal(second.queuePosition, 0);
  assert.equal(second.colors.shell, '#ff0000');
  const profile = JSON.parse(await readFile(join(studio!.jobsDir, 'jobs', second.id, 'profile.json'), 'utf8')) as { colors: Record<string, string>; file: string };
  assert.equal(profile.colors.shell, '#ff0000', 'the recoloured profile the job renders with');
  assert.ok(existsSync(profile.file));

  // Reload once the first job shows progress; the page must reattach to the same job.
  await page!.waitForFunction(() => /\((capture|render|composite) [1-9]/.test(document.querySelector('[data-nv=job-status]')?.textContent ?? ''), { timeout: 240000, polling: 100 });
  const before = await getJob(jobId);
  assert.equal(before.state, 'running');
  await page!.reload({ waitUntil: 'load' });
  await page!.waitForFunction(() => /^Exporting .*\((capture|render|composite) [1-9]|^Done/.test(document.querySelector('[data-nv=job-status]')?.textContent ?? ''), { timeout: 20000, polling: 100 });
  const stored = await page!.evaluate(() => JSON.parse(localStorage.getItem('noggin.studio.video') ?? '{}') as { job?: string });
  assert.equal(stored.job, jobId, 'the reloaded page shows the same job');
  if ((await getJob(jobId)).state === 'running') await shot('video-reattached.png');
  assert.equal((await getJob(second.id)).state, 'queued', 'the second job waits while the first runs');

  // Progress continues in the reloaded page until the job is done.
  await untilExported(page!, 400000);
  const done = await getJob(jobId);
  assert.equal(done.state, 'done');
  assert.equal(done.progress.fraction, 1);
  t.diagnostic(`export job: ${((done.finishedAt! - done.startedAt!) / 1000).toFixed(1)} s`);
  assert.ok(done.progress.fraction > before.progress.fraction);
  assert.deepEqual(done.files.map((f) => f.kind).sort(), ['csv', 'result', 'track']);
  assert.match(await text('[data-nv=job-status]'), /^Done talk\.mp4 with fox/);

  // Source and result side by side, in sync when scrubbed and after playing.
  assert.ok(Math.abs((await scrubVideoTab(page!, 0.52)) - 0.52) < 0.05);
  await shot('video-done.png');
  await page!.click('[data-nv=play]');
  await page!.waitForFunction(() => (document.querySelector('[data-nv=source]') as HTMLVideoElement).currentTime > 0.7, { timeout: 20000 });
  await page!.$eval('[data-nv=source]', (v) => (v as HTMLVideoElement).pause());
  await untilVideoTabSynced(page!);

  // The second job starts once the first is done; cancelled while running, it leaves no output.
  await until('the second job to start', 120000, async () => (await getJob(second.id)).state === 'running');
  await until('the second job to make progress', 240000, async () => Object.keys((await getJob(second.id)).progress.stages).length > 0);
  const cancelled = (await apiJson<{ job: StudioJob }>('POST', `/api/jobs/${second.id}/cancel`)).json.job;
  assert.equal(cancelled.state, 'cancelled');
  assert.equal(existsSync(join(studio!.jobsDir, 'jobs', second.id, 'out')), false, 'a cancelled job leaves no output');
  sampling = false;
  await sampler;
  assert.equal(maxRunning, 1, 'one job runs at a time');

  // Downloads: the result is the file `noggin run` makes with the same options; track and CSV come with it.
  const link = await page!.$eval('[data-nv=downloads] a[data-file=result]', (a) => (a as HTMLAnchorElement).getAttribute('href'));
  const res = await fetch(`${bridge!.url}${link}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="?talk\.fox\.mp4"?$/);
  const downloaded = Buffer.from(await res.arrayBuffer());
  const fromPage = join(dir, 'from-page.mp4');
  await writeFile(fromPage, downloaded);
  const r = await cliRun;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(countFrames(fromPage), 25);
  assert.equal(countFrames(fromPage), countFrames(cliOut));
  assert.equal(frameMd5s(fromPage), frameMd5s(cliOut), 'the same frames as noggin run');
  assert.equal(md5(downloaded), md5(await readFile(cliOut)), 'byte-identical to noggin run');

  const track = await (await fetch(`${bridge!.url}/api/jobs/${jobId}/files/track`)).text();
  assert.match(track.trim().split('\n').pop() ?? '', /^\{"end":true,"frames":25\}$/);
  const csv = await (await fetch(`${bridge!.url}/api/jobs/${jobId}/files/csv`)).text();
  assert.match(csv, /^Timecode,BlendShapeCount,EyeBlinkLeft/);
  assert.ok(csv.trim().split('\n').length > 10);

  // Nothing half-written is left in the job folders.
  for (const id of [jobId, second.id]) {
    const files = await readdir(join(studio!.jobsDir, 'jobs', id), { recursive: true });
    assert.deepEqual(files.filter((f) => String(f).includes('.tmp')), []);
  }
  assert.ok((await stat(join(studio!.jobsDir, 'jobs', jobId, 'job.json'))).size > 0);
});

test('a restarted server finishes what the last one left: stale uploads removed, a running job marked failed', { skip: !SHARED }, async () => {
  const jobsDir = join(dir, 'restart');
  const vid = 'aaaaaaaaaaaaaaaa';
  const stale = 'bbbbbbbbbbbbbbbb';
  const job = 'cccccccccccccccc';
  await mkdir(join(jobsDir, 'videos', vid), { recursive: true });
  await mkdir(join(jobsDir, 'videos', stale), { recursive: true });
  await mkdir(join(jobsDir, 'jobs', job, 'out'), { recursive: true });
  const video = { id: vid, name: 'talk.mp4', origin: 'path', bytes: 1, width: 480, height: 480, fps: 25, frameCount: 25, durationMs: 1000, hasAudio: true, codec: 'h264', url: `/api/videos/${vid}/file`, createdAt: 1, file: clip };
  await writeFile(join(jobsDir, 'videos', vid, 'video.json'), JSON.stringify(video));
  await writeFile(join(jobsDir, 'videos', stale, '.upload.part'), 'half an upload');
  await writeFile(join(jobsDir, 'jobs', job, 'out', '.result.mp4.123.tmp'), 'partial');
  await writeFile(
    join(jobsDir, 'jobs', job, 'job.json'),
    JSON.stringify({
      id: job, state: 'running', video: vid, sourceName: 'talk.mp4', sourceFile: clip, head: 'fox', colors: {}, crf: 18, preset: 'veryfast', antialias: true,
      outputs: { layer: false, csv: true }, profilePath: null, stage: 'render', stages: { capture: { done: 25, total: 25 } }, error: null, files: [], createdAt: 1, startedAt: 2, finishedAt: null,
    }),
  );
  const s = await mountStudioVideo({ api: Router(), options: { maxBodyBytes: 65536 } }, { jobsDir, installCleanup: false });
  try {
    assert.deepEqual(s.videos.list().map((v) => v.id), [vid]);
    assert.equal(existsSync(join(jobsDir, 'videos', stale)), false, 'an unfinished upload is removed');
    const j = s.jobs.get(job);
    assert.equal(j.state, 'failed');
    assert.match(j.error?.message ?? '', /server stopped while this job ran/);
    assert.equal(existsSync(join(jobsDir, 'jobs', job, 'out')), false, 'its partial output is removed');
    const onDisk = JSON.parse(await readFile(join(jobsDir, 'jobs', job, 'job.json'), 'utf8')) as { state: string };
    assert.equal(onDisk.state, 'failed');
  } finally {
    await s.close();
  }
});

test('job helpers: error lines, progress, names', async () => {
  assert.deepEqual(parseErrorLine('log line\nnoggin run: no face was found in any of the 25 frames of x.mp4. Fix: use a clip where a face is visible.\n'), {
    component: 'run',
    message: 'no face was found in any of the 25 frames of x.mp4',
    fix: 'use a clip where a face is visible',
  });
  assert.equal(parseErrorLine('Segmentation fault'), null);
  assert.ok(Math.abs(overallFraction({ capture: { done: 25, total: 25 }, render: { done: 5, total: 25 } }, ['capture', 'render', 'composite']) - 0.4) < 1e-9);
  assert.equal(downloadName('my talk (final).MOV', 'fox', 'result'), 'my_talk_final_.fox.mp4');
  assert.equal(cleanFileName('C:\\Users\\me\\"clip".mp4'), 'clip.mp4');
  assert.equal(uploadExtension('a.tar.gz.exe-long'), '.video');
  const args = runArgs({ source: '/v.mp4', head: 'fox', profilePath: null, crf: 18, preset: 'veryfast', antialias: true, layer: false, csv: true, outDir: '/o' });
  assert.deepEqual(args.slice(0, 6), ['run', '/v.mp4', '--head', 'fox', '-o', '/o/result.mp4']);
  assert.ok(!args.includes('--no-antialias') && !args.includes('--profile'));
});
