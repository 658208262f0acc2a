/**
 * The render stage's engine reads the heads: Babylon.js's glTF loader (here on a
 * NullEngine, no GPU) loads every shipped .glb and .vrm, and every morphing mesh comes out
 * with the 51 ARKit targets under their exact names, with the displacements we wrote.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { ImportMeshAsync } from '@babylonjs/core/Loading/sceneLoader.js';
import { Logger } from '@babylonjs/core/Misc/logger.js';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import '@babylonjs/core/Morph/morphTargetManager.js';
import '@babylonjs/loaders/glTF/2.0/index.js';
import { ARKIT_BLENDSHAPES } from '../core/blendshapes.js';
import { findProjectRoot, listHeads } from '../core/head-catalog.js';

Logger.LogLevels = Logger.ErrorLogLevel;
const root = findProjectRoot();

for (const head of listHeads(root)) {
  test(`${head.name}: Babylon.js loads it with all 51 ARKit morph targets`, async () => {
    const engine = new NullEngine();
    const scene = new Scene(engine);
    try {
      const res = await ImportMeshAsync(new Uint8Array(readFileSync(head.file)), scene, { pluginExtension: '.glb' });
      const morphing = res.meshes.filter((m: AbstractMesh) => m.morphTargetManager);
      assert.ok(morphing.length > 0, 'some mesh has morph targets');
      let jawMax = 0;
      for (const m of morphing) {
        const mtm = m.morphTargetManager!;
        const names = Array.from({ length: mtm.numTargets }, (_, i) => mtm.getTarget(i).name);
        assert.deepEqual(names, [...ARKIT_BLENDSHAPES], m.name);
        const base = m.getVerticesData('position')!;
        const jaw = mtm.getTarget(ARKIT_BLENDSHAPES.indexOf('jawOpen')).getPositions()!;
        for (let i = 0; i < base.length; i++) jawMax = Math.max(jawMax, Math.abs(jaw[i] - base[i]));
      }
      // jawOpen moves the chin by centimetres (files in cm) or by that many hundredths of a metre (VRM).
      const scaleCm = head.profile.anchor.unitsPerCm;
      assert.ok(jawMax / scaleCm > 2 && jawMax / scaleCm < 10, `jawOpen moves up to ${(jawMax / scaleCm).toFixed(2)} cm`);
      if (head.kind === 'vrm') assert.equal(res.skeletons.length, 1, 'a VRM carries its humanoid skeleton');
    } finally {
      scene.dispose();
      engine.dispose();
    }
  });
}
