"""Scores ordoscan's and Tesseract's legend and HRI readings on the same crops.

truth.tsv (from `ordoscan-eval text` with ORDOSCAN_TEXT_DUMP): crop, page, dpi,
degradations, truth legend, truth HRI, decoded value, ordoscan legend, ordoscan HRI,
ordoscan confident. tesseract.tsv: crop, tesseract HRI text, tesseract legend text.
A reader "alarms" when it gives an HRI (ordoscan: a confident one) that differs from the
value: a false alarm when the printed HRI equals the value, a catch when it does not and
the reading is the printed HRI.
"""

import re
import sys
from collections import defaultdict


def kind(text):
    letters = re.sub("[^A-Z]", "", text.upper())
    if "RPPS" in letters:
        return "rpps"
    if "FINESS" in letters:
        return "finess"
    if letters in ("AM", "NAM", "NOAM"):
        return "am"
    return None


def squash(text):
    return re.sub(r"\s", "", text)


def score(truth_legend, truth_hri, value, legend, hri, confident):
    t = squash(truth_hri)
    h = squash(hri)
    alarm = bool(h) and confident and h != value
    mismatch = t != value
    k = kind(legend) if legend else None
    return {
        "symbols": 1,
        "kind right": int(k is not None and k == kind(truth_legend)),
        "kind wrong": int(k is not None and k != kind(truth_legend)),
        "legend exact": int(squash(legend) == squash(truth_legend)),
        "HRI exact": int(h == t),
        "false alarms": int(alarm and not mismatch),
        "mismatches": int(mismatch),
        "caught": int(alarm and mismatch and h == t),
    }


def main(truth_path, tess_path):
    tess = {}
    for line in open(tess_path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t") + ["", ""]
        tess[parts[0]] = (parts[1], parts[2])
    groups = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for line in open(truth_path, encoding="utf-8"):
        n, _page, dpi, degr, t_leg, t_hri, value, o_leg, o_hri, o_conf = line.rstrip(
            "\n"
        ).split("\t")
        t_h, t_l = tess.get(n, ("", ""))
        rows = {
            "ordoscan": score(t_leg, t_hri, value, o_leg, o_hri, o_conf == "true"),
            "tesseract": score(t_leg, t_hri, value, t_l, t_h, True),
        }
        keys = ["**all**", f"{dpi} dpi"] + (degr.split(",") if degr else ["clean"])
        for key in keys:
            for reader, row in rows.items():
                for field, v in row.items():
                    groups[key][reader][field] += v
    print(
        "| group | symbols | legend kind right (ordoscan / tesseract) | kind wrong | "
        "HRI exact | false alarms | mismatches caught |"
    )
    print("|---|---|---|---|---|---|---|")
    order = sorted(groups, key=lambda k: (k != "**all**", "dpi" in k, k))
    for key in order:
        o, t = groups[key]["ordoscan"], groups[key]["tesseract"]
        s = o["symbols"]

        def pair(field):
            return f"{o[field] / s:.3f} / {t[field] / s:.3f}"

        print(
            f"| {key} | {s} | {pair('kind right')} | {o['kind wrong']} / {t['kind wrong']} | "
            f"{pair('HRI exact')} | {o['false alarms']} / {t['false alarms']} | "
            f"{o['caught']}/{o['mismatches']} / {t['caught']}/{t['mismatches']} |"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
