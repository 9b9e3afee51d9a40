#!/usr/bin/env bash
# PDF text extraction side by side: trawl (its built-in extractor, each PDF in a sandboxed child
# process, as `trawl index` runs it) against poppler's `pdftotext`, on the same real PDFs, one
# thread each. Reports CPU seconds per page for both, and how much of pdftotext's text trawl
# finds: per PDF, the share of pdftotext's distinct words (lower-cased runs of letters and
# digits) that occur in trawl's text, then the median and the worst over the set.
#
#   bench/pdf.sh [PDF_DIR]          # TRAWL=path/to/trawl to use a built binary
#
# Without PDF_DIR, the set is the LaTeX documentation of Debian's `texlive-latex-base-doc`
# package (269 real PDFs typeset by pdfTeX, 105 MB), fetched with `apt-get download` and
# unpacked under $WORK, never installed. Needs `pdftotext` and `pdfinfo` (poppler-utils).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/trawl-pdf}
mkdir -p "$WORK"
for tool in pdftotext pdfinfo /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/pdf.sh: needs $tool (apt-get install poppler-utils time)" >&2; exit 2; }
done
if [ $# -ge 1 ]; then
  PDFS=$(cd "$1" && pwd)
else
  PDFS=$WORK/texlive-latex-base-doc
  if [ ! -d "$PDFS" ]; then
    (cd "$WORK" && apt-get download texlive-latex-base-doc >/dev/null 2>&1)
    mkdir -p "$WORK/deb" "$PDFS"
    dpkg-deb -x "$WORK"/texlive-latex-base-doc_*.deb "$WORK/deb"
    find "$WORK/deb" -name '*.pdf' -exec cp {} "$PDFS/" \;
  fi
fi
if [ -z "${TRAWL:-}" ]; then
  (cd "$HERE" && cargo build --release --locked -q)
  TRAWL=$HERE/target/release/trawl
fi

files=$(find "$PDFS" -maxdepth 1 -name '*.pdf' | wc -l)
pages=0
for f in "$PDFS"/*.pdf; do
  n=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
  pages=$((pages + ${n:-0}))
done

# pdftotext, one file after another.
rm -rf "$WORK/poppler" && mkdir -p "$WORK/poppler"
/usr/bin/time -f "%U %S %e" -o "$WORK/poppler.time" sh -c '
  for f in "$1"/*.pdf; do pdftotext -q "$f" "$2/$(basename "$f" .pdf).txt" || true; done
' sh "$PDFS" "$WORK/poppler"

# trawl, one parse thread; its time includes hashing, indexing and the commit.
rm -rf "$WORK/index"
/usr/bin/time -f "%U %S %e" -o "$WORK/trawl.time" \
  "$TRAWL" --index "$WORK/index" index -q -j 1 "$PDFS" >/dev/null 2>"$WORK/trawl.log"
"$TRAWL" --index "$WORK/index" export '*' >"$WORK/trawl.jsonl"

python3 - "$WORK" "$files" "$pages" <<'EOF'
import json, os, re, statistics, sys
work, files, pages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def cpu(name):
    user, system, wall = open(os.path.join(work, name + ".time")).read().split()
    return float(user) + float(system), float(wall)
words = lambda text: set(re.findall(r"[^\W_]+", text.lower()))
trawl = {}
for line in open(os.path.join(work, "trawl.jsonl")):
    d = json.loads(line)
    name = os.path.basename(d["path"][0])
    trawl[os.path.splitext(name)[0]] = " ".join(d.get("body", []))
shares, failed = [], []
for txt in sorted(os.listdir(os.path.join(work, "poppler"))):
    base = os.path.splitext(txt)[0]
    ref = words(open(os.path.join(work, "poppler", txt), errors="replace").read())
    if not ref:
        continue
    if base not in trawl:
        failed.append(base)
        shares.append(0.0)
        continue
    shares.append(len(ref & words(trawl[base])) / len(ref))
(pc, pw), (tc, tw) = cpu("poppler"), cpu("trawl")
print(f"| tool | PDFs | pages | CPU s | wall s | ms CPU per page |")
print(f"|---|---|---|---|---|---|")
print(f"| pdftotext | {files} | {pages} | {pc:.1f} | {pw:.1f} | {1000 * pc / pages:.1f} |")
print(f"| trawl index -j 1 | {files} | {pages} | {tc:.1f} | {tw:.1f} | {1000 * tc / pages:.1f} |")
print()
print(f"trawl / pdftotext CPU: {tc / pc:.2f}")
shares.sort()
print(f"share of pdftotext's words trawl finds, per PDF: median {statistics.median(shares):.3f}, "
      f"worst {shares[0]:.3f}, PDFs under 0.9: {sum(s < 0.9 for s in shares)} of {len(shares)}")
if failed:
    print(f"PDFs trawl gave no document for: {len(failed)} ({', '.join(failed[:5])}...)")
EOF
grep -E 'skipped|timeout|crash' "$WORK/trawl.log" | head -5 || true
