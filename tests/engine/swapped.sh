#!/bin/sh
# SPDX-License-Identifier: MIT
# Chunks moved where they do not belong: two slots of a drive swapped, a
# slot copied from another drive of the set, a drive of another set given
# with the set. verify names the drive and the chunks; restore restores
# nothing of the foreign drive and names it.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
DSIMG="perl $top_srcdir/tests/lib/dsimg"

mkdir "$T/st"
randfile "$T/st/a.bin" 9M
mkdrives 2 8M
# shellcheck disable=SC2086
prep 0 "$T/st" swp $DRIVES
cs=$($DSIMG hdr "$T/d1.img" | sed -n 's/^chunk_size=//p')
doff=$($DSIMG hdr "$T/d1.img" | sed -n 's/^data_off=//p')
[ "$($DSIMG chunks "$T/d2.img" | wc -l)" -gt 10 ] || fail "d2 holds too little"

# slot SRC_IMG N DST_IMG M: copies slot N of SRC over slot M of DST.
slot() {
	dd if="$1" of="$3" bs="$cs" skip=$(( (doff + $2 * cs) / cs )) \
	    seek=$(( (doff + $4 * cs) / cs )) count=1 conv=notrunc status=none
}

cp "$T/d1.img" "$T/sw.img"
slot "$T/d1.img" 3 "$T/sw.img" 7
slot "$T/d1.img" 7 "$T/sw.img" 3
expect_rc 4 "$DISKSEED" verify "$T/sw.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "sw\.img"
grep_q "$T/all" "[Cc]hunk[^0-9]*3([^0-9]|$)"
grep_q "$T/all" "[Cc]hunk[^0-9]*7([^0-9]|$)"
ok "swapped slots named"

cp "$T/d2.img" "$T/other.img"
slot "$T/d1.img" 5 "$T/other.img" 5
expect_rc 4 "$DISKSEED" verify "$T/other.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "other\.img"
grep_q "$T/all" "[Cc]hunk[^0-9]*5([^0-9]|$)"
ok "a chunk of another drive named"

# A drive of another set, given with this one.
mkdir "$T/st2"
echo other > "$T/st2/other.txt"
mkimage "$T/x.img" 8M
prep 0 "$T/st2" swp2 "$T/x.img"
expect_rc_in "1 2 4" "$DISKSEED" restore --to "$T/r" "$T/d1.img" "$T/x.img" \
    "$T/d2.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "x\.img"
[ ! -e "$T/r/other.txt" ] || fail "restored a file of another drive set"
ok "a drive of another set named"
