/**
 * Bundles the browser pages (capture landmarker page, render page, ...) with esbuild into
 * dist/pages/<name>.js plus a minimal <name>.html each. Run by `npm run build`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PAGES_DIR, PROJECT_ROOT } from '../system/paths.js';

/** Page name -> entry module (TypeScript source, relative to the project root). */
export const PAGE_ENTRIES: Readonly<Record<string, string>> = {
  capture: 'capture/page/landmarker-page.ts',
  render: 'render/page/render-page.ts',
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
}

await main();
