/**
 * Root-level VRM extensions for gltf-transform: VRMC_vrm (VRM 1.0) and VRM (VRM 0.x).
 * Their JSON is produced at write time by a callback that gets gltf-transform's writer
 * context, so node, mesh and material references become the final glTF indices.
 */
import { Extension, type ReaderContext, type WriterContext } from '@gltf-transform/core';

export type RootJsonBuilder = (ctx: WriterContext) => Record<string, unknown>;

abstract class RootJsonExtension extends Extension {
  private build: RootJsonBuilder | null = null;

  /** Sets the function that produces this extension's JSON when the file is written. */
  setBuilder(fn: RootJsonBuilder): this {
    this.build = fn;
    return this;
  }

  read(_ctx: ReaderContext): this {
    return this;
  }

  write(ctx: WriterContext): this {
    if (!this.build) return this;
    const json = ctx.jsonDoc.json;
    json.extensions = json.extensions ?? {};
    json.extensions[this.extensionName] = this.build(ctx);
    return this;
  }
}

/** VRM 1.0: `extensions.VRMC_vrm`. */
export class VrmcVrmExtension extends RootJsonExtension {
  static override EXTENSION_NAME = 'VRMC_vrm';
  override readonly extensionName = 'VRMC_vrm';
}

/** VRM 0.x: `extensions.VRM`. */
export class VrmLegacyExtension extends RootJsonExtension {
  static override EXTENSION_NAME = 'VRM';
  override readonly extensionName = 'VRM';
}
