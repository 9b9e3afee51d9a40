#!/usr/bin/env bash
# OCR: trawl index --ocr against the tesseract command line on the same images, side by side.
#
#   bench/ocr.sh                              # ../shared/corpora/formats/ocr, target/release/trawl
#   TRAWL=target/debug/trawl IMAGES=/some/scans RUNS=5 bench/ocr.sh
#
# For each image (JPEG, PNG, TIFF, and the image-only PDF, which trawl renders with pdftoppm):
# - time per image, median of RUNS: `tesseract IMG stdout -l eng` (with OMP_THREAD_LIMIT=1, as
#   trawl runs it: one core per file, the parse pool using the others) against
#   `trawl index --ocr -j 1` of a folder holding that image alone (the whole run: start, sniff,
#   EXIF, the tesseract child, the index commit), and `trawl index -j 1` of it without --ocr (what
#   OCR adds is the difference). For the PDF, the command line is `pdftoppm -r 300 -gray -png` then
#   `tesseract` on each page;
# - text agreement: the words (lower-cased runs of letters and digits) of trawl's document body
#   (`trawl show --json`) against those of the command line's output, as the share of the
#   command line's words that trawl has, in order (difflib's matching blocks), and as exact
#   equality of the word lists;
# - accuracy, where the corpus has the expected text beside the image (`X.txt` for `X.tif`):
#   the share of its words that trawl's text has, in order.
# Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TRAWL=${TRAWL:-target/release/trawl}
IMAGES=${IMAGES:-../shared/corpora/formats/ocr}
RUNS=${RUNS:-3}
[ -x "$TRAWL" ] || { echo "bench/ocr.sh: no $TRAWL (cargo build --release)" >&2; exit 2; }
command -v tesseract >/dev/null || { echo "bench/ocr.sh: tesseract is not installed" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export OMP_THREAD_LIMIT=1

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

rows=$WORK/rows.tsv
: > "$rows"
find "$IMAGES" -maxdepth 2 -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.tif' -o -iname '*.pdf' \) | sort |
while read -r img; do
  name=$(basename "$img")
  dir=$WORK/one/$name
  mkdir -p "$dir" && cp "$img" "$dir/"
  cli_times=() ocr_times=() plain_times=()
  for _ in $(seq "$RUNS"); do
    start=$(now)
    case "$name" in
      *.pdf)
        rm -rf "$WORK/pages" && mkdir "$WORK/pages"
        pdftoppm -r 300 -gray -png "$img" "$WORK/pages/p"
        for p in "$WORK"/pages/*.png; do tesseract "$p" stdout -l eng 2>/dev/null; done > "$WORK/cli.txt" ;;
      *) tesseract "$img" stdout -l eng 2>/dev/null > "$WORK/cli.txt" ;;
    esac
    cli_times+=("$(echo "$(now) - $start" | bc)")
    rm -rf "$WORK/ix"
    start=$(now)
    "$TRAWL" --index "$WORK/ix" index -q -j 1 --ocr "$dir"
    ocr_times+=("$(echo "$(now) - $start" | bc)")
    rm -rf "$WORK/ix-plain"
    start=$(now)
    "$TRAWL" --index "$WORK/ix-plain" index -q -j 1 "$dir"
    plain_times+=("$(echo "$(now) - $start" | bc)")
  done
  id=$("$TRAWL" --index "$WORK/ix" search --json -- '*' | python3 -c '
import json, sys
for l in sys.stdin:
    v = json.loads(l)
    if v["type"] == "hit":
        print(v["id"]); break')
  "$TRAWL" --index "$WORK/ix" show --json "$id" > "$WORK/trawl.json"
  expected=${img%.*}.txt
  [ -f "$expected" ] || expected=""
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" \
    "$(printf '%s\n' "${cli_times[@]}" | median)" \
    "$(printf '%s\n' "${ocr_times[@]}" | median)" \
    "$(printf '%s\n' "${plain_times[@]}" | median)" \
    "$WORK/trawl.json" "$WORK/cli.txt" "$expected" > "$WORK/row"
  python3 - "$WORK/row" >> "$rows" <<'PY'
import difflib, json, re, sys
name, cli_t, ocr_t, plain_t, trawl_json, cli_txt, expected = open(sys.argv[1]).read().rstrip("\n").split("\t")
words = lambda s: re.findall(r"[^\W_]+", s.lower())
doc = json.load(open(trawl_json))
body = doc.get("body") or ""
t, c = words(body), words(open(cli_txt, errors="replace").read())
def share(have, want):
    if not want:
        return 1.0 if not have else 0.0
    m = difflib.SequenceMatcher(None, want, have, autojunk=False)
    return sum(b.size for b in m.get_matching_blocks()) / len(want)
acc = ""
if expected:
    acc = f"{share(t, words(open(expected, errors='replace').read())):.1%}"
print("\t".join([name, cli_t, ocr_t, plain_t, str(len(c)), str(len(t)),
                 f"{share(t, c):.1%}", "yes" if t == c else "no", acc or "–"]))
PY
  rm -rf "$WORK/ix" "$WORK/ix-plain"
done

echo "| image | tesseract CLI s | trawl index --ocr s | trawl index (no OCR) s | OCR in trawl s | CLI words | trawl words | CLI words trawl has | same words | expected words trawl has |"
echo "|---|---|---|---|---|---|---|---|---|---|"
awk -F'\t' '{printf "| `%s` | %.2f | %.2f | %.2f | %.2f | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $3-$4, $5, $6, $7, $8, $9}' "$rows"
awk -F'\t' '{c+=$2; o+=$3; p+=$4; n++} END {printf "| **all %d** | %.2f | %.2f | %.2f | %.2f | | | | | |\n", n, c, o, p, o-p}' "$rows"
