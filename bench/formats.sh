#!/usr/bin/env bash
# Indexing throughput per input format: each fixture of sample_corpus/ copied N times into its
# own dump (distinct paths, same content), indexed with `trawl bench index`, one table row per
# format. The mail row uses the Enron half when ../shared/corpora is present.
#
#   bench/formats.sh [N]          # N copies of each fixture, default 300
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-300}
WORK=${WORK:-/tmp/trawl-formats}
SC=$HERE/sample_corpus
(cd "$HERE" && cargo build --release --locked -q)
TRAWL=$HERE/target/release/trawl
rm -rf "$WORK" && mkdir -p "$WORK"

copies() { # NAME SOURCE... : N copies of each source (files or directories) under $WORK/NAME/i/
  local name=$1; shift
  for i in $(seq "$N"); do
    mkdir -p "$WORK/$name/$i"
    cp -r "$@" "$WORK/$name/$i/"
  done
}
copies twitter-dm "$SC/chat/twitter-archive"
copies slack "$SC/chat/slack-export"
copies telegram "$SC/chat/telegram/result.json"
copies whatsapp "$SC/chat/whatsapp/"*.txt
copies pdf "$SC/documents/oppo-research-memo.pdf"
copies docx "$SC/documents/debate-prep.docx"
copies odt "$SC/documents/volunteer-plan.odt"
copies html "$SC/documents/press-release.html"
copies csv "$SC/documents/donors.csv"
copies text "$SC/documents/meeting-notes.txt"
copies zip "$SC/archives/leak-bundle.zip"
copies mbox "$SC/mbox/sam.mbox"
# Formats sample_corpus/ does not have, from tests/fixtures/ (sources in its README).
FX=$HERE/tests/fixtures
copies msg "$FX/msg/attachAndInline.msg"
copies emlx "$FX/emlx/testEMLX.emlx"
copies xlsx "$FX/office/testEXCEL.xlsx"
copies xls "$FX/office/testEXCEL.xls"
copies ods "$FX/office/LibreOfficeCalc_ods_1.3.ods"
copies pptx "$FX/office/testPPT.pptx"
copies ppt "$FX/office/testPPT.ppt"
copies odp "$FX/office/LibreOfficeImpress_odp_1.3.odp"
copies doc "$FX/office/testWORD_various.doc"
copies rtf "$FX/office/testRTF-ms932.rtf"
copies 7z "$FX/archives/test-documents.7z"
copies rar "$FX/archives/rar3-solid.rar"
copies tar.xz "$FX/archives/memo.tar.xz"
copies pst "$FX/pst/support.pst"
copies jpeg "$FX/images/testJPEG_GEO.jpg"
# Undeclared Shift-JIS text: the cost of charset detection.
python3 -c 'import sys; open(sys.argv[1], "w", encoding="shift_jis").write("送金の記録は社内の担当者にだけ送られた。羅生門の下で雨やみを待っていた。\n" * 60)' "$WORK/notes-sjis.txt"
copies shift-jis-text "$WORK/notes-sjis.txt" && rm "$WORK/notes-sjis.txt"
if [ -f "$HERE/../shared/corpora/enron-inbox-half.tar.gz" ]; then
  mkdir -p "$WORK/email-enron" && tar -xzf "$HERE/../shared/corpora/enron-inbox-half.tar.gz" -C "$WORK/email-enron"
fi

printf '| format | files | documents | MB | wall s | documents/s | MB/s |\n|---|---|---|---|---|---|---|\n'
for d in "$WORK"/*/; do
  name=$(basename "$d")
  "$TRAWL" bench index --json "$d" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("| %s | %d | %d | %.1f | %.2f | %.0f | %.1f |" % (sys.argv[1], r["files"], r["messages"], r["bytes"] / 1e6, r["wall_secs"], r["messages_per_sec"], r["mb_per_sec"]))' "$name"
done
