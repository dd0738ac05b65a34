#!/usr/bin/env bash
# Runs one fuzz target the way CI does (meson's `fuzz` suite): a fixed, short run from the
# committed seed corpus. New inputs go to a scratch folder, never into the committed corpus.
# Usage: run-target.sh TARGET_BINARY NAME [libFuzzer flags...]
set -euo pipefail
exe=$1 name=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d "/tmp/versa-fuzz-$name.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
dict=()
[ -f "$here/dict/$name.dict" ] && dict=("-dict=$here/dict/$name.dict")
exec_status=0
"$exe" "${dict[@]}" -timeout=10 -rss_limit_mb=2048 "$@" "$scratch" "$here/corpus/fuzz_$name" \
    2>"$scratch.log" || exec_status=$?
grep -E "^#[0-9]+ +DONE|^Done [0-9]+ runs|ERROR|SUMMARY|==[0-9]+==" "$scratch.log" | tail -20 || true
rm -f "$scratch.log"
exit $exec_status
