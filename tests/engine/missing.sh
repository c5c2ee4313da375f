#!/bin/sh
# SPDX-License-Identifier: MIT
# One drive of three missing: verify and restore name it (by its number
# in the set or its file name) and restore what the others hold: three
# 8 MiB files on 12 MiB drives put one whole file on drive 1 and the
# second one on drives 1 and 2.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir -p "$T/st"
for f in x y z; do randfile "$T/st/$f.bin" 8M; done
mkdrives 3 12M
# shellcheck disable=SC2086
prep 0 "$T/st" miss $DRIVES
# shellcheck disable=SC2086
all_hold_chunks $DRIVES

# Counts the files restored into $1 in $n, failing on any that differs.
restored() {
	n=0
	for f in $(cd "$1" && find . -type f); do
		cmp -s "$T/st/$f" "$1/$f" || fail "$f restored wrong"
		n=$((n + 1))
	done
}

# Without the middle drive: verify (plain and deep) names the gap.
for deep in "" "--deep $T/st"; do
	# shellcheck disable=SC2086
	expect_rc 4 "$DISKSEED" verify $deep "$T/d1.img" "$T/d3.img"
	cat "$T/out" "$T/err" > "$T/all"
	grep_q "$T/all" "[Mm]issing|[Mm]anca"
	grep_q "$T/all" "([Dd]rive|[Uu]nità)[^0-9]*(1|2)([^0-9]|$)|d2\.img"
done
# A drive alone verifies.
expect_rc 0 "$DISKSEED" verify "$T/d2.img"
expect_rc 4 "$DISKSEED" restore --to "$T/r" "$T/d3.img" "$T/d1.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "[Mm]issing|[Mm]anca"
restored "$T/r"
[ "$n" -ge 1 ] || fail "no file restored without the middle drive"
ok "missing middle drive named, $n files restored"

# Without the last drive.
expect_rc 4 "$DISKSEED" restore --to "$T/r2" "$T/d1.img" "$T/d2.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "[Mm]issing|[Mm]anca"
grep_q "$T/all" "([Dd]rive|[Uu]nità)[^0-9]*(2|3)([^0-9]|$)|d3\.img"
restored "$T/r2"
[ "$n" -ge 2 ] || fail "only $n files restored without the last drive"
ok "missing last drive named, $n files restored"
