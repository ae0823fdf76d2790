#!/usr/bin/env python3
"""Writes the safetensors fixtures of tests/tools/compile*.test (standard
library only): the variables of compile.gir (@w f32[3,2], @b f32[2],
@steps i64[]) and files that do not fit them. Run from this folder."""
import json
import struct

F32, F64, I64 = ("F32", "f", 4), ("F64", "d", 8), ("I64", "q", 8)


def write(path, tensors):
    """tensors: name -> (dtype, shape, flat values)."""
    header, data = {}, b""
    for name, (dtype, shape, values) in tensors.items():
        raw = struct.pack("<%d%s" % (len(values), dtype[1]), *values)
        header[name] = {"dtype": dtype[0], "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


w = (F32, [3, 2], [0.5, -1.0, 2.0, 0.25, -0.5, 1.5])
b = (F32, [2], [0.125, -2.0])
steps = (I64, [], [7])
write("dense.safetensors", {"w": w, "b": b, "steps": steps})
write("w_shape.safetensors", {"w": (F32, [2, 3], w[2]), "b": b, "steps": steps})
write("b_dtype.safetensors", {"w": w, "b": (F64, [2], b[2]), "steps": steps})
write("no_b.safetensors", {"w": w, "steps": steps})
