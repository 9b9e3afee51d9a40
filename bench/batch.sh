#!/usr/bin/env bash
# `trawl batch` against one `trawl search --count` per query, side by side (BENCHMARKS.md,
# "Batch search"). First checks that batch's `families` equal the separate counts, query by
# query, then times, interleaved round by round with bench/ab.sh: the batch alone, the batch
# with a matrix by custodian and by month, and the separate runs (labels without spaces:
# ab.sh splits on them) (a process each, as a script
# or a reviewer would run them).
#
#   INDEX=/tmp/enron-ix TRAWL=target/release/trawl ROUNDS=5 bench/batch.sh [TERMS_FILE]
#
# TERMS_FILE defaults to bench/batch-terms.tsv (label<TAB>query, # comments).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
terms=${1:-$here/batch-terms.tsv}
trawl=$(realpath "${TRAWL:-target/release/trawl}")
index=${INDEX:?INDEX: the index to query}
rounds=${ROUNDS:-5}
# The queries alone: what follows the tab, or the whole line.
queries=$(mktemp)
grep -v '^[[:space:]]*#' "$terms" | grep -v '^[[:space:]]*$' | while IFS= read -r line; do
  case $line in *$'\t'*) printf '%s\n' "${line#*$'\t'}" ;; *) printf '%s\n' "$line" ;; esac
done > "$queries"
echo "$(wc -l < "$queries") queries" >&2
separate=$(while IFS= read -r q; do "$trawl" --index "$index" search --count -- "$q" || true; done < "$queries")
batched=$("$trawl" --index "$index" batch --csv "$terms" | python3 -c '
import csv, sys
for row in csv.DictReader(sys.stdin):
    print(row["families"])')
if [ "$separate" != "$batched" ]; then
  echo "batch and search --count disagree:" >&2
  diff <(echo "$separate") <(echo "$batched") >&2 || true
  exit 1
fi
echo "batch families = search --count for every query" >&2
export BATCH_QUERIES=$queries
"$here/ab.sh" "$rounds" \
  "batch=$trawl --index $index batch $terms" \
  "batch-by-custodian=$trawl --index $index batch --by custodian $terms" \
  "batch-by-month=$trawl --index $index batch --by month $terms" \
  "separate-search-count=while IFS= read -r q; do $trawl --index $index search --count -- \"\$q\" || true; done < $queries"
