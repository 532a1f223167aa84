#!/usr/bin/env bash
# Tesseract 5 on the same legend and HRI crops as ordoscan's text reader (issue #6 point 5).
#
#   bench/tesseract_text.sh [CORPUS_DIR] [DUMP_DIR]
#
# Installs Debian's tesseract-ocr if missing, has `ordoscan-eval text` dump the line crops
# it reads (truth quads; ORDOSCAN_TEXT_DUMP), runs `tesseract --psm 7` on each (digits
# whitelist for the HRI, the legends' characters for the legend; where ordoscan found no
# line, the whole strip with --psm 6), and scores both readers the same way, overall and
# per degradation and resolution (bench/tesseract_text.py). Needs `cargo build --release
# --bins` first.
set -euo pipefail
corpus=${1:-/work/corpus-500}
dump=${2:-/tmp/ordoscan-text-crops}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

if ! command -v tesseract >/dev/null; then
    apt-get install -y tesseract-ocr
fi
tesseract --version 2>&1 | head -1

rm -rf "$dump"
mkdir -p "$dump"
ORDOSCAN_TEXT_DUMP="$dump" "$root/target/release/ordoscan-eval" text "$corpus" >"$dump/ordoscan.md"

ocr() { # crop fallback-strip psm-if-crop whitelist -> one line of text
    local img=$1 psm=7
    if [ ! -f "$img" ]; then img=$2; psm=6; fi
    tesseract "$img" - --psm "$psm" -c tessedit_char_whitelist="$3" 2>/dev/null | tr '\n' ' ' | sed 's/ *$//'
}
export -f ocr

start=$(date +%s.%N)
cut -f1 "$dump/truth.tsv" | xargs -P "${JOBS:-2}" -I{} bash -c '
    n={}; d='"$dump"'
    hri=$(ocr "$d/$n-hri.png" "$d/$n-below.png" 0123456789)
    legend=$(ocr "$d/$n-legend.png" "$d/$n-above.png" "N°o.:RPSFIEAM")
    printf "%s\t%s\t%s\n" "$n" "$hri" "$legend" >"$d/$n.tess"
'
end=$(date +%s.%N)
cat "$dump"/*.tess >"$dump/tesseract.tsv"
symbols=$(wc -l <"$dump/truth.tsv")
echo "tesseract wall time: $(echo "($end - $start) * 1000 / $symbols" | bc -l | cut -c1-5) ms/symbol (two calls, ${JOBS:-2} jobs)"
python3 "$here/tesseract_text.py" "$dump/truth.tsv" "$dump/tesseract.tsv"
