/** `npm run bench`: runs every benchmark under bench/ that exists, one after another. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_FLAGS } from '../system/node-flags.js';
import { PROJECT_ROOT } from '../system/paths.js';

const only = process.argv.slice(2);
for (const name of ['capture', 'bridge', 'render', 'run', 'live']) {
  if (only.length && !only.includes(name)) continue;
  const file = join(PROJECT_ROOT, 'dist', 'bench', `${name}.js`);
  if (!existsSync(file)) continue;
  process.stdout.write(`== bench/${name}\n`);
  const r = spawnSync(process.execPath, [...NODE_FLAGS, file], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
