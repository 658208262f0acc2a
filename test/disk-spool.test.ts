/** DiskSpool: records come back whole and in order while the writer is still appending. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DiskSpool } from '../capture/disk-spool.js';

describe('disk spool', () => {
  it('returns every record byte for byte, in order, while appends go on, and removes its file', async () => {
    const spool = await DiskSpool.create();
    const sizes = [0, 1, 3, 4096, 2_500_000, 17, 700_000];
    const records = sizes.map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + k * 7) & 255));
    const reading = (async () => {
      const got: Uint8Array[] = [];
      for await (const r of spool.read()) got.push(r);
      return got;
    })();
    for (const r of records) {
      // Odd records as three parts (header, body, tail), even ones whole.
      if (records.indexOf(r) % 2 && r.length >= 2) await spool.append(r.subarray(0, 1), r.subarray(1, r.length - 1), r.subarray(r.length - 1));
      else await spool.append(r);
      await new Promise((res) => setImmediate(res));
    }
    spool.end();
    const got = await reading;
    assert.equal(got.length, records.length);
    got.forEach((r, k) => assert.ok(Buffer.from(r).equals(Buffer.from(records[k])), `record ${k} (${sizes[k]} bytes)`));
    await spool.close();
    assert.equal(existsSync(spool.path), false);
  });
});

describe('disk spool, recycled reads', () => {
  it('gives each record right while it is current, from one reused buffer', async () => {
    const spool = await DiskSpool.create();
    const records = [5000, 3000, 5000, 10, 4000].map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + k) & 255));
    for (const r of records) await spool.append(r);
    spool.end();
    const buffers = new Set<ArrayBufferLike>();
    let k = 0;
    for await (const r of spool.read({ recycle: true })) {
      assert.ok(Buffer.from(r).equals(Buffer.from(records[k])), `record ${k}`);
      buffers.add(r.buffer);
      k++;
    }
    assert.equal(k, records.length);
    assert.equal(buffers.size, 1, 'one buffer for records no larger than the first');
    await spool.close();
  });
});
