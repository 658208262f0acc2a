/**
 * The VRM avatars: valid glTF (Khronos validator, no errors), and their VRM extension
 * follows the specification it claims: VRMC_vrm 1.0 (model faces +z) or VRM 0.x (faces -z):
 * required humanoid bones in the right hierarchy with no rotation or scale, meta fields,
 * the full expression preset set bound to existing morph targets, look-at and first-person
 * settings, and a valid noggin profile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ARKIT_BLENDSHAPES } from '../core/blendshapes.js';
import { findProjectRoot, listHeads, readGlbJson, resolveHead } from '../core/head-catalog.js';
import { headToCanonical } from '../core/head-profile.js';

const require = createRequire(import.meta.url);
const validator = require('gltf-validator') as {
  validateBytes(data: Uint8Array, opts?: object): Promise<{ issues: { numErrors: number; messages: { code: string; severity: number; message: string }[] } }>;
};

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const VRM1_REQUIRED = [
  'hips', 'spine', 'head', 'leftUpperLeg', 'leftLowerLeg', 'leftFoot', 'rightUpperLeg', 'rightLowerLeg', 'rightFoot',
  'leftUpperArm', 'leftLowerArm', 'leftHand', 'rightUpperArm', 'rightLowerArm', 'rightHand',
];
const VRM0_REQUIRED = [...VRM1_REQUIRED, 'chest', 'neck'];
/** Humanoid parent of each bone (VRM 1.0 humanoid.md); optional parents are skipped upward. */
const PARENT: Record<string, string> = {
  spine: 'hips', chest: 'spine', upperChest: 'chest', neck: 'upperChest', head: 'neck',
  leftShoulder: 'upperChest', leftUpperArm: 'leftShoulder', leftLowerArm: 'leftUpperArm', leftHand: 'leftLowerArm',
  rightShoulder: 'upperChest', rightUpperArm: 'rightShoulder', rightLowerArm: 'rightUpperArm', rightHand: 'rightLowerArm',
  leftUpperLeg: 'hips', leftLowerLeg: 'leftUpperLeg', leftFoot: 'leftLowerLeg',
  rightUpperLeg: 'hips', rightLowerLeg: 'rightUpperLeg', rightFoot: 'rightLowerLeg',
};
const VRM1_PRESETS = ['happy', 'angry', 'sad', 'relaxed', 'surprised', 'aa', 'ih', 'ou', 'ee', 'oh', 'blink', 'blinkLeft', 'blinkRight', 'lookUp', 'lookDown', 'lookLeft', 'lookRight', 'neutral'];
const VRM0_PRESETS = ['neutral', 'a', 'i', 'u', 'e', 'o', 'blink', 'joy', 'angry', 'sorrow', 'fun', 'lookup', 'lookdown', 'lookleft', 'lookright', 'blink_l', 'blink_r'];

function parents(json: Json): Map<number, number> {
  const m = new Map<number, number>();
  (json.nodes as Json[]).forEach((n, i) => (n.children ?? []).forEach((c: number) => m.set(c, i)));
  return m;
}

function worldPos(json: Json, node: number, par: Map<number, number>): [number, number, number] {
  const p: [number, number, number] = [0, 0, 0];
  for (let n: number | undefined = node; n !== undefined; n = par.get(n)) {
    const t = json.nodes[n].translation ?? [0, 0, 0];
    p[0] += t[0];
    p[1] += t[1];
    p[2] += t[2];
  }
  return p;
}

/** Checks the humanoid: bones exist, are unique, follow the parent table, have no rotation/scale. */
function checkHumanoid(json: Json, bones: Map<string, number>, required: string[]): void {
  for (const b of required) assert.ok(bones.has(b), `missing required bone ${b}`);
  assert.equal(new Set(bones.values()).size, bones.size, 'bones must be unique');
  const par = parents(json);
  const byNode = new Map([...bones].map(([k, v]) => [v, k]));
  for (const [bone, node] of bones) {
    const n = json.nodes[node];
    assert.ok(n, `${bone}: node ${node} exists`);
    assert.equal(n.rotation, undefined, `${bone} has no rotation`);
    assert.equal(n.scale, undefined, `${bone} has no scale`);
    assert.equal(n.matrix, undefined, `${bone} uses TRS`);
    if (bone === 'hips') continue;
    // Nearest humanoid ancestor must be the expected parent, or its nearest existing ancestor.
    let expected: string | undefined = PARENT[bone];
    while (expected && !bones.has(expected)) expected = PARENT[expected];
    let a = par.get(node);
    while (a !== undefined && !byNode.has(a)) a = par.get(a);
    assert.equal(a !== undefined ? byNode.get(a) : undefined, expected, `${bone}'s humanoid parent`);
  }
}

