/**
 * The committed native module (src/runtime/kernels/native_wasm.ts) is built
 * from the committed C source, and it owns no memory of its own: it imports
 * TF.js's heap and declares no data, so it cannot overwrite tensors.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { NATIVE_SHARED_WASM_BASE64, NATIVE_SOURCE_SHA256, NATIVE_WASM_BASE64 } from '../../../src/runtime/kernels/native_wasm';

describe('native kernels module', () => {
  it('was built from the current native/kernels.c (run native/build.sh after editing it)', () => {
    const source = readFileSync(new URL('../../../native/kernels.c', import.meta.url));
    expect(createHash('sha256').update(source).digest('hex')).toBe(NATIVE_SOURCE_SHA256);
  });

  for (const [kind, base64] of [['plain', NATIVE_WASM_BASE64], ['shared-memory', NATIVE_SHARED_WASM_BASE64]] as const) {
    it(`${kind} build imports its memory and has no data segments`, () => {
      const mod = new WebAssembly.Module(Buffer.from(base64, 'base64'));
      expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      expect(WebAssembly.Module.exports(mod).map((e) => e.name)).toEqual(expect.arrayContaining(['sgemm', 'im2col', 'col2im_add', 'adam_f32']));
      // Section id 11 is the data section: scan the top-level sections.
      const bytes = Buffer.from(base64, 'base64');
      const ids: number[] = [];
      for (let p = 8; p < bytes.length;) {
        ids.push(bytes[p]);
        let size = 0, shift = 0, b: number, q = p + 1;
        do { b = bytes[q++]; size |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
        p = q + size;
      }
      expect(ids).not.toContain(11);
    });
  }
});
