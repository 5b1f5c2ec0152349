#!/usr/bin/env python3
"""Reads PNG files with the standard library alone (no Pillow on a bare machine), for the farm scripts.

  png.py parameters FILE      prints the AUTOMATIC1111 'parameters' text chunk
  png.py same-pixels A B      exits 0 when both images have the same size, colour type and pixels
"""
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def chunks(path):
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(SIGNATURE):
        raise SystemExit(f"{path}: not a PNG file")
    offset = len(SIGNATURE)
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        yield kind.decode("ascii"), data[offset + 8:offset + 8 + length]
        offset += 12 + length


def parameters(path):
    for kind, body in chunks(path):
        if kind == "tEXt":
            key, _, value = body.partition(b"\0")
            if key == b"parameters":
                return value.decode("latin-1")
        if kind == "iTXt":
            key, _, rest = body.partition(b"\0")
            if key == b"parameters":
                compressed, _method = rest[0], rest[1]
                text = rest[2:].split(b"\0", 2)[2]
                return (zlib.decompress(text) if compressed else text).decode("utf-8")
    raise SystemExit(f"{path}: no 'parameters' chunk")


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def pixels(path):
    """(width, height, colour type, unfiltered 8-bit rows)."""
    header, compressed = None, b""
    for kind, body in chunks(path):
        if kind == "IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == "IDAT":
            compressed += body
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or interlace != 0 or colour not in CHANNELS:
        raise SystemExit(f"{path}: only 8-bit non-interlaced grey/RGB/RGBA PNGs are read here")
    stride = CHANNELS[colour]
    row_bytes = width * stride
    raw = zlib.decompress(compressed)
    rows, previous = [], bytearray(row_bytes)
    for y in range(height):
        start = y * (row_bytes + 1)
        kind, row = raw[start], bytearray(raw[start + 1:start + 1 + row_bytes])
        for x in range(row_bytes):
            left = row[x - stride] if x >= stride else 0
            up = previous[x]
            up_left = previous[x - stride] if x >= stride else 0
            predictor = (0, left, up, (left + up) // 2, paeth(left, up, up_left))[kind]
            row[x] = (row[x] + predictor) & 0xFF
        rows.append(bytes(row))
        previous = row
    return width, height, colour, rows


def main(argv):
    if len(argv) == 3 and argv[1] == "parameters":
        print(parameters(argv[2]))
        return 0
    if len(argv) == 4 and argv[1] == "same-pixels":
        a, b = pixels(argv[2]), pixels(argv[3])
        if a[:3] != b[:3]:
            print(f"size or colour type differ: {a[:3]} vs {b[:3]}", file=sys.stderr)
            return 1
        differing = sum(1 for ra, rb in zip(a[3], b[3]) for x, y in zip(ra, rb) if x != y)
        if differing:
            print(f"{differing} of {sum(len(row) for row in a[3])} sample values differ", file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
