/** `npm start -- ARGS`: set up what is missing, build, then run `noggin ARGS`. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureAll, ROOT } from './ensure.mjs';

const args = process.argv.slice(2);
ensureAll({ model: args[0] !== 'setup' });
const { NODE_FLAGS } = await import('../dist/system/node-flags.js');
const r = spawnSync(process.execPath, [...NODE_FLAGS, join(ROOT, 'dist', 'cli', 'main.js'), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
