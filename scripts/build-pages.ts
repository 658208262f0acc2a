/**
 * Bundles the browser pages (capture landmarker page, render page, ...) with esbuild into
 * dist/pages/<name>.js plus a minimal <name>.html each. Run by `npm run build`.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PAGES_DIR, PROJECT_ROOT } from '../system/paths.js';

/** Page name -> entry module (TypeScript source, relative to the project root). */
export const PAGE_ENTRIES: Readonly<Record<string, string>> = {
  capture: 'capture/page/landmarker-page.ts',
  render: 'render/page/render-page.ts',
  studio: 'studio/page/studio-page.ts',
};

/** Files copied beside the bundles: URL path under /pages -> source (the Basis transcoder of render/loaders/ktx2.ts). */
export const PAGE_ASSETS: Readonly<Record<string, string>> = {
  'basis/basis_transcoder.js': 'node_modules/three/examples/jsm/libs/basis/basis_transcoder.js',
  'basis/basis_transcoder.wasm': 'node_modules/three/examples/jsm/libs/basis/basis_transcoder.wasm',
};

async function main(): Promise<void> {
  await mkdir(PAGES_DIR, { recursive: true });
  for (const [name, entry] of Object.entries(PAGE_ENTRIES)) {
    const src = join(PROJECT_ROOT, entry);
    if (!existsSync(src)) continue;
    await build({
      entryPoints: [src],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      outfile: join(PAGES_DIR, `${name}.js`),
      sourcemap: true,
      minify: true,
      logLevel: 'warning',
    });
    await writeFile(
      join(PAGES_DIR, `${name}.html`),
      `<!doctype html><html><head><meta charset="utf-8"><title>noggin ${name}</title>` +
        `<style>html,body{margin:0;background:transparent}</style></head>` +
        `<body><script type="module" src="/pages/${name}.js"></script></body></html>\n`,
    );
  }
  for (const [to, from] of Object.entries(PAGE_ASSETS)) {
    await mkdir(join(PAGES_DIR, to, '..'), { recursive: true });
    await copyFile(join(PROJECT_ROOT, from), join(PAGES_DIR, to));
  }
}

await main();
