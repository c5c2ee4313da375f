#!/bin/sh
# SPDX-License-Identifier: MIT
# End to end: prep over 3 image drives, job create, ship, then receive in
# shuffled order and in two batches (a file spanning drives waits for all
# of them), beside drives of another job, of no job and not in the job
# (reported and left untouched). The job ends Completed and the container
# holds exactly the staging folder: names, sizes, SHA-256, metadata.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/ingest.sh"
ingest_setup

mkdir -p "$T/st/sub dir"
head -c 12M /dev/urandom >"$T/st/big.bin"
head -c 7M /dev/urandom >"$T/st/mid.bin"
head -c 300000 /dev/urandom >"$T/st/sub dir/b.bin"
echo hello >"$T/st/a.txt"
: >"$T/st/empty"
chmod 600 "$T/st/a.txt"
prep_ship jobe "$T/st" 10M "$T/d1.img" "$T/d2.img" "$T/d3.img"
for d in 1 2 3; do
	expect_rc 0 "$DISKSEED" inspect "$T/d$d.img"
	grep_q "$T/out" "drive index: +$((d - 1))"
done

# Strangers: a drive of another job, one of no job, and a copy of d1
# under an id the job does not list. Their bytes must not change.
mkdir "$T/other"
echo other >"$T/other/x"
mkimage "$T/o1.img" 8M
"$DISKSEED" prep --staging "$T/other" --job jobo --drive "$T/o1.img" \
    --confirm o1.img --chunk-size 64K -q >"$T/prep-o.out" 2>&1 || fail "prep jobo"
cp "$T/d1.img" "$T/x1.img"
head -c 4M /dev/urandom >"$T/blank.img"
sb=$(sha "$T/blank.img")
so=$(sha "$T/o1.img")
sx=$(sha "$T/x1.img")
s3=$(sha "$T/d3.img")

# First batch: the last drive and the strangers.
expect_rc 3 receive --job jobe "$T/d3.img" "$T/x1.img" "$T/o1.img" \
    "$T/blank.img"
grep_q "$T/err" "blank\.img: not a diskseed drive, left alone"
grep_q "$T/err" "o1\.img: belongs to job jobo, not jobe"
grep_q "$T/err" "x1\.img: drive x1\.img is not in job jobe"
grep_q "$T/out" "d3\.img .*received for job jobe"
expect_rc 0 "$DISKSEED" status --job jobe
grep_q "$T/out" "State: +Transferring"
grep_q "$T/out" "Drive d1\.img: Specified"
# d3 holds the end of mid.bin, which waits for d2.
grep_q "$T/out" "Drive d3\.img: Transferring"
bt list backups >"$T/l1" 2>/dev/null || fail "list after batch 1"
grep -q '^mid\.bin	' "$T/l1" && fail "mid.bin uploaded before all its drives"
grep -q '^big\.bin	' "$T/l1" && fail "big.bin uploaded before its drives"
ok "first batch: strangers refused, spanning files wait"

# Second batch, shuffled.
expect_rc 0 receive --job jobe "$T/d2.img" "$T/d1.img"
expect_rc 0 "$DISKSEED" status --job jobe
grep_q "$T/out" "State: +Completed"
for d in 1 2 3; do grep_q "$T/out" "Drive d$d\.img: Completed, 100%"; done
expect_rc 0 "$DISKSEED" status --job jobe --json
grep_q "$T/out" '"errorLogUri": "http://127.0.0.1:[0-9]+/devstoreaccount1/waimportexport/jobe/d1\.img_error\.log"'
grep_q "$T/out" '"verboseLogUri": "http'
container_matches "$T/st"
ok "job Completed; the container equals the staging folder"

# Metadata: mode and mtime of a.txt as prep saw them.
expect_rc 0 bt props backups a.txt
grep_q "$T/out" "^meta.mode=0600$"
grep_q "$T/out" "^meta.mtime=$(stat -c %Y "$T/st/a.txt")$"
# One upload per blob: big.bin went up as blocks, committed once.
[ "$(azurite_count PUT 'backups/big.bin?comp=blocklist')" = 1 ] ||
    fail "big.bin committed more than once"
n=$(azurite_count PUT 'backups/big.bin?comp=block&')
[ "$n" = 192 ] || fail "big.bin: $n blocks sent, 192 expected"
# The logs: d2's verbose log names the files it carried.
expect_rc 0 bt get waimportexport jobe/d2.img_verbose.log "$T/v2"
grep_q "$T/v2" "^big\.bin: copied, 12582912 bytes, SHA-256 $(sha "$T/st/big.bin")"
expect_rc 0 bt get waimportexport jobe/d1.img_error.log "$T/e1"
[ ! -s "$T/e1" ] || fail "error log of a good drive is not empty"
ok "metadata, block uploads and copy logs"

# The strangers are untouched, and so is a received drive.
[ "$(sha "$T/o1.img")" = "$so" ] || fail "drive of another job changed"
[ "$(sha "$T/blank.img")" = "$sb" ] || fail "drive of no job changed"
[ "$(sha "$T/x1.img")" = "$sx" ] || fail "drive not in the job changed"
[ "$(sha "$T/d3.img")" = "$s3" ] || fail "a received drive changed"
# A finished job takes no more drives.
expect_rc 1 receive --job jobe "$T/d1.img"
grep_q "$T/err" "job jobe is Completed"
ok "drives left untouched"
