#!/usr/bin/env bash
# Peak memory of `trawl index` on inputs that could blow it up: a corpus ten times larger than
# the Enron half, one 1 GB mbox, one 200 MB message, a 3 GB binary file (a disk image), a chat
# export of a group with 10,000 members, a zip of 100,000 messages. Prints peak RSS next to the
# baseline, split into anonymous memory (heap: what the process owns) and file-backed pages
# (mapped segments).
#
#   bench/memory.sh [WORK_DIR]            # MEMORY=64 bench/memory.sh: another --memory budget
#   INPUTS="bin-3gb chat-10k" bench/memory.sh      # some inputs only
#   TRAWL=/path/to/older/trawl bench/memory.sh     # another build (skips the cargo build)
#
# Needs the Enron half from ../shared/corpora (unpacked here) to draw the generated corpora from.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/trawl-memory}
TARBALL=${TARBALL:-$HERE/../shared/corpora/enron-inbox-half.tar.gz}
mkdir -p "$WORK"
if [ -z "${TRAWL:-}" ]; then
  (cd "$HERE" && cargo build --release --locked -q)
  TRAWL=$HERE/target/release/trawl
fi

MEMORY=${MEMORY:-256}
INPUTS=${INPUTS:-"gen-1x gen-10x mbox-1gb huge bin-3gb chat-10k zip-100k"}
wanted() { [[ " $INPUTS " == *" $1 "* ]]; }
if wanted gen-1x || wanted gen-10x || wanted mbox-1gb; then
  [ -d "$WORK/enron/maildir" ] || { mkdir -p "$WORK/enron" && tar -xzf "$TARBALL" -C "$WORK/enron"; }
fi
gen() { wanted "$1" || return 0; [ -d "$WORK/$1" ] || "$TRAWL" bench corpus "$WORK/enron/maildir" "$WORK/$1" "${@:2}"; }
gen gen-1x -n 26059 --seed 42
gen gen-10x -n 260590 --seed 42
gen mbox-1gb -n 560000 --seed 7 --mbox 560000
if [ ! -d "$WORK/huge" ]; then
  mkdir -p "$WORK/huge"
  python3 - "$WORK/huge/200mb.eml" <<'PY'
import base64, os, sys
with open(sys.argv[1], "wb") as f:
    f.write(b"From: a@huge.example.com\nTo: b@huge.example.com\nSubject: a 200 MB message\n"
            b"Date: Mon, 3 Oct 2016 10:00:00 +0000\nMIME-Version: 1.0\n"
            b"Content-Type: multipart/mixed; boundary=BB\n\n--BB\nContent-Type: text/plain\n\n"
            + b"the body words of a very large message\n" * 1000
            + b"--BB\nContent-Type: application/octet-stream; name=blob.bin\n"
            b"Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=blob.bin\n\n")
    chunk = os.urandom(57 * 1024)
    for _ in range(2700):
        enc = base64.encodebytes(chunk)
        f.write(enc)
    f.write(b"--BB--\n")
PY
fi

if [ ! -d "$WORK/bin-3gb" ]; then
  # Sparse: 3 GB to whoever reads it, no disk space.
  mkdir -p "$WORK/bin-3gb"
  python3 -c 'import sys; f = open(sys.argv[1], "wb"); f.write(b"\x7fELF\x02\x01\x01" + bytes(9)); f.truncate(3 << 30)' "$WORK/bin-3gb/disk.img"
fi
if [ ! -d "$WORK/chat-10k" ]; then
  # A Telegram supergroup export: 10,000 members, each writing two messages.
  mkdir -p "$WORK/chat-10k"
  python3 - "$WORK/chat-10k/result.json" <<'PY'
import json, sys
msgs = [{"id": i, "type": "message", "date": "2020-01-01T10:00:00", "date_unixtime": str(1577872800 + i),
         "from": f"Member {i % 10000}", "from_id": f"user{i % 10000}", "text": f"message number {i} in the big group"}
        for i in range(20000)]
json.dump({"name": "Big group", "type": "public_supergroup", "id": 99, "messages": msgs}, open(sys.argv[1], "w"))
PY
fi
if [ ! -d "$WORK/zip-100k" ]; then
  mkdir -p "$WORK/zip-100k"
  python3 - "$WORK/zip-100k/bundle.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(100000):
        z.writestr(f"mail/{i // 1000}/{i}.eml",
                   f"From: a{i % 97}@zip.example.com\nTo: b{i % 89}@zip.example.com\nSubject: member {i}\n"
                   f"Date: Mon, 3 Oct 2016 10:00:00 +0000\n\nthe body of member {i}\n")
PY
fi
printf '%-12s %12s %10s %10s %12s %10s %10s\n' input messages MB wall_s peak_RSS_MB anon_MB file_MB
for d in $INPUTS; do
  "$TRAWL" bench index --json --memory "$MEMORY" "$WORK/$d" | python3 -c '
import json, sys; r = json.load(sys.stdin)
print(f"%-12s %12d %10.0f %10.2f %12.0f %10.0f %10.0f" % (sys.argv[1], r["messages"], r["bytes"] / 1e6, r["wall_secs"], r["peak_rss_mb"], r["peak_anon_mb"] or 0, r["peak_file_mb"] or 0))' "$d"
done
