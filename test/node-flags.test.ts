import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NODE_FLAGS } from '../system/node-flags.js';
import { PROJECT_ROOT } from '../system/paths.js';

test('the noggin shebang starts Node with NODE_FLAGS', () => {
  const first = readFileSync(join(PROJECT_ROOT, 'cli', 'main.ts'), 'utf8').split('\n')[0];
  assert.equal(first, `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  const built = readFileSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'), 'utf8').split('\n')[0];
  assert.equal(built, first, 'the build keeps the shebang');
});
