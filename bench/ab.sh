#!/usr/bin/env bash
# Interleaved A/B timing: runs each command once per round, round after round, and prints the
# median and minimum wall and CPU (user + system) time of each. Interleaving matters on a shared
# VM, whose speed drifts during a run: every command sees the same drift.
#
#   bench/ab.sh ROUNDS "LABEL=COMMAND" ["LABEL=COMMAND" ...]
#   bench/ab.sh 8 "trawl=target/release/trawl --index \$AB/ix index -q -j 2 DUMP" \
#                 "tantivy-cli=mkdir -p \$AB/t && cp meta.json \$AB/t && tantivy index -i \$AB/t -t 2 -f docs.ndjson"
#
# Each command runs in bash with $AB set to a scratch directory, emptied before every run.
set -euo pipefail
rounds=$1; shift
AB=$(mktemp -d)
export AB
results=$(mktemp)
for _ in $(seq "$rounds"); do
  for spec in "$@"; do
    label=${spec%%=*}; cmd=${spec#*=}
    rm -rf "$AB" && mkdir -p "$AB"
    sync
    start=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$results.time" bash -c "$cmd" >/dev/null 2>"$results.err" || {
      echo "$label failed:" >&2; cat "$results.err" >&2; exit 1; }
    end=$(date +%s.%N)
    read -r user sys < "$results.time"
    echo "$label $start $end $user $sys" >> "$results"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, start, end, user, sys_ = line.split()
    runs.setdefault(label, []).append((float(end) - float(start), float(user) + float(sys_)))
for label, r in runs.items():
    wall, cpu = [w for w, _ in r], [c for _, c in r]
    print(f"{label:24s} wall median {statistics.median(wall):.3f} s, min {min(wall):.3f}"
          f"   CPU median {statistics.median(cpu):.3f} s, min {min(cpu):.3f}"
          f"   walls {' '.join(f'{w:.2f}' for w in wall)}")
PY
rm -rf "$AB" "$results" "$results.time" "$results.err"
