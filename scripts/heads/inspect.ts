/**
 * Reads a built head back (for tests and tools): every mesh's vertices in scene space, the
 * triangles, and per morph target name the displacement of each morphing vertex.
 */
import { NodeIO, type Accessor, type Node, type Primitive } from '@gltf-transform/core';

export interface HeadGeometry {
  /** Target names of the morphing mesh(es), as written in mesh.extras.targetNames. */
  targetNames: string[][];
  /** Rest positions of morphing vertices (xyz), deduplicated by accessor. */
  morphRest: Float32Array;
  /** Per target name: displacement of each morphing vertex (xyz, aligned with morphRest). */
  deltas: Map<string, Float32Array>;
  /** All vertices of all meshes (rest) and all triangles, for silhouettes. */
  positions: Float32Array;
  triangles: Uint32Array;
  /** Number of morph targets on each primitive that has any. */
  primitiveTargetCounts: number[];
}

function put(out: Float32Array, o: number, m: ArrayLike<number>, src: ArrayLike<number>, n: number, w: number): void {
  for (let i = 0; i < n; i++) {
    const x = src[3 * i];
    const y = src[3 * i + 1];
    const z = src[3 * i + 2];
    out[o + 3 * i] = m[0] * x + m[4] * y + m[8] * z + m[12] * w;
    out[o + 3 * i + 1] = m[1] * x + m[5] * y + m[9] * z + m[13] * w;
    out[o + 3 * i + 2] = m[2] * x + m[6] * y + m[10] * z + m[14] * w;
  }
}

export async function readHeadGeometry(bytes: Uint8Array): Promise<HeadGeometry> {
  const doc = await new NodeIO().readBinary(bytes);
  const nodes: Node[] = [];
  for (const scene of doc.getRoot().listScenes()) scene.traverse((n) => { if (n.getMesh()) nodes.push(n); });
  // Unique position accessors per node, and which of them morph.
  const blocks: { node: Node; acc: Accessor; prims: Primitive[] }[] = [];
  const targetNames: string[][] = [];
  const primitiveTargetCounts: number[] = [];
  for (const node of nodes) {
    const mesh = node.getMesh()!;
    const byAcc = new Map<Accessor, Primitive[]>();
    let hasTargets = false;
    for (const prim of mesh.listPrimitives()) {
      const pa = prim.getAttribute('POSITION')!;
      byAcc.set(pa, [...(byAcc.get(pa) ?? []), prim]);
      if (prim.listTargets().length) {
        hasTargets = true;
        primitiveTargetCounts.push(prim.listTargets().length);
      }
    }
    if (hasTargets) targetNames.push(((mesh.getExtras() as { targetNames?: string[] }).targetNames ?? []).slice());
    for (const [acc, prims] of byAcc) blocks.push({ node, acc, prims });
  }
  const total = blocks.reduce((s, b) => s + b.acc.getCount(), 0);
  const morphBlocks = blocks.filter((b) => b.prims[0].listTargets().length > 0);
  const morphTotal = morphBlocks.reduce((s, b) => s + b.acc.getCount(), 0);
  const positions = new Float32Array(total * 3);
  const morphRest = new Float32Array(morphTotal * 3);
  const deltas = new Map<string, Float32Array>();
  const tris: number[] = [];
  let base = 0;
  let mbase = 0;
  for (const b of blocks) {
    const m = b.node.getWorldMatrix();
    const n = b.acc.getCount();
    put(positions, base * 3, m, b.acc.getArray()!, n, 1);
    for (const prim of b.prims) {
      const idx = prim.getIndices()!.getArray()!;
      for (let i = 0; i < idx.length; i++) tris.push(idx[i] + base);
    }
    const targets = b.prims[0].listTargets();
    if (targets.length) {
      put(morphRest, mbase * 3, m, b.acc.getArray()!, n, 1);
      const names = ((b.node.getMesh()!.getExtras() as { targetNames?: string[] }).targetNames ?? []);
      targets.forEach((t, k) => {
        const name = names[k] ?? `target${k}`;
        let d = deltas.get(name);
        if (!d) deltas.set(name, (d = new Float32Array(morphTotal * 3)));
        const src = t.getAttribute('POSITION')?.getArray();
        if (src) put(d, mbase * 3, m, src, n, 0);
      });
      mbase += n;
    }
    base += n;
  }
  return { targetNames, morphRest, deltas, positions, triangles: new Uint32Array(tris), primitiveTargetCounts };
}
