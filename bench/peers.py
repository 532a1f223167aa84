#!/usr/bin/env python3
"""Scores the peers — zxing-cpp and ZBar — on the same pages and with the same rules as
`ordoscan-eval` (run it through bench/peers.sh, which installs them).

  bench/peers.sh corpus DIR     # a corpus written by `ordoscan-synth corpus` (truth files)
  bench/peers.sh suites DIR     # ../shared/peer-suites (manifest.jsonl)
  bench/peers.sh fixtures DIR   # test-images/ (fixture truth files), timing only
  bench/peers.sh speed DIR      # load and in-memory read times per page, separately

Corpus rules: symbol recall = readable truth symbols whose value was read; a false symbol
is a value read that is not on the page. Suite rules: an image is read when its expected
text is among the values read, any other value is a false read, a leading GS is ignored.
Both readers are restricted to Code 128 (as ordoscan is to Code 128/39) and otherwise
called with their defaults (zxing-cpp: try rotate, downscale, invert; ZBar: zbarimg's
defaults). Timing is `PIL.Image.open` + grey conversion + read, one thread.
"""
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import zxingcpp
from PIL import Image, ImageSequence
from pyzbar import pyzbar

Image.MAX_IMAGE_PIXELS = None


def read_zxing(img):
    return [r.text for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.Code128)]


def read_zbar(img):
    return [s.data.decode("latin-1") for s in pyzbar.decode(img, symbols=[pyzbar.ZBarSymbol.CODE128])]


READERS = {"zxing-cpp": read_zxing, "ZBar": read_zbar}


def frames(path):
    img = Image.open(path)
    return [f.convert("L") for f in ImageSequence.Iterator(img)]


def timed_values(path, reader):
    t0 = time.perf_counter()
    values = [v for f in frames(path) for v in reader(f)]
    return values, time.perf_counter() - t0


def bucket(ppm):
    if ppm < 1.5:
        return "px/module < 1.5"
    if ppm < 2.0:
        return "px/module 1.5–2"
    if ppm < 3.0:
        return "px/module 2–3"
    return "px/module ≥ 3"


def corpus(d):
    truths = [json.loads(p.read_text()) for p in sorted(Path(d).glob("*.truth.json"))]
    for name, reader in READERS.items():
        groups = defaultdict(lambda: [0, 0, 0, 0])  # pages, symbols, found, false
        total = [0, 0, 0, 0]
        seconds = 0.0
        for t in truths:
            values, s = timed_values(Path(d) / t["file"], reader)
            seconds += s
            expected = [x["value"] for x in t["symbols"] if x["readable"]]
            on_page = {x["value"] for x in t["symbols"]}
            pool = list(values)
            found = 0
            for v in expected:
                if v in pool:
                    pool.remove(v)
                    found += 1
            false = sum(1 for v in values if v not in on_page)
            keys = ["case " + t["case"], f"{t['dpi']} dpi"] + (t["degradations"] or ["clean"])
            for k in keys + ["**all**"]:
                g = groups[k] if k != "**all**" else total
                g[0] += 1
                g[1] += len(expected)
                g[2] += found
                g[3] += false
            for x in t["symbols"]:
                g = groups[bucket(x["px_per_module"])]
                g[1] += 1
                g[2] += int(x["value"] in values)
        print(f"\nreader: {name}; corpus: {d} ({total[0]} pages)\n")
        print("| group | pages | symbols | recall | false symbols |\n|---|---|---|---|---|")
        rows = [("**all**", total)] + sorted(
            groups.items(), key=lambda kv: (kv[0].startswith("px/"), kv[0].endswith("dpi"), kv[0].startswith("case"), kv[0]))
        for k, g in rows:
            print(f"| {k} | {g[0]} | {g[1]} | {g[2] / max(g[1], 1):.4f} | {g[3]} |")
        print(f"\none thread: {1000 * seconds / max(total[0], 1):.1f} ms/page (load + read)")


def suites(d):
    entries = [json.loads(l) for l in (Path(d) / "manifest.jsonl").read_text().splitlines() if l.strip()]
    for name, reader in READERS.items():
        per = defaultdict(lambda: [0, 0, 0])
        for e in entries:
            if e.get("peer_excluded"):
                continue
            exp = e["expected"].lstrip("\x1d")
            try:
                values, _ = timed_values(Path(d) / e["image"], reader)
            except Exception as err:  # an image a peer cannot open counts as not read
                print(f"{name}: {e['image']}: {err}", file=sys.stderr)
                values = []
            values = [v.lstrip("\x1d") for v in values]
            g = per[e["suite"]]
            g[0] += 1
            g[1] += int(exp in values)
            g[2] += sum(1 for v in values if v != exp)
        print(f"\nreader: {name}\n\n| suite | images | read | false reads |\n|---|---|---|---|")
        tot = [0, 0, 0]
        for s, g in sorted(per.items()):
            print(f"| {s} | {g[0]} | {g[1]} | {g[2]} |")
            tot = [a + b for a, b in zip(tot, g)]
        print(f"| **all** | {tot[0]} | {tot[1]} | {tot[2]} |")


def fixtures(d):
    files = sorted(p for p in Path(d).iterdir() if p.suffix.lower() in {".png", ".jpg", ".tif"})
    for name, reader in READERS.items():
        pages = found = missed = false = 0
        seconds = 0.0
        for f in files:
            truth = json.loads((f.parent / (f.name + ".truth.json")).read_text())["pages"]
            t0 = time.perf_counter()
            fr = frames(f)
            per_page = [reader(x) for x in fr]
            seconds += time.perf_counter() - t0
            for t, values in zip(truth, per_page):
                pages += 1
                found += sum(1 for v in t["symbols"] if v in values)
                missed += sum(1 for v in t["symbols"] if v not in values)
                false += sum(1 for v in values if v not in t["symbols"])
        print(f"{name}: {pages} pages, symbols found {found}, missed {missed}, false {false}; "
              f"load+read {1000 * seconds / max(pages, 1):.1f} ms/page")


def speed(d):
    """Time per page of loading (PIL open + convert to grey) and of reading alone (the
    image already in memory), each the best of three passes over the files of `d`."""
    exts = {".png", ".jpg", ".tif", ".tiff"}
    files = sorted(p for p in Path(d).iterdir() if p.suffix.lower() in exts)
    pages = [f for p in files for f in frames(p)]
    load = min(timed_pass(lambda: [frames(p) for p in files]) for _ in range(3))
    for name, reader in READERS.items():
        read = min(timed_pass(lambda: [reader(f) for f in pages]) for _ in range(3))
        n = max(len(pages), 1)
        print(f"{name}: {len(pages)} pages; load {1000 * load / n:.1f} ms/page, "
              f"read {1000 * read / n:.1f} ms/page, load+read {1000 * (load + read) / n:.1f} ms/page")


def timed_pass(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


if __name__ == "__main__":
    cmd, d = sys.argv[1], sys.argv[2]
    {"corpus": corpus, "suites": suites, "fixtures": fixtures, "speed": speed}[cmd](d)
