#!/usr/bin/env bash
# Side-by-side indexing benchmark: trawl against the tools a journalist would otherwise use,
# on the same corpus, in one run, several rounds (each tool once per round), medians reported.
#
#   bench/compare.sh                       # the Enron half from ../shared/corpora
#   CORPUS_DIR=/path/to/maildir RUNS=5 bench/compare.sh
#   BASE_TRAWL=/path/to/older/trawl TOOLS="trawl trawl-base tantivy-cli tantivy-cli-base" bench/compare.sh
#                                          # an older build beside today's, to measure a change;
#                                          # tantivy-cli-base indexes the older build's documents
#   MID_TRAWL=/path/to/build/between TOOLS="... trawl-mid tantivy-cli-mid" bench/compare.sh
#                                          # a third build, between the two, the same way: to
#                                          # tell one change's cost from those after it
#
# Installs notmuch and mu (maildir-utils) with apt and tantivy-cli 0.24.0 with cargo (it builds
# on our rustc only without --locked). Writes $WORK/compare.md (a Markdown table) and prints it.
# Like for like:
# - every tool indexes the same real maildir (the Enron folders converted to cur/new/tmp, which
#   mu requires; file contents untouched);
# - tantivy-cli indexes `trawl export --ndjson` of the same messages with trawl's own schema
#   (`trawl export --schema`; our analyzer swapped for tantivy's `default`, which it lacks),
#   body stored as trawl stores it, the same thread count and the same memory budget; the
#   NDJSON conversion is not counted in its time. The one difference: tantivy-cli's build has
#   no zstd, so its document store is lz4 in 16 KiB blocks where trawl's is zstd in 64 KiB
#   blocks. TOOLS="... tantivy-cli-zstd" adds the same tantivy-cli built with zstd and given
#   trawl's store settings (not installed by default: it is not the packaged tool);
# - trawl's time includes reading and parsing the raw mail.
# Besides the tools, `trawl-apart` times trawl's two halves on their own (`bench index
# --stages-apart`): parsing alone, and the engine alone (documents parsed beforehand). The
# engine-alone row is the floor for any input side: how close trawl can come to tantivy-cli,
# and how far past mu and notmuch, on this machine.
set -euo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/trawl-compare}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
MEMORY_MIB=${MEMORY_MIB:-256}
TARBALL=${TARBALL:-$HERE/../shared/corpora/enron-inbox-half.tar.gz}
TOOLS=${TOOLS:-"trawl trawl-1core trawl-apart tantivy-cli notmuch mu"}

mkdir -p "$WORK"
log() { printf '%s\n' "$*" >&2; }

install_tools() {
  local need=()
  command -v notmuch >/dev/null || need+=(notmuch)
  command -v mu >/dev/null || need+=(maildir-utils)
  [ -x /usr/bin/time ] || need+=(time)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ ! -x "$WORK/tools/bin/tantivy" ]; then
    log "building tantivy-cli 0.24.0"
    cargo install tantivy-cli --version 0.24.0 --root "$WORK/tools" >/dev/null 2>&1
  fi
  if [[ " $TOOLS " == *" tantivy-cli-zstd "* ]] && [ ! -x "$WORK/tcli-zstd/target/release/tantivy" ]; then
    # The same tantivy-cli with tantivy's zstd feature, so its store can be compressed as
    # trawl's is. Its crate source is in cargo's registry after the install above; its
    # Cargo.lock pins crates that no longer build, so it resolves afresh like `cargo install`.
    log "building tantivy-cli 0.24.0 with zstd"
    rm -rf "$WORK/tcli-zstd"
    cp -r "$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/tantivy-cli-0.24.0 | head -1)" "$WORK/tcli-zstd"
    rm -f "$WORK/tcli-zstd/Cargo.lock"
    python3 - "$WORK/tcli-zstd/Cargo.toml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
dep = '[dependencies.tantivy]\nversion = "0.24"\n'
assert dep in s, "tantivy-cli's manifest changed"
open(p, "w").write(s.replace(dep, dep + 'features = ["zstd-compression"]\n'))
PY
    (cd "$WORK/tcli-zstd" && cargo build --release -q >/dev/null 2>&1)
  fi
  (cd "$HERE" && cargo build --release --locked -q)
}

