#!/usr/bin/env bash
# Threads on an index (BENCHMARKS.md, "Threads"): the threading and persons passes as
# `trawl bench index` times them (3 runs), then the latency of `--threads`, `trawl thread`,
# `is:inclusive` and a search without threads for comparison, a fresh process each, interleaved
# round by round with bench/ab.sh.
#
#   DUMP=/tmp/enron TRAWL=target/release/trawl ROUNDS=7 bench/threads.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
trawl=$(realpath "${TRAWL:-target/release/trawl}")
dump=${DUMP:?DUMP: the dump to index}
rounds=${ROUNDS:-7}
for _ in 1 2 3; do
  "$trawl" bench index "$dump" --json 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
s = r["stages"]
w, t, p = r["wall_secs"], s["thread_secs"], s["people_secs"]
print(f"index {w:.2f} s: threads {t:.2f} s, persons {p:.2f} s (side by side)")'
done
index=$(mktemp -d)/ix
"$trawl" index -q "$dump" --index "$index"
thread=$("$trawl" --index "$index" search --threads --json --all '*' | python3 -c '
import json, sys
best = max((json.loads(l) for l in sys.stdin if "\"thread\"" in l), key=lambda t: t.get("messages", 0))
print(best["thread"])')
echo "threads: $("$trawl" --index "$index" search --threads --count '*'), the largest $thread" >&2
"$here/ab.sh" "$rounds" \
  "count=$trawl --index $index search --count '*'" \
  "threads-count=$trawl --index $index search --threads --count '*'" \
  "threads-page=$trawl --index $index search --threads --limit 20 'subject:meeting'" \
  "inclusive-count=$trawl --index $index search --count 'is:inclusive'" \
  "thread-largest=$trawl --index $index thread $thread"
