/**
 * Renders a contact sheet PNG per shipped head into docs/heads/NAME.png: neutral, then
 * every ARKit blendshape at 1.0 (glTF mascots) or every expression preset at 1.0 (VRMs),
 * each cell labelled, the head turned 20 degrees so jaw and cheek shapes read. Uses the
 * project's renderer (RendererClient, align none, default materials); the profile's
 * retarget gains are left out so each cell shows the morph itself. A VRM is rendered
 * through the glTF loader from a copy of its file, its presets being the morph target
 * binds its VRM extension declares (the VRM loader drives presets from scores, never one
 * preset alone). Run after `npx tsc -p .`:
 *   node dist/scripts/head-sheets.js [--only NAME[,NAME]] [--out DIR] [--view head|face]
 * (`--view face` frames eyes to chin, for a close look; the committed sheets use `head`).
 */
import { copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NogginError } from '../core/errors.js';
import { findProjectRoot, listHeads, type HeadEntry } from '../core/head-catalog.js';
import { encodePng } from '../composite/png.js';
import { launchChromium, openPage, type ChromiumHandle } from '../system/chromium.js';
import { startPageHost } from '../system/page-host.js';
import { RendererClient, type RenderedFrame } from '../render/renderer-client.js';
import { headHostFiles, resolveHead } from '../render/head-source.js';
import type { TrackFrame } from '../core/track.js';
import { LANDMARK_FLOATS } from '../core/landmarks.js';
import { SHEET_VIEWS, arkitCells, sheetMatrix, vrmPresetCells, type SheetCell, type SheetView } from './heads/sheet-cells.js';
import { sheetHtml, sheetSize, type SheetImage, type SheetLayout } from './heads/sheet-html.js';

const COLUMNS = 8;

async function* frames(cells: readonly SheetCell[], view: SheetView): AsyncGenerator<TrackFrame> {
  const matrix = sheetMatrix(view);
  const landmarks = new Float32Array(LANDMARK_FLOATS).fill(0.5);
  for (let i = 0; i < cells.length; i++) {
    yield { frame: i, timeMs: i * 40, face: { matrix, blendshapes: cells[i].scores, landmarks } };
  }
}

/** Renders every cell of one head; returns the cells as PNG bytes. */
async function renderCells(chromium: ChromiumHandle, entry: HeadEntry, work: string, view: SheetView): Promise<{ images: SheetImage[]; what: string }> {
  let model = entry.file;
  let cells: SheetCell[];
  let what: string;
  if (entry.kind === 'vrm') {
    cells = vrmPresetCells(entry.file);
    model = join(work, `${entry.name}.glb`);
    await copyFile(entry.file, model);
    what = `neutral + ${cells.length - 1} expression presets at 1.0 (the file's morph binds)`;
  } else {
    cells = arkitCells();
    what = `neutral + ${cells.length - 1} ARKit blendshapes at 1.0`;
  }
  // The head's own profile (anchor, colours, bounds) read as a glTF head's, without its
  // retarget gains: each cell shows the morph itself.
  const profilePath = join(work, `${entry.name}.json`);
  await writeFile(profilePath, JSON.stringify({ ...entry.profile, kind: 'glb', file: model, retarget: undefined }));
  const head = await resolveHead(model, { profilePath });
  const host = await startPageHost({ files: headHostFiles(head) });
  try {
    const renderer = await RendererClient.open(chromium, host, {
      head,
      frameWidth: view.width,
      frameHeight: view.height,
      verticalFovDeg: view.verticalFovDeg,
      fullFrame: true,
      align: 'none',
    });
    const out: RenderedFrame[] = [];
    try {
      for await (const f of renderer.render(frames(cells, view))) out.push(f);
    } finally {
      await renderer.close();
    }
    const images = out.map((f, i) => {
      const rgba = new Uint8Array(view.width * view.height * 4);
      const c = f.crop;
      if (c) {
        for (let y = 0; y < c.height; y++) {
          const ty = c.y + y;
          if (ty < 0 || ty >= view.height) continue;
          rgba.set(c.rgba.subarray(y * c.width * 4, (y + 1) * c.width * 4), (ty * view.width + c.x) * 4);
        }
      }
      return { label: cells[i].label, png: encodePng(rgba, view.width, view.height) };
    });
    return { images, what };
  } finally {
    await host.close();
  }
}

/** Lays the cells out in a page and writes its screenshot to `path` (temp name + rename). */
async function writeSheet(chromium: ChromiumHandle, path: string, title: string, subtitle: string, images: SheetImage[], layout: SheetLayout): Promise<number> {
  const { page } = await openPage(chromium, 'data:text/html,<title>sheet</title>');
  try {
    const size = sheetSize(images.length, layout);
    await page.setViewport({ width: size.width, height: size.height, deviceScaleFactor: 1 });
    await page.setContent(sheetHtml(title, subtitle, images, layout), { waitUntil: 'load' });
    const png = await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: size.width, height: size.height } });
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, png);
    await rename(tmp, path);
    return png.byteLength;
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  let values: { only?: string; out?: string; view?: string };
  try {
    ({ values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' }, view: { type: 'string', default: 'head' } } }));
  } catch (e) {
    throw new NogginError('sheets', (e as Error).message.replace(/\.$/, ''), 'use --only NAME[,NAME], --out DIR, --view head|face', 2);
  }
  const view = SHEET_VIEWS[values.view!];
  if (!view) throw new NogginError('sheets', `no view named ${values.view}`, `use one of ${Object.keys(SHEET_VIEWS).join(', ')}`);
  const layout: SheetLayout = { columns: COLUMNS, cellWidth: view.width, cellHeight: view.height };
  const root = findProjectRoot();
  const outDir = resolve(values.out ?? join(root, 'docs', 'heads'));
  const heads = listHeads(root);
  const only = values.only ? new Set(values.only.split(',')) : null;
  if (only) {
    const unknown = [...only].filter((n) => !heads.some((h) => h.name === n));
    if (unknown.length) throw new NogginError('sheets', `no shipped head named ${unknown.join(', ')}`, `use one of ${heads.map((h) => h.name).join(', ')}`);
  }
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'noggin-sheets-'));
  const chromium = await launchChromium();
  try {
    for (const entry of heads) {
      if (only && !only.has(entry.name)) continue;
      const t0 = Date.now();
      const { images, what } = await renderCells(chromium, entry, work, view);
      const path = join(outDir, `${entry.name}.png`);
      const title = `${entry.displayName} (${entry.name}, ${entry.kind === 'vrm' ? 'VRM' : 'glTF'})`;
      const subtitle = `${what}; turned ${view.yawDeg} degrees, noggin's renderer (align none); rebuilt by npm run build:heads`;
      const bytes = await writeSheet(chromium, path, title, subtitle, images, layout);
      console.log(`${relative(root, path)}: ${images.length} cells, ${(bytes / 1024).toFixed(0)} KiB (${Date.now() - t0} ms)`);
    }
  } finally {
    await chromium.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof NogginError ? err.oneLine() : err instanceof Error ? err.stack : err);
  process.exit(err instanceof NogginError ? err.exitCode : 1);
});
