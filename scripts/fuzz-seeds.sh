#!/usr/bin/env bash
# Copies the seeds of fuzz target TARGET into DIR, for scripts/fuzz.sh and
# scripts/fuzz-resources.sh: every file under 512 KiB in tests/data but
# its fuzz/ folder and READMEs (the sample corpus and each format's own test
# inputs, so every format has a seed), each named by its path (files of the
# same name in different folders are all kept), and TARGET's saved
# regressions (tests/data/fuzz/TARGET/). Files already in DIR stay as they
# are. Prints how many seed files DIR holds.
#
# usage: scripts/fuzz-seeds.sh TARGET DIR
set -euo pipefail
t=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
cd "$(dirname "$0")/../tests/data"
# `-size -512k`: under 512 KiB. (find rounds sizes up to whole units, so
# `-size -1M` would match empty files only.)
find . -path ./fuzz -prune -o -type f -size -512k ! -name 'LICENSE*' ! -name '*.md' -print0 |
  while IFS= read -r -d '' f; do f=${f#./}; cp -n "$f" "$dir/${f//\//__}"; done
if [ -d "fuzz/$t" ]; then cp -n "fuzz/$t"/* "$dir/"; fi
find "$dir" -type f | wc -l
