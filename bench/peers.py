#!/usr/bin/env python3
"""Time and score zxing-cpp on the same pages as ordoscan (load + read, one thread).

Usage: bench/peers.py DIR_OR_FILES...   (run bench/peers.sh to get a venv with zxing-cpp)

For every page PIL can open (PNG, JPEG, BMP, GIF, WebP, TIFF — every frame) it times
`PIL.Image.open` + `zxingcpp.read_barcodes` and prints the values found, then the total
pages and ms/page. Truth files (`*.truth.json`) beside the images are used to count
symbols found, missed and false.
"""
import json
import sys
import time
from pathlib import Path

import zxingcpp
from PIL import Image, ImageSequence

EXT = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def files(args):
    for a in args:
        p = Path(a)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.suffix.lower() in EXT)
        else:
            yield p


def main():
    pages = found = missed = false = 0
    read_s = load_s = 0.0
    for f in files(sys.argv[1:]):
        truth_file = f.with_name(f.name + ".truth.json")
        truth = json.loads(truth_file.read_text())["pages"] if truth_file.exists() else None
        t0 = time.perf_counter()
        img = Image.open(f)
        frames = [fr.convert("L") for fr in ImageSequence.Iterator(img)]
        t1 = time.perf_counter()
        load_s += t1 - t0
        for i, frame in enumerate(frames):
            t2 = time.perf_counter()
            results = zxingcpp.read_barcodes(frame)
            read_s += time.perf_counter() - t2
            values = sorted(r.text for r in results)
            pages += 1
            if truth is not None and i < len(truth):
                expected = truth[i]["symbols"]
                found += sum(1 for v in expected if v in values)
                missed += sum(1 for v in expected if v not in values)
                false += sum(1 for v in values if v not in expected)
            print(f"{f} page {i + 1}: {values}")
    total = load_s + read_s
    print(
        f"zxing-cpp {zxingcpp.__version__ if hasattr(zxingcpp, '__version__') else ''}: "
        f"{pages} pages, symbols found {found}, missed {missed}, false {false}; "
        f"load+read {1000 * total / max(pages, 1):.1f} ms/page, read only "
        f"{1000 * read_s / max(pages, 1):.1f} ms/page"
    )


if __name__ == "__main__":
    main()
