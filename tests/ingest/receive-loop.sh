#!/bin/sh
# SPDX-License-Identifier: MIT
# receive from a block device (a loop device over an image file): the
# driveId is the device's confirmation id, the drive is read, never
# written, and its files arrive.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/ingest.sh"
[ "$(id -u)" = 0 ] || skip "loop devices need root"
command -v losetup >/dev/null || skip "losetup not found"
client_setup
mkaddress

mkdir -p "$T/st"
echo hello >"$T/st/a.txt"
head -c 200000 /dev/urandom >"$T/st/b.bin"
truncate -s 64M "$T/l.img"
LOOP=$(losetup -f --show "$T/l.img") || skip "no loop device available"
ds_at_exit "losetup -d $LOOP 2>/dev/null || :"
id=$(basename "$LOOP")
"$DISKSEED" prep --staging "$T/st" --job jobl --drive "$LOOP" \
    --confirm "$id" --chunk-size 64K -q >"$T/prep.out" 2>&1 ||
    { cat "$T/prep.out" >&2; fail "prep on $LOOP"; }
create_ship jobl 1Z77
before=$(sha "$LOOP")
expect_rc 0 receive --job jobl --target "$T/flat" "$LOOP"
grep_q "$T/out" "drive $id \(1 of the set\) received for job jobl"
cmp -s "$T/st/b.bin" "$T/flat/b.bin" || fail "b.bin not stored whole"
cmp -s "$T/st/a.txt" "$T/flat/a.txt" || fail "a.txt not stored whole"
[ "$(sha "$LOOP")" = "$before" ] || fail "the block device was written"
expect_rc 0 "$DISKSEED" status --job jobl
grep_q "$T/out" "Drive $id: Completed, 100%"
ok "received from a loop device"
