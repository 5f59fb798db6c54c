#!/usr/bin/env python3
"""Packs and unpacks the committed fuzz corpora.

A corpus is committed as one file per target, fuzz/corpus/<target>.bin.gz: gzip of the inputs
one after another, each as a 4-byte little-endian length and its bytes, in file-name order. One
compressed file keeps the repository small (the inputs are repetitive text) and is read by the
corpus replay in tests/fuzz_corpus.rs without a fuzzer.

    python3 fuzz/corpus.py unpack TARGET DIR    # fuzz/corpus/TARGET.bin.gz -> DIR/<sha1>
    python3 fuzz/corpus.py pack TARGET DIR      # DIR/* -> fuzz/corpus/TARGET.bin.gz
"""
import gzip
import hashlib
import pathlib
import struct
import sys

HERE = pathlib.Path(__file__).resolve().parent / "corpus"


def pack(target, folder):
    files = sorted(p for p in pathlib.Path(folder).iterdir() if p.is_file())
    HERE.mkdir(exist_ok=True)
    out = HERE / f"{target}.bin.gz"
    # mtime 0: the same inputs give the same bytes.
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as gz:
        for p in files:
            data = p.read_bytes()
            gz.write(struct.pack("<I", len(data)))
            gz.write(data)
    print(f"{target}: {len(files)} inputs -> {out} ({out.stat().st_size} bytes)")


def unpack(target, folder):
    src = HERE / f"{target}.bin.gz"
    dest = pathlib.Path(folder)
    dest.mkdir(parents=True, exist_ok=True)
    if not src.exists():
        return
    data = gzip.decompress(src.read_bytes())
    i = n = 0
    while i < len(data):
        (length,) = struct.unpack_from("<I", data, i)
        body = data[i + 4:i + 4 + length]
        (dest / hashlib.sha1(body).hexdigest()).write_bytes(body)
        i += 4 + length
        n += 1
    print(f"{target}: {n} inputs -> {dest}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("pack", "unpack"):
        sys.exit(__doc__)
    {"pack": pack, "unpack": unpack}[sys.argv[1]](sys.argv[2], sys.argv[3])
