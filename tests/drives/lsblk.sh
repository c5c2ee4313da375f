#!/bin/sh
# SPDX-License-Identifier: MIT
# diskseed drives --all against lsblk on this machine's own disks: name,
# model, serial, size, transport and read-only agree wherever lsblk knows
# them (lsblk without udev knows less: an empty field is not compared).
set -eu
. "$top_srcdir/tests/lib/common.sh"
command -v lsblk >/dev/null 2>&1 || skip "lsblk is not installed"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
unset DISKSEED_DRIVE_MIN_SIZE DISKSEED_DRIVE_MAX_SIZE

lsblk -d -b -J -o NAME,MODEL,SERIAL,SIZE,TRAN,RO >"$T/lsblk.json" ||
	fail "lsblk"
expect_rc 0 "$DISKSEED" drives --all --json
cp "$T/out" "$T/ours.json"
n=0
# Virtual disks (other tests' loop devices) come and go: real disks only.
for name in $(jq -r '.blockdevices[] | select(.size > 0) | .name |
    select(test("^(loop|zram|ram|dm-|md|nbd)") | not)' "$T/lsblk.json"); do
	jq -e --arg n "$name" 'any(.[]; .name == $n)' "$T/ours.json" >/dev/null ||
		fail "$name: lsblk lists it, diskseed does not"
	jq -n -e --arg n "$name" --slurpfile l "$T/lsblk.json" \
	    --slurpfile o "$T/ours.json" '
		($l[0].blockdevices[] | select(.name == $n)) as $a |
		($o[0][] | select(.name == $n)) as $b |
		def str: if . == null then "" else tostring | ltrimstr(" ") | rtrimstr(" ") end;
		($a.size == $b.size) and
		(($a.ro == true or $a.ro == "1") == $b.readOnly) and
		(($a.model | str) == "" or ($a.model | str) == ($b.model | str)) and
		(($a.serial | str) == "" or ($a.serial | str) == ($b.serial | str)) and
		(($a.tran | str) == "" or ($a.tran | str) == ($b.bus | str))' \
	    >/dev/null || fail "$name differs: lsblk $(jq -c --arg n "$name" \
	    '.blockdevices[] | select(.name == $n)' "$T/lsblk.json"), diskseed \
	    $(jq -c --arg n "$name" '.[] | select(.name == $n) |
	    [.model, .serial, .size, .bus, .readOnly]' "$T/ours.json")"
	n=$((n + 1))
done
[ $n -gt 0 ] || skip "this machine shows lsblk no disk to compare"
ok "$n disks agree with lsblk"
