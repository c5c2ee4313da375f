#!/bin/sh
# SPDX-License-Identifier: MIT
# diskseed drives and the gate on real loop devices: listed with --all at
# the right size, --show sees the filesystem and label mkfs put there, a
# mounted one is refused, one held open O_EXCL elsewhere is busy, and an
# unmounted, confirmed one opens and takes a write. --watch reports a loop
# device being attached. Skips (77) only where losetup is not permitted.
set -eu
. "$top_srcdir/tests/lib/common.sh"
GATE="$top_builddir/tests/drives/test-gate-open"
unset DISKSEED_DRIVE_MIN_SIZE DISKSEED_DRIVE_MAX_SIZE
command -v losetup >/dev/null 2>&1 || skip "losetup is not installed"
command -v mkfs.ext4 >/dev/null 2>&1 || skip "mkfs.ext4 is not installed"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"

mkimage "$T/disk.img" 96M
L=$(losetup -f --show "$T/disk.img" 2>"$T/losetup.err") ||
	skip "losetup is not permitted here: $(cat "$T/losetup.err")"
ds_at_exit "losetup -d $L || true"
N=${L#/dev/}

# Listed only with --all, at the right size, eligible, confirmed by name.
expect_rc 0 "$DISKSEED" drives
grep -q "^$L " "$T/out" && fail "$L listed without --all"
expect_rc 0 "$DISKSEED" drives --all --json
jq -e --arg n "$N" '.[] | select(.name == $n) | .size == 100663296 and
    .eligible and .virtual and .bus == "loop" and .confirmId == $n' \
    "$T/out" >/dev/null || fail "$N: $(cat "$T/out")"
expect_rc 0 "$DISKSEED" drives --all
grep_q "$T/out" "^$L +96.0 MiB loop device .* eligible"
ok "listed"

# What is on it: nothing, then the filesystem and label mkfs wrote.
expect_rc 0 "$DISKSEED" drives --show "$L"
grep_q "$T/out" "^Contents: nothing recognised"
mkfs.ext4 -q -F -L SEEDLABEL "$L" || fail "mkfs.ext4"
expect_rc 0 "$DISKSEED" drives --show "$L"
grep_q "$T/out" "^Filesystem: +ext4 \"SEEDLABEL\"$"
grep_q "$T/out" "^To confirm, type: +$N$"
expect_rc 0 "$DISKSEED" drives --show "$L" --json
jq -e '.contents.fstype == "ext4" and .contents.label == "SEEDLABEL"' \
    "$T/out" >/dev/null || fail "--show --json: $(cat "$T/out")"
ok "--show"

# A partitioned image file (an MBR written by hand): the table, the
# partitions and the filesystem in the second one.
mkimage "$T/parts.img" 40M
# Two type-0x83 partitions: LBA 2048 + 16384 sectors, LBA 18432 + 32768.
printf '\000\000\000\000\203\000\000\000\000\010\000\000\000\100\000\000' >"$T/mbr"
printf '\000\000\000\000\203\000\000\000\000\110\000\000\000\200\000\000' >>"$T/mbr"
dd if="$T/mbr" of="$T/parts.img" bs=1 seek=446 conv=notrunc 2>/dev/null
printf '\125\252' | dd of="$T/parts.img" bs=1 seek=510 conv=notrunc 2>/dev/null
mkfs.ext4 -q -F -L PARTTWO -E offset=$((18432 * 512)) "$T/parts.img" 16M ||
	fail "mkfs.ext4 in a partition"
expect_rc 0 "$DISKSEED" drives --show "$T/parts.img"
grep_q "$T/out" "^Partition table: +dos$"
grep_q "$T/out" "^  partition 1: 8.0 MiB, type 0x83$"
grep_q "$T/out" "^  partition 2: 16.0 MiB, type 0x83, ext4 \"PARTTWO\"$"
grep_q "$T/out" "^To confirm, type: +parts.img$"
ok "--show on a partitioned image"

# Mounted: refused by the checks, whatever the confirmation.
mkdir "$T/mnt"
mount "$L" "$T/mnt" || fail "cannot mount $L"
ds_at_exit "umount $T/mnt 2>/dev/null || true"
expect_rc 1 "$GATE" "$L" "$N" --write
grep_q "$T/out" "^INELIGIBLE $L: has a mounted filesystem \($T/mnt on $N\)$"
expect_rc 0 "$DISKSEED" drives --all
grep_q "$T/out" "^$L .*not eligible: has a mounted filesystem"
umount "$T/mnt" || fail "umount"
ok "mounted refused"

# Unconfirmed or wrongly confirmed: refused.
expect_rc 1 "$GATE" "$L" "" --write
grep_q "$T/out" "^NOTCONFIRMED $L: confirm it with --confirm $N$"
expect_rc 1 "$GATE" "$L" "SEEDLABEL,loop" --write
grep_q "$T/out" "^NOTCONFIRMED "
[ "$(head -c 18 "$T/disk.img" | od -An -c | tr -d ' \n')" != "DISKSEED-GATE-TEST" ] ||
	fail "written although refused"

# Held O_EXCL by someone else: busy.
# Runs "$@" in the background until release, once it has printed a
# line starting with $1 (it reads stdin to the end to hold).
hold() {
	want=$1; shift
	rm -f "$T/hold" "$T/held"
	mkfifo "$T/hold"
	"$@" <"$T/hold" >"$T/held" &
	exec 9>"$T/hold"
	i=0
	until grep -q "^$want" "$T/held" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || fail "$* did not start"
		sleep 0.05
	done
}
release() { exec 9>&-; wait; }
hold OK "$GATE" "$L" "$N" --hold
expect_rc 1 "$GATE" "$L" "$N" --write
grep_q "$T/out" "^BUSY "
# The gate also holds flock(LOCK_EX): a program that honours the lock
# (udev, sfdisk --lock) stays away, shared or exclusive.
flock -n -s "$L" true && fail "the gate holds $L without flock(LOCK_EX)"
release
ok "busy refused"

# Locked by another program (flock LOCK_EX, as sfdisk --lock or
# systemd-repart take it; no O_EXCL): refused to write and to read, and
# said so.
hold locked flock -x "$L" sh -c 'echo locked; exec cat'
expect_rc 1 "$GATE" "$L" "$N" --write
grep_q "$T/out" "^BUSY $L is locked by another program \\(flock\\)"
[ "$(head -c 18 "$T/disk.img" | od -An -c | tr -d ' \n')" != "DISKSEED-GATE-TEST" ] ||
	fail "written although locked"
"$DISKSEED" verify "$L" >"$T/out" 2>"$T/err" && fail "verify read $L"
grep_q "$T/err" "$L is locked by another program \\(flock\\)"
release
ok "locked by another program refused"

# Unmounted and confirmed: opens, is the whole device, takes a write.
expect_rc 0 "$GATE" "$L" "other,$N" --write
grep_q "$T/out" "^size 100663296 sector 512 block 1 id $N$"
[ "$(head -c 18 "$T/disk.img" | od -An -c | tr -d ' \n')" = "DISKSEED-GATE-TEST" ] ||
	fail "the gate's fd did not write to $L"
ok "gate opens"

# --watch sees a loop device being attached (kernel or udev events).
mkimage "$T/second.img" 80M
"$DISKSEED" drives --watch --all --json >"$T/watch" 2>"$T/watch.err" &
W=$!
ds_at_exit "kill $W || true"
i=0
until grep -q "watching" "$T/watch.err"; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "--watch did not start"
	sleep 0.05
done
L2=$(losetup -f --show "$T/second.img") || fail "second losetup"
ds_at_exit "losetup -d $L2 || true"
i=0
until jq -e --arg n "${L2#/dev/}" 'select(.name == $n and .drive.size ==
    83886080)' "$T/watch" >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 20 ] || fail "no event for $L2 within 1 s: $(cat "$T/watch")"
	sleep 0.05
done
ok "--watch saw $L2 within $((i * 50)) ms"
