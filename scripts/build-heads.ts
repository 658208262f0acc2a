/**
 * Rebuilds every shipped mascot: assets/heads/NAME.glb + NAME.json, and the VRM avatars
 * assets/vrm/NAME.vrm + NAME.json. Run after `npx tsc -p .`:
 *   node dist/scripts/build-heads.js [--only NAME[,NAME]]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildHead } from './heads/head.js';
import { buildVrm } from './heads/vrm.js';
import { MASCOTS, VRMS } from './heads/mascots/index.js';
import { parseHeadProfile } from '../core/head-profile.js';
import { findProjectRoot } from '../core/head-catalog.js';

function writeProfile(path: string, profile: unknown): void {
  parseHeadProfile(profile);
  // Short arrays on one line keep the profiles readable.
  const text = JSON.stringify(profile, null, 2).replace(/\[\s+([-\d.,\s]+?)\s+\]/g, (_m, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`);
  writeFileSync(path, text + '\n');
}

async function main(): Promise<void> {
  const root = findProjectRoot();
  const onlyArg = process.argv.indexOf('--only');
  const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : null;
  const headsDir = join(root, 'assets', 'heads');
  const vrmDir = join(root, 'assets', 'vrm');
  mkdirSync(headsDir, { recursive: true });
  mkdirSync(vrmDir, { recursive: true });
  for (const spec of MASCOTS) {
    if (only && !only.has(spec.name)) continue;
    const t0 = Date.now();
    const built = await buildHead(spec);
    writeFileSync(join(headsDir, `${spec.name}.glb`), built.glb);
    writeProfile(join(headsDir, `${spec.name}.json`), built.profile);
    console.log(`heads/${spec.name}.glb: ${(built.glb.byteLength / 1024).toFixed(0)} KiB, ${built.stats.vertices} vertices, ${built.stats.triangles} triangles (${Date.now() - t0} ms)`);
  }
  for (const spec of VRMS) {
    if (only && !only.has(spec.name)) continue;
    const t0 = Date.now();
    const built = await buildVrm(spec);
    writeFileSync(join(vrmDir, `${spec.name}.vrm`), built.bytes);
    writeProfile(join(vrmDir, `${spec.name}.json`), built.profile);
    console.log(`vrm/${spec.name}.vrm: ${(built.bytes.byteLength / 1024).toFixed(0)} KiB, VRM ${spec.version} (${Date.now() - t0} ms)`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