function morphMeshOfNode(json: Json, node: number): Json {
  const mesh = json.meshes[json.nodes[node].mesh];
  assert.ok(mesh, `node ${node} has a mesh`);
  return mesh;
}

const root = findProjectRoot();
const vrms = listHeads(root).filter((h) => h.kind === 'vrm');

test('at least one VRM 1.0 and one VRM 0.x avatar ship', () => {
  const versions = vrms.map((h) => {
    const ext = readGlbJson(h.file).extensions ?? {};
    return (ext as Json).VRMC_vrm ? '1.0' : (ext as Json).VRM ? '0.x' : 'none';
  });
  assert.ok(versions.includes('1.0'), versions.join());
  assert.ok(versions.includes('0.x'), versions.join());
});

for (const head of vrms) {
  const bytes = new Uint8Array(readFileSync(head.file));
  const json: Json = readGlbJson(head.file);

  test(`${head.name}: Khronos glTF validator reports no errors`, async () => {
    const report = await validator.validateBytes(bytes, { maxIssues: 50 });
    assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.filter((m) => m.severity === 0).slice(0, 5)));
  });

  test(`${head.name}: profile resolves and maps the face into canonical space`, () => {
    const e = resolveHead(head.name, root);
    assert.equal(e.kind, 'vrm');
    assert.equal(e.file, head.file);
    // The head bone sits in the neck below the canonical origin, on the midline.
    const bones = json.extensions.VRMC_vrm
      ? new Map(Object.entries(json.extensions.VRMC_vrm.humanoid.humanBones).map(([k, v]: [string, Json]) => [k, v.node as number]))
      : new Map((json.extensions.VRM.humanoid.humanBones as Json[]).map((b) => [b.bone as string, b.node as number]));
    const par = parents(json);
    const headAt = headToCanonical(e.profile, worldPos(json, bones.get('head')!, par));
    assert.ok(Math.abs(headAt[0]) < 0.01 && headAt[1] < 0 && headAt[1] > -20, `head bone at ${headAt}`);
    // The subject's left arm maps to canonical +x whatever way the file faces.
    const arm = headToCanonical(e.profile, worldPos(json, bones.get('leftUpperArm')!, par));
    assert.ok(arm[0] > 5, `left upper arm at canonical ${arm}`);
  });

  if (json.extensions?.VRMC_vrm) {
    test(`${head.name}: VRMC_vrm 1.0 follows the specification`, () => {
      const vrm = json.extensions.VRMC_vrm;
      assert.ok(json.extensionsUsed.includes('VRMC_vrm'));
      assert.equal(vrm.specVersion, '1.0');
      // meta
      assert.ok(vrm.meta.name && Array.isArray(vrm.meta.authors) && vrm.meta.authors[0]);
      assert.equal(vrm.meta.licenseUrl, 'https://vrm.dev/licenses/1.0/');
      assert.ok(['onlyAuthor', 'onlySeparatelyLicensedPerson', 'everyone'].includes(vrm.meta.avatarPermission));
      assert.ok(['personalNonProfit', 'personalProfit', 'corporation'].includes(vrm.meta.commercialUsage));
      assert.ok(['required', 'unnecessary'].includes(vrm.meta.creditNotation));
      assert.ok(['prohibited', 'allowModification', 'allowModificationRedistribution'].includes(vrm.meta.modification));
      // humanoid
      const bones = new Map(Object.entries(vrm.humanoid.humanBones).map(([k, v]: [string, Json]) => [k, v.node as number]));
      checkHumanoid(json, bones, VRM1_REQUIRED);
      const par = parents(json);
      assert.ok(worldPos(json, bones.get('leftUpperArm')!, par)[0] > 0, 'VRM 1.0: the left arm is at +x');
      assert.ok(worldPos(json, bones.get('leftFoot')!, par)[1] < 0.2, 'feet near the ground');
      // expressions: the full preset set, bound to existing morph targets of mesh nodes
      const presets = vrm.expressions.preset;
      assert.deepEqual(Object.keys(presets).sort(), [...VRM1_PRESETS].sort());
      for (const [name, e] of Object.entries(presets) as [string, Json][]) {
        for (const k of ['overrideBlink', 'overrideLookAt', 'overrideMouth']) assert.ok(['none', 'block', 'blend'].includes(e[k]), `${name}.${k}`);
        assert.equal(typeof e.isBinary, 'boolean');
        if (name !== 'neutral') assert.ok(e.morphTargetBinds.length > 0, `${name} binds something`);
        for (const b of e.morphTargetBinds) {
          const mesh = morphMeshOfNode(json, b.node);
          assert.ok(b.index >= 0 && b.index < mesh.primitives[0].targets.length, `${name}: morph index ${b.index}`);
          assert.ok(b.weight >= 0 && b.weight <= 1, `${name}: weight ${b.weight} in [0,1]`);
        }
      }
      // the morph targets behind lookLeft are the avatar's own left
      const names: string[] = morphMeshOfNode(json, presets.lookLeft.morphTargetBinds[0].node).extras.targetNames;
      assert.deepEqual(names, [...ARKIT_BLENDSHAPES]);
      const lookLeft = presets.lookLeft.morphTargetBinds.map((b: Json) => names[b.index]).sort();
      assert.deepEqual(lookLeft, ['eyeLookInRight', 'eyeLookOutLeft']);
      // lookAt and firstPerson
      assert.ok(['bone', 'expression'].includes(vrm.lookAt.type));
      assert.equal(vrm.lookAt.offsetFromHeadBone.length, 3);
      for (const k of ['rangeMapHorizontalInner', 'rangeMapHorizontalOuter', 'rangeMapVerticalDown', 'rangeMapVerticalUp']) {
        assert.ok(vrm.lookAt[k].inputMaxValue > 0 && vrm.lookAt[k].outputScale > 0, k);
      }
      for (const a of vrm.firstPerson.meshAnnotations) {
        assert.ok(json.nodes[a.node].mesh !== undefined, 'annotation points at a mesh node');
        assert.ok(['auto', 'both', 'thirdPersonOnly', 'firstPersonOnly'].includes(a.type));
      }
    });
  } else {
    test(`${head.name}: VRM 0.x extension follows the specification`, () => {
      const vrm = json.extensions.VRM;
      assert.ok(vrm, 'has extensions.VRM');
      assert.ok(json.extensionsUsed.includes('VRM'));
      assert.equal(vrm.specVersion, '0.0');
      const m = vrm.meta;
      assert.ok(m.title && m.author);
      assert.ok(['OnlyAuthor', 'ExplicitlyLicensedPerson', 'Everyone'].includes(m.allowedUserName));
      for (const k of ['violentUssageName', 'sexualUssageName', 'commercialUssageName']) assert.ok(['Disallow', 'Allow'].includes(m[k]), k);
      assert.ok(['Redistribution_Prohibited', 'CC0', 'CC_BY', 'CC_BY_NC', 'CC_BY_SA', 'CC_BY_NC_SA', 'CC_BY_ND', 'CC_BY_NC_ND', 'Other'].includes(m.licenseName));
      const bones = new Map((vrm.humanoid.humanBones as Json[]).map((b) => [b.bone as string, b.node as number]));
      checkHumanoid(json, bones, VRM0_REQUIRED);
      const par = parents(json);
      assert.ok(worldPos(json, bones.get('leftUpperArm')!, par)[0] < 0, 'VRM 0.x faces -z: the left arm is at -x');
      // blend shape groups: every preset, binds by mesh index with weights 0..100
      const groups: Json[] = vrm.blendShapeMaster.blendShapeGroups;
      const presetNames = groups.map((g) => g.presetName);
      for (const p of VRM0_PRESETS) assert.ok(presetNames.includes(p), `preset ${p}`);
      for (const g of groups) {
        assert.ok(g.name, 'group has a name');
        for (const b of g.binds) {
          const mesh = json.meshes[b.mesh];
          assert.ok(mesh && b.index >= 0 && b.index < mesh.primitives[0].targets.length, `${g.name}: bind`);
          assert.ok(b.weight >= 0 && b.weight <= 100, `${g.name}: weight ${b.weight} in [0,100]`);
        }
      }
      const fp = vrm.firstPerson;
      assert.equal(fp.firstPersonBone, bones.get('head'));
      assert.ok(['Bone', 'BlendShape'].includes(fp.lookAtTypeName));
      for (const a of fp.meshAnnotations) assert.ok(json.meshes[a.mesh] && ['Auto', 'FirstPersonOnly', 'ThirdPersonOnly', 'Both'].includes(a.firstPersonFlag));
      assert.equal(vrm.materialProperties.length, json.materials.length);
      // VRM 0.x readers take target names from each primitive's extras
      for (const prim of json.meshes[groups.find((g) => g.presetName === 'blink').binds[0].mesh].primitives) {
        assert.deepEqual(prim.extras.targetNames, [...ARKIT_BLENDSHAPES]);
      }
    });
  }
}
