/**
 * The committed native module (src/runtime/kernels/native_wasm.ts) is built
 * from the committed C source, and it owns no memory of its own: it imports
 * TF.js's heap and declares no data, so it cannot overwrite tensors.
 */
import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as native from '../../../src/runtime/kernels/native_wasm';

// Node 20 compiles relaxed SIMD (the fma builds) only behind this flag; Node 22 and Chromium by default.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

describe('native kernels module', () => {
  it('was built from the current native/ sources (run native/build.sh after editing them)', () => {
    const hash = createHash('sha256');
    for (const f of ['kernels.c', 'relaxed_madd.py']) hash.update(readFileSync(new URL(`../../../native/${f}`, import.meta.url)));
    expect(hash.digest('hex')).toBe(native.NATIVE_SOURCE_SHA256);
  });

  for (const [kind, base64] of [
    ['plain', native.NATIVE_WASM_BASE64],
    ['shared-memory', native.NATIVE_SHARED_WASM_BASE64],
    ['fma', native.NATIVE_FMA_WASM_BASE64],
    ['fma shared-memory', native.NATIVE_FMA_SHARED_WASM_BASE64],
  ] as const) {
    it(`${kind} build imports its memory and has no data segments`, () => {
      const mod = new WebAssembly.Module(Buffer.from(base64, 'base64'));
      expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      expect(WebAssembly.Module.exports(mod).map((e) => e.name)).toEqual(
        expect.arrayContaining(['sgemm', 'conv_part', 'conv_reduce', 'adam_f32']),
      );
      // Section id 11 is the data section: scan the top-level sections.
      const bytes = Buffer.from(base64, 'base64');
      const ids: number[] = [];
      for (let p = 8; p < bytes.length;) {
        ids.push(bytes[p]);
        let size = 0,
          shift = 0,
          b: number,
          q = p + 1;
        do {
          b = bytes[q++];
          size |= (b & 0x7f) << shift;
          shift += 7;
        } while (b & 0x80);
        p = q + size;
      }
      expect(ids).not.toContain(11);
    });
  }
});
