/**
 * The KTX2 container header (Khronos KTX 2.0 spec, section 3): sizes, level index and
 * supercompression, read without transcoding. Babylon-free and DOM-free, so the Node-side
 * file check (render/head-check.ts) and the page's KHR_texture_basisu plugin read the same
 * fields, and limits apply before any pixel is decoded.
 */

/** The 12-byte file identifier: «KTX 20»\r\n\x1A\n. */
export const KTX2_IDENTIFIER: readonly number[] = [0xab, 0x4b, 0x54, 0x58, 0x20, 0x32, 0x30, 0xbb, 0x0d, 0x0a, 0x1a, 0x0a];

/** Bytes before the level index: identifier, 9 uint32 fields, the DFD/KVD/SGD index. */
const LEVEL_INDEX_AT = 80;
/** Bytes per level index entry: byteOffset, byteLength, uncompressedByteLength (uint64 each). */
const LEVEL_ENTRY_BYTES = 24;

/** Supercompression schemes of KTX2 (spec table 2). */
const SUPERCOMPRESSION = ['none', 'basislz', 'zstd', 'zlib'] as const;

/** What a KTX2 header says. */
export interface Ktx2Header {
  /** Vulkan format; 0 (VK_FORMAT_UNDEFINED) for Basis Universal payloads. */
  readonly vkFormat: number;
  /** Width of level 0 (px). */
  readonly width: number;
  /** Height of level 0 (px); 0 for a 1D texture. */
  readonly height: number;
  /** Depth of level 0 (px); 0 unless a 3D texture. */
  readonly depth: number;
  /** Array layers; 0 when not an array texture. */
  readonly layers: number;
  /** Faces: 1, or 6 for a cube map. */
  readonly faces: number;
  /** Mip levels stored in the file (at least 1; the header's 0 means "generate them"). */
  readonly levels: number;
  /** Supercompression scheme by name, or its number when not a known one. */
  readonly supercompression: (typeof SUPERCOMPRESSION)[number] | number;
}

/** True when the bytes start with the KTX2 identifier. */
export function isKtx2(b: Uint8Array): boolean {
  if (b.length < KTX2_IDENTIFIER.length) return false;
  for (let i = 0; i < KTX2_IDENTIFIER.length; i++) if (b[i] !== KTX2_IDENTIFIER[i]) return false;
  return true;
}

/**
 * Reads the header of a KTX2 file. Returns null when the bytes are not KTX2 at all; throws
 * an Error (one line, naming the problem) when they are, but the header is unusable.
 * `fileBytes`: the whole file's length when known, to check the level index against it (a
 * truncated file fails here instead of in the transcoder).
 */
export function readKtx2Header(b: Uint8Array, fileBytes?: number): Ktx2Header | null {
  if (!isKtx2(b)) return null;
  if (b.length < LEVEL_INDEX_AT) throw new Error(`the KTX2 header is truncated (${b.length} bytes, at least ${LEVEL_INDEX_AT} needed)`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u32 = (at: number) => v.getUint32(at, true);
  const scheme = u32(44);
  const header: Ktx2Header = {
    vkFormat: u32(12),
    width: u32(20),
    height: u32(24),
    depth: u32(28),
    layers: u32(32),
    faces: u32(36),
    levels: Math.max(1, u32(40)),
    supercompression: SUPERCOMPRESSION[scheme] ?? scheme,
  };
  if (header.width === 0) throw new Error('the KTX2 header gives a width of 0');
  if (header.faces !== 1 && header.faces !== 6) throw new Error(`the KTX2 header gives ${header.faces} faces (1 or 6 allowed)`);
  if (header.levels > 32) throw new Error(`the KTX2 header gives ${header.levels} mip levels (at most 32)`);
  if (fileBytes !== undefined) {
    const indexEnd = LEVEL_INDEX_AT + header.levels * LEVEL_ENTRY_BYTES;
    if (indexEnd > fileBytes) throw new Error(`the KTX2 file is truncated inside its level index (${fileBytes} bytes)`);
    if (b.length >= indexEnd) {
      for (let l = 0; l < header.levels; l++) {
        const at = LEVEL_INDEX_AT + l * LEVEL_ENTRY_BYTES;
        const end = Number(v.getBigUint64(at, true)) + Number(v.getBigUint64(at + 8, true));
        if (end > fileBytes) throw new Error(`the KTX2 file is truncated: mip level ${l} ends at byte ${end}, the file has ${fileBytes}`);
      }
    }
  }
  return header;
}
