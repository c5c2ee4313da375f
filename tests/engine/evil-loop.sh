#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile drives aimed at a block device of the host: a loop device of
# this test is the victim. A device entry listed as the first part of a
# split file followed by a regular part at an offset, a device listed as
# "other" followed by a part, a symbolic link to the device listed as a
# file or followed by a part, and a link to it already in the target:
# restore and verify --deep never write or read the device (its SHA-256
# is the same after), and make no device node.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
[ "$(id -u)" = 0 ] || skip "loop devices need root"
command -v losetup >/dev/null || skip "losetup not found"

{ echo VICTIMDATA; head -c 1048565 /dev/urandom; } > "$T/victim.img"
LOOP=$(losetup -f --show "$T/victim.img") || skip "no loop device available"
ds_at_exit "losetup -d $LOOP 2>/dev/null || :"
mm="$((0x$(stat -c %t "$LOOP"))),$((0x$(stat -c %T "$LOOP")))"
before=$(sha256sum < "$LOOP")

mkdir -p "$T/staging" "$T/r"
echo fine > "$T/staging/ok.txt"
ln -s "$LOOP" "$T/r/pre"
evil "$T/e.img" "f:ok.txt:fine" \
    "a:b:dev:$mm" "r:file:dev:size=10,len=5,last=0" \
    "a:f:dev:AAAAA" "r:file:dev:size=10,off=5,len=5" \
    "a:b:dev2:$mm" "r:other:dev2:" \
    "a:f:dev2:BBBBB" "r:file:dev2:size=10,off=5,len=5" \
    "a:l:lnk:$LOOP" "r:symlink:lnk:" \
    "a:f:lnk:CCCCC" "r:file:lnk:size=10,off=5,len=5" \
    "a:l:lnk2:$LOOP" "r:file:lnk2:size=5" \
    "a:b:bdev:$mm" "r:file:bdev:size=5" \
    "f:pre:DDDDD"

expect_rc 4 timeout 20 "$DISKSEED" restore --to "$T/r" "$T/e.img"
cat "$T/out" "$T/err" > "$T/all"
for n in dev dev2 lnk lnk2 bdev; do
	grep -Eq "(^|[ :])$n:" "$T/all" || fail "$n not named: $(cat "$T/all")"
done
[ "$(sha256sum < "$LOOP")" = "$before" ] || fail "restore wrote the device"
[ -z "$(find "$T/r" \( -type b -o -type c \))" ] || fail "a device was made"
! grep -rqa VICTIMDATA "$T/r" || fail "the device was read into the target"
[ ! -L "$T/r/pre" ] && [ "$(cat "$T/r/pre")" = DDDDD ] ||
    fail "pre: the link in the target was not replaced"
ok "restore: the loop device untouched, each attack named"

expect_rc 4 timeout 20 "$DISKSEED" verify --deep "$T/staging" "$T/e.img"
[ "$(sha256sum < "$LOOP")" = "$before" ] || fail "verify wrote the device"
ok "verify --deep: the loop device untouched"