prepare_corpus() {
  if [ -n "${CORPUS_DIR:-}" ]; then CORPUS=$CORPUS_DIR; return; fi
  CORPUS=$WORK/maildir
  [ -d "$CORPUS" ] && return
  log "unpacking $TARBALL and converting it to maildirs"
  rm -rf "$WORK/raw" && mkdir -p "$WORK/raw"
  tar -xzf "$TARBALL" -C "$WORK/raw"
  (cd "$WORK/raw/maildir" && find . -type f) | while IFS= read -r f; do
    d=$(dirname "$f"); b=$(basename "$f")
    mkdir -p "$CORPUS/$d/cur" "$CORPUS/$d/new" "$CORPUS/$d/tmp"
    cp "$WORK/raw/maildir/$f" "$CORPUS/$d/cur/$b:2,S"
  done
  rm -rf "$WORK/raw"
}

# run NAME SETUP_CMD CMD SIZE_DIR: runs CMD once after SETUP_CMD, records wall time, CPU time
# (user + system), peak RSS and the size of SIZE_DIR afterwards.
run() {
  local name=$1 setup=$2 cmd=$3 dir=$4 i=$5
  eval "$setup"
  sync
  /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.txt" bash -c "$cmd" >/dev/null 2>"$WORK/$name.err" || {
    log "$name failed:"; cat "$WORK/$name.err" >&2; return 1; }
  read -r secs kb user sys < "$WORK/time.txt"
  size=$(du -sb "$dir" | cut -f1)
  cpu=$(python3 -c "print(f'{$user + $sys:.2f}')")
  echo "$name $i $secs $kb $size $cpu" >> "$WORK/results.txt"
  log "$name run $i: ${secs}s (CPU ${cpu}s), peak RSS $((kb / 1024)) MB, index $((size / 1000000)) MB"
}

# run_apart: `trawl bench index --stages-apart`, which parses the whole corpus first (documents
# held in memory), then indexes it with every CPU free for the engine. Records two rows: parsing
# alone, and the engine alone (index + commit + merge): the time trawl would take if reading
# and parsing mail cost nothing. No RSS or index size: the run holds every document.
run_apart() {
  local i=$1
  sync
  "$TRAWL" bench index --stages-apart --json -j "$THREADS" --memory "$MEMORY_MIB" "$CORPUS" > "$WORK/apart.json"
  python3 - "$WORK/apart.json" "$i" >> "$WORK/results.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); s = r["stages"]; i = sys.argv[2]
print(f"trawl-parse-alone {i} {s['parse_secs']:.3f} 0 0 0")
print(f"trawl-engine-alone {i} {s['index_secs'] + s['commit_secs'] + s['merge_secs']:.3f} 0 0 0")
PY
  log "trawl stages apart run $i: $(tail -2 "$WORK/results.txt" | awk '{printf "%s %ss  ", $1, $3}')"
}

install_tools
prepare_corpus
TRAWL=$HERE/target/release/trawl
MESSAGES=$(find "$CORPUS" -type f -path '*/cur/*' | wc -l)
CORPUS_MB=$(( $(du -sb "$CORPUS" | cut -f1) / 1000000 ))
: > "$WORK/results.txt"
log "corpus: $CORPUS ($MESSAGES messages, $CORPUS_MB MB), $RUNS runs each"

# tantivy_input TRAWL IX NAME: tantivy-cli's input and schema, made once by that trawl build
# itself: $WORK/NAME.ndjson and $WORK/NAME-meta.json (and NAME-meta-zstd.json, with trawl's own
# store settings, for the zstd build).
tantivy_input() {
  local trawl=$1 ix=$2 name=$3
  # Indexed afresh: an index left by an older trawl may have another schema.
  rm -rf "$ix" && "$trawl" --index "$ix" index -q "$CORPUS"
  "$trawl" --index "$ix" export --ndjson > "$WORK/$name.ndjson"
  "$trawl" --index "$ix" export --schema \
    | python3 -c 'import json,sys; s=json.load(sys.stdin)
for f in s:
    ix=f.get("options",{}).get("indexing")
    if ix and ix.get("tokenizer")=="trawl_text": ix["tokenizer"]="default"
print(json.dumps({"index_settings":{"docstore_compression":"lz4","docstore_blocksize":16384},"segments":[],"schema":s,"opstamp":0}))' \
    > "$WORK/$name-meta.json"
  python3 - "$WORK/$name-meta.json" "$ix/meta.json" > "$WORK/$name-meta-zstd.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["index_settings"] = json.load(open(sys.argv[2]))["index_settings"]
print(json.dumps(m))
PY
}
[[ " $TOOLS " == *" tantivy-cli"* ]] && tantivy_input "$TRAWL" "$WORK/trawl-ix" docs
# The bound of a change is each build's time over tantivy-cli's on that build's own documents:
# an older build may store fewer fields, which tantivy-cli then indexes faster too.
[[ " $TOOLS " == *" tantivy-cli-base "* ]] && tantivy_input "$BASE_TRAWL" "$WORK/base-ix" base
[[ " $TOOLS " == *" tantivy-cli-mid "* ]] && tantivy_input "$MID_TRAWL" "$WORK/mid-ix" mid

