/**
 * Matte parts lit per vertex. On software WebGL (SwiftShader) a material pays for each of
 * its lights on every pixel it covers; a matte part (fur, skin: no specular term) has the
 * same diffuse light per pixel as the interpolated light of its vertices to within a level
 * or two when its vertices are a few pixels apart, as a mascot's are. So with fast
 * materials such parts are drawn unlit, their diffuse colour times a per-vertex colour that
 * holds the light: the sky (hemispheric) and the matte key light, computed here on the CPU
 * from the posed (and morphed) normals before each render, exactly as Babylon's standard
 * shader computes them per pixel. Measured on presenter-1 with the fox (most of its pixels
 * are fur): SwiftShader's time per frame fell by about a third.
 */
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer.js';
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import type { DirectionalLight } from '@babylonjs/core/Lights/directionalLight.js';
import type { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode.js';

/** The lights a vertex-lit part takes (world space, as the shader gets them). */
export interface DiffuseLights {
  readonly hemi: HemisphericLight;
  readonly key: DirectionalLight;
}

/** One mesh lit per vertex: where its normals come from and its colour buffer. */
interface LitMesh {
  readonly mesh: Mesh;
  /** Current normals (model space): live when morphs move them. */
  readonly normals: () => Float32Array;
  readonly colors: Float32Array;
}

/** Whether a material can be drawn unlit with the light in its vertex colours. */
function canLightPerVertex(m: unknown, matte: (s: StandardMaterial) => boolean): m is StandardMaterial {
  if (!(m instanceof StandardMaterial)) return false;
  if (m.disableLighting || !matte(m)) return false;
  if (m.diffuseTexture || m.emissiveTexture || m.bumpTexture || m.ambientTexture || m.lightmapTexture || m.opacityTexture) return false;
  return m.emissiveColor.r === 0 && m.emissiveColor.g === 0 && m.emissiveColor.b === 0 && !m.linkEmissiveWithDiffuse;
}

/** The matte parts of a head, lit per vertex. */
export class VertexLighting {
  private constructor(
    private readonly lit: readonly LitMesh[],
    /** The pose node, then every node from below it down to each lit mesh, each once, parents first. */
    private readonly nodes: readonly TransformNode[],
  ) {}

  /** Parts lit per vertex (for stats and tests). */
  get meshes(): number {
    return this.lit.length;
  }

  /**
   * Turns the matte materials of `meshes` (as `matte` tells) into unlit ones with vertex
   * colours, when every mesh using a material can be lit on the CPU (normals, no skeleton).
   * `normalsOf` gives a mesh's live normals when its morphs move them; `pose` is the node
   * the face's pose is set on, above the meshes.
   */
  static setUp(
    meshes: readonly AbstractMesh[],
    matte: (s: StandardMaterial) => boolean,
    normalsOf: (m: AbstractMesh) => Float32Array | null,
    pose: TransformNode,
  ): VertexLighting {
    const users = new Map<StandardMaterial, AbstractMesh[]>();
    for (const m of meshes) {
      if (!m.getTotalVertices() || !canLightPerVertex(m.material, matte)) continue;
      const list = users.get(m.material) ?? [];
      list.push(m);
      users.set(m.material, list);
    }
    const lit: LitMesh[] = [];
    for (const [mat, list] of users) {
      const ok = list.every((m) => !m.skeleton && m.isVerticesDataPresent(VertexBuffer.NormalKind) && 'updateVerticesData' in m);
      if (!ok) continue;
      for (const m of list) {
        const mesh = m as Mesh;
        const live = normalsOf(m);
        const fixed = live ? null : Float32Array.from(mesh.getVerticesData(VertexBuffer.NormalKind, true, true) ?? []);
        const colors = new Float32Array(mesh.getTotalVertices() * 4).fill(1);
        mesh.setVerticesData(VertexBuffer.ColorKind, colors, true, 4);
        mesh.useVertexColors = true;
        mesh.hasVertexAlpha = false;
        lit.push({ mesh, normals: live ? () => normalsOf(m)! : () => fixed!, colors });
      }
      // Unlit with a white emissive linked to the diffuse colour: Babylon's shader then gives
      // clamp(diffuse) x vertex colour, which is its lit clamp(light x diffuse) up to the
      // framebuffer's own clamp (a diffuse colour is at most 1).
      mat.disableLighting = true;
      mat.linkEmissiveWithDiffuse = true;
      mat.emissiveColor = Color3.White();
      mat.specularColor = Color3.Black();
    }
    const nodes: TransformNode[] = [pose];
    for (const { mesh } of lit) {
      const chain: TransformNode[] = [];
      for (let n: TransformNode | null = mesh; n && n !== pose; n = n.parent as TransformNode | null) chain.push(n);
      for (const n of chain.reverse()) if (!nodes.includes(n)) nodes.push(n);
    }
    return new VertexLighting(lit, nodes);
  }

  /**
   * Computes each vertex's light from the lights and the meshes' world matrices (recomputed
   * from the pose down, once per node: the scene has not rendered the new pose yet), and
   * uploads it.
   */
  update(lights: DiffuseLights): void {
    if (!this.lit.length) return;
    for (const n of this.nodes) n.computeWorldMatrix(true);
    const { hemi, key } = lights;
    // As Babylon's uniforms: colours times intensity, directions normalised.
    const hd = hemi.direction.normalizeToNew();
    const sky = hemi.diffuse.scale(hemi.intensity);
    const ground = hemi.groundColor.scale(hemi.intensity);
    const kd = key.direction.normalizeToNew();
    const kc = key.diffuse.scale(key.intensity);
    const [hx, hy, hz] = [hd.x, hd.y, hd.z];
    const [lx, ly, lz] = [-kd.x, -kd.y, -kd.z];
    for (const { mesh, normals, colors } of this.lit) {
      const w = mesh.getWorldMatrix().m;
      const n = normals();
      for (let v = 0, c = 0; v + 2 < n.length; v += 3, c += 4) {
        // World normal: the world matrix's 3x3 (column-major) times the model normal.
        const x = w[0] * n[v] + w[4] * n[v + 1] + w[8] * n[v + 2];
        const y = w[1] * n[v] + w[5] * n[v + 1] + w[9] * n[v + 2];
        const z = w[2] * n[v] + w[6] * n[v + 1] + w[10] * n[v + 2];
        const len = Math.sqrt(x * x + y * y + z * z) || 1;
        const nx = x / len;
        const ny = y / len;
        const nz = z / len;
        const t = (nx * hx + ny * hy + nz * hz) * 0.5 + 0.5;
        const d = Math.max(0, nx * lx + ny * ly + nz * lz);
        colors[c] = ground.r + (sky.r - ground.r) * t + kc.r * d;
        colors[c + 1] = ground.g + (sky.g - ground.g) * t + kc.g * d;
        colors[c + 2] = ground.b + (sky.b - ground.b) * t + kc.b * d;
      }
      mesh.updateVerticesData(VertexBuffer.ColorKind, colors, false, false);
    }
  }
}
