/** `npm run setup [-- --model FILE]`: npm packages, Chromium, ffmpeg, build, then `noggin setup`. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureAll, ROOT } from './ensure.mjs';

ensureAll({ model: false });
const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'setup', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