# Round robin (every tool once, then again) so that a machine whose speed drifts during the
# run (a shared VM does) does not favour whichever tool ran while it was fast.
for i in $(seq "$RUNS"); do
  for tool in $TOOLS; do
    case $tool in
      trawl)
        run trawl "rm -rf $WORK/trawl-ix" "$TRAWL --index $WORK/trawl-ix index -q -j $THREADS --memory $MEMORY_MIB $CORPUS" "$WORK/trawl-ix" "$i" ;;
      trawl-commits)
        # Commits every COMMIT_EVERY seconds (default 1) instead of the default 30: what the
        # crash-safety checkpoints cost when they happen often.
        run trawl-commits "rm -rf $WORK/commits-ix" "$TRAWL --index $WORK/commits-ix index -q -j $THREADS --memory $MEMORY_MIB --commit-every ${COMMIT_EVERY:-1} $CORPUS" "$WORK/commits-ix" "$i" ;;
      trawl-base)
        # Another build of trawl (BASE_TRAWL), same flags, to measure a change side by side.
        run trawl-base "rm -rf $WORK/base-ix" "$BASE_TRAWL --index $WORK/base-ix index -q -j $THREADS --memory $MEMORY_MIB $CORPUS" "$WORK/base-ix" "$i" ;;
      trawl-mid)
        run trawl-mid "rm -rf $WORK/mid-ix" "$MID_TRAWL --index $WORK/mid-ix index -q -j $THREADS --memory $MEMORY_MIB $CORPUS" "$WORK/mid-ix" "$i" ;;
      trawl-1core)
        # One core, one thread each for parsing and indexing: the base of the scaling ratio.
        run trawl-1core "rm -rf $WORK/trawl-ix1" "taskset -c 0 $TRAWL --index $WORK/trawl-ix1 index -q -j 1 --memory $MEMORY_MIB $CORPUS" "$WORK/trawl-ix1" "$i" ;;
      trawl-apart) run_apart "$i" ;;
      tantivy-cli)
        run tantivy-cli "rm -rf $WORK/tcli-ix && mkdir -p $WORK/tcli-ix && cp $WORK/docs-meta.json $WORK/tcli-ix/meta.json" \
          "$WORK/tools/bin/tantivy index -i $WORK/tcli-ix -t $THREADS -m $((MEMORY_MIB * 1048576)) -f $WORK/docs.ndjson" "$WORK/tcli-ix" "$i" ;;
      tantivy-cli-base)
        # tantivy-cli on BASE_TRAWL's documents and schema.
        run tantivy-cli-base "rm -rf $WORK/tcli-ix && mkdir -p $WORK/tcli-ix && cp $WORK/base-meta.json $WORK/tcli-ix/meta.json" \
          "$WORK/tools/bin/tantivy index -i $WORK/tcli-ix -t $THREADS -m $((MEMORY_MIB * 1048576)) -f $WORK/base.ndjson" "$WORK/tcli-ix" "$i" ;;
      tantivy-cli-mid)
        run tantivy-cli-mid "rm -rf $WORK/tcli-ix && mkdir -p $WORK/tcli-ix && cp $WORK/mid-meta.json $WORK/tcli-ix/meta.json" \
          "$WORK/tools/bin/tantivy index -i $WORK/tcli-ix -t $THREADS -m $((MEMORY_MIB * 1048576)) -f $WORK/mid.ndjson" "$WORK/tcli-ix" "$i" ;;
      tantivy-cli-zstd)
        run tantivy-cli-zstd "rm -rf $WORK/tcli-ix && mkdir -p $WORK/tcli-ix && cp $WORK/docs-meta-zstd.json $WORK/tcli-ix/meta.json" \
          "$WORK/tcli-zstd/target/release/tantivy index -i $WORK/tcli-ix -t $THREADS -m $((MEMORY_MIB * 1048576)) -f $WORK/docs.ndjson" "$WORK/tcli-ix" "$i" ;;
      notmuch)
        run notmuch "rm -rf $WORK/nm-db && mkdir -p $WORK/nm-db && printf '[database]\npath=$WORK/nm-db\nmail_root=$CORPUS\n[new]\ntags=unread;inbox\n[maildir]\nsynchronize_flags=false\n' > $WORK/nm.cfg" \
          "NOTMUCH_CONFIG=$WORK/nm.cfg notmuch new --quiet" "$WORK/nm-db" "$i" ;;
      mu)
        run mu "rm -rf $WORK/mu-home && mu init --quiet --muhome=$WORK/mu-home --maildir=$CORPUS >/dev/null" \
          "mu index --quiet --muhome=$WORK/mu-home" "$WORK/mu-home" "$i" ;;
    esac
  done
