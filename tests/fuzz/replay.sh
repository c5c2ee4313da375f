#!/bin/sh
# SPDX-License-Identifier: MIT
# Replays the seed corpus of every fuzz target (tests/fuzz/corpus/NAME,
# crashes found and fixed included) through the target once: with the
# standalone driver, or with libFuzzer when built --enable-fuzzing (both
# run the files named on the command line).
. "$top_srcdir/tests/lib/common.sh"

n=0
for dir in "$top_srcdir"/tests/fuzz/corpus/*/; do
	name=$(basename "$dir")
	bin=$top_builddir/tests/fuzz/fuzz-$name
	[ -x "$bin" ] || fail "no target for the corpus $name: $bin"
	set -- "$dir"*
	[ -e "$1" ] || fail "empty corpus: $dir"
	"$bin" "$@" >"$T/$name.log" 2>&1 ||
		{ tail -40 "$T/$name.log" >&2; fail "fuzz-$name crashed"; }
	ok "fuzz-$name: $# inputs"
	n=$((n + 1))
done
[ "$n" -ge 8 ] || fail "only $n corpora"
