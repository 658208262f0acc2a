/** `npm test`: set up what is missing, build, then run every test with node's test runner. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureAll, ROOT } from './ensure.mjs';

ensureAll();
const files = process.argv.slice(2);
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...(files.length ? files : [join(ROOT, 'dist', 'test')])], { stdio: 'inherit', cwd: ROOT });
process.exit(r.status ?? 1);