done

python3 - "$WORK/results.txt" "$MESSAGES" "$CORPUS_MB" "$RUNS" > "$WORK/compare.md" <<'PY'
import statistics, sys
path, messages, corpus_mb, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows, by_round = {}, {}
for line in open(path):
    name, i, secs, kb, size, cpu = line.split()
    rows.setdefault(name, []).append((float(secs), int(kb), int(size), float(cpu)))
    by_round.setdefault(name, {})[i] = float(secs)
med = {n: tuple(statistics.median(x[k] for x in r) for k in range(4)) for n, r in rows.items()}
def ratio(s, base):
    return f"{s / base:.2f}x" if base else "-"
def paired(name):
    # Each round's time over trawl's in the same round: a machine that drifts during the run
    # moves both, so these ratios are steadier than a ratio of medians.
    t = by_round.get("trawl", {})
    r = sorted(s / t[i] for i, s in by_round[name].items() if i in t)
    return f"{statistics.median(r):.2f}x ({r[0]:.2f}-{r[-1]:.2f})" if r else "-"
trawl, tcli = med.get("trawl", (None,))[0], med.get("tantivy-cli", (None,))[0]
print(f"Corpus: {messages} messages, {corpus_mb} MB; median of {runs} runs each.\n")
print("| tool | wall time | CPU time | messages/s | peak RSS | index size | time vs trawl | per round vs trawl | time vs tantivy-cli |")
print("|---|---|---|---|---|---|---|---|---|")
for n, (s, k, z, c) in med.items():
    cpu, rss, size = (f"{c:.2f} s", f"{k / 1024:.0f} MB", f"{z / 1e6:.0f} MB") if k else ("-", "-", "-")
    print(f"| {n} | {s:.2f} s | {cpu} | {messages / s:,.0f} | {rss} | {size} | {ratio(s, trawl)} | {paired(n)} | {ratio(s, tcli)} |")
def own(build, tool):
    # Per round, the build's time over tantivy-cli's on the build's own documents.
    a, b = by_round.get(build, {}), by_round.get(tool, {})
    r = sorted(a[i] / b[i] for i in a if i in b)
    return (statistics.median(r), r[0], r[-1]) if r else None
now, base = own("trawl", "tantivy-cli"), own("trawl-base", "tantivy-cli-base")
mid = own("trawl-mid", "tantivy-cli-mid")
if now and base:
    print(f"\nEach build over tantivy-cli on its own documents, per round: trawl {now[0]:.2f}x "
          f"({now[1]:.2f}-{now[2]:.2f}), trawl-base {base[0]:.2f}x ({base[1]:.2f}-{base[2]:.2f}); "
          f"the change {100 * (now[0] / base[0] - 1):+.0f}%.")
    if mid:
        print(f"trawl-mid {mid[0]:.2f}x ({mid[1]:.2f}-{mid[2]:.2f}): base to mid "
              f"{100 * (mid[0] / base[0] - 1):+.0f}%, mid to trawl {100 * (now[0] / mid[0] - 1):+.0f}%.")
PY
cat "$WORK/compare.md"
