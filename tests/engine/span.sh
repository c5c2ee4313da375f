#!/bin/sh
# SPDX-License-Identifier: MIT
# A single file larger than one drive spans two drives.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir "$T/st"
randfile "$T/st/huge.bin" 12M
mkdrives 2 10M
# shellcheck disable=SC2086
prep 0 "$T/st" span $DRIVES
for d in $DRIVES; do
	n=$(perl "$top_srcdir/tests/lib/dsimg" chunks "$d" | wc -l)
	[ "$n" -gt 16 ] || fail "$d holds only $n chunks of the big file"
done
expect_rc 0 "$DISKSEED" verify $DRIVES
expect_rc 0 "$DISKSEED" restore --to "$T/r" "$T/d2.img" "$T/d1.img"
treecmp "$T/st" "$T/r"
ok "a 12 MiB file spans two 10 MiB drives"
