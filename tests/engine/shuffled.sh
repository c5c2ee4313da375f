#!/bin/sh
# Drives given in any order to verify and restore.
. "$top_srcdir/tests/lib/engine.sh"

mkcorpus -n 300 -b 14M -r 2M -s 8M "$T/st"
mkdrives 3 8M
# shellcheck disable=SC2086
prep 0 "$T/st" shuf $DRIVES
# shellcheck disable=SC2086
all_hold_chunks $DRIVES
expect_rc 0 "$DISKSEED" verify "$T/d3.img" "$T/d1.img" "$T/d2.img"
expect_rc 0 "$DISKSEED" restore --to "$T/r" "$T/d2.img" "$T/d3.img" "$T/d1.img"
treecmp "$T/st" "$T/r"
ok "shuffled drives"
