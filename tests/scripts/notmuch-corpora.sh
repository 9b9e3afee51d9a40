#!/usr/bin/env bash
# Fetches notmuch's test corpora (GPL-3, so not kept in this repository) into
# target/notmuch-corpora/, from Debian's source package of notmuch, for tests/cli/notmuch.rs.
# Uses a private apt source list: the machine's own apt configuration is left as it is.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$HERE/target/notmuch-corpora
[ -d "$OUT/default" ] && exit 0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/lists/partial"
echo "deb-src http://deb.debian.org/debian bookworm main" >"$WORK/sources.list"
APT=(-qq -o "Dir::Etc::SourceList=$WORK/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$WORK/lists")
apt-get "${APT[@]}" update
(cd "$WORK" && apt-get "${APT[@]}" source --download-only notmuch >/dev/null 2>&1)
tar -xJf "$WORK"/notmuch_*.orig.tar.xz -C "$WORK"
mkdir -p "$(dirname "$OUT")"
cp -r "$WORK"/notmuch-*/test/corpora "$OUT"
echo "notmuch test corpora in $OUT"
