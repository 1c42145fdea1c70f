"""Rewrite clang 14's f32x4.fma (0xfd 0xaf 0x01, relaxed SIMD's early draft)
to the final f32x4.relaxed_madd (0xfd 0x85 0x02) in a wasm file, in place.

Both encodings are three bytes, so no size changes. The instructions are
located with llvm-objdump's disassembly (offsets into the code section), never
by searching bytes, which could hit an immediate. Usage: relaxed_madd.py FILE
"""
import re
import subprocess
import sys


def code_section(b):
    p = 8
    while p < len(b):
        sid, q, size, shift = b[p], p + 1, 0, 0
        while True:
            x = b[q]
            q += 1
            size |= (x & 0x7F) << shift
            shift += 7
            if not x & 0x80:
                break
        if sid == 10:
            return p, q
        p = q + size
    raise SystemExit('no code section')


def main(path):
    b = bytearray(open(path, 'rb').read())
    listing = subprocess.run(['llvm-objdump', '-d', path], capture_output=True, text=True, check=True).stdout
    offsets = [int(m.group(1), 16) for m in re.finditer(r'^\s*([0-9a-f]+):\s+fd af 01\s+f32x4\.fma\b', listing, re.M)]
    if not offsets:
        raise SystemExit(f'{path}: no f32x4.fma to rewrite')
    # llvm-objdump counts from the section's start or its payload depending on version: take the one that matches.
    for base in code_section(b):
        if all(b[base + o:base + o + 3] == b'\xfd\xaf\x01' for o in offsets):
            for o in offsets:
                b[base + o + 1:base + o + 3] = b'\x85\x02'
            open(path, 'wb').write(b)
            return
    raise SystemExit(f'{path}: the disassembly offsets do not point at f32x4.fma')


if __name__ == '__main__':
    main(sys.argv[1])
