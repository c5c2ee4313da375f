#!/bin/sh
# SPDX-License-Identifier: MIT
# A drive that holds another job's drive (not completed) is formatted only
# when that job is named with --overwrite-job; drives --show names the job
# in text and JSON; a drive of the set being made is never a new target;
# an image that backs a loop device is refused; a relative --drive that is
# a symlink is that file, not a kernel name.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir "$T/a" "$T/b"
randfile "$T/a/f" 100K
randfile "$T/b/g" 100K
mkimage "$T/x.img" 8M
prep 0 "$T/a" firstjob "$T/x.img"

# drives --show says what it is, text and JSON.
expect_rc 0 "$DISKSEED" drives --show "$T/x.img"
grep_q "$T/out" "diskseed drive: job firstjob, drive 1, complete, job prepared"
if grep -q "nothing recognised" "$T/out"; then
	fail "drives --show calls a diskseed drive unrecognised"
fi
expect_rc 0 "$DISKSEED" drives --show "$T/x.img" --json
grep_q "$T/out" '"diskseed": *\{"job": *"firstjob", *"drive": *1, *"index": *0, *"setId": *"[0-9a-f]{32}", *"complete": *true, *"jobState": *"prepared"\}'
ok "drives --show names the job"

# Another job on it: refused, naming the job and the flag.
h=$(sha "$T/x.img")
prep 5 "$T/b" secondjob "$T/x.img"
grep_q "$T/err" "holds drive 1 of job firstjob \(prepared\)"
grep_q "$T/err" "--overwrite-job firstjob"
[ "$(sha "$T/x.img")" = "$h" ] || fail "formatted without --overwrite-job"
# Naming another job is not naming this one.
PREP_EXTRA="--overwrite-job otherjob" prep 5 "$T/b" secondjob "$T/x.img"
[ "$(sha "$T/x.img")" = "$h" ] || fail "formatted with the wrong job named"
# A job unknown here (its state gone): still refused.
mv "$XDG_STATE_HOME/diskseed/jobs/firstjob" "$T/firstjob.state"
prep 5 "$T/b" secondjob "$T/x.img"
grep_q "$T/err" "job firstjob \(not known on this computer\)"
mv "$T/firstjob.state" "$XDG_STATE_HOME/diskseed/jobs/firstjob"
ok "refused without --overwrite-job"
PREP_EXTRA="--overwrite-job firstjob" prep 0 "$T/b" secondjob "$T/x.img"
expect_rc 0 "$DISKSEED" drives --show "$T/x.img"
grep_q "$T/out" "job secondjob, drive 1, complete"
ok "accepted with --overwrite-job"

# A relative symlink to an image is that image.
ln -s x.img "$T/xlink"
(cd "$T" && "$DISKSEED" drives --show xlink) > "$T/out" 2>&1 ||
    fail "drives --show of a relative symlink: $(cat "$T/out")"
grep_q "$T/out" "job secondjob"
mkimage "$T/y.img" 8M
ln -s y.img "$T/ylink"
(cd "$T" && "$DISKSEED" prep $DS_PREP_OPTS --staging "$T/a" --job linkjob \
    --drive ylink --confirm y.img) > "$T/out" 2>&1 ||
    fail "prep onto a relative symlink: $(cat "$T/out")"
ok "a relative symlink is resolved"

# An image that backs a loop device is not a drive.
if [ "$(id -u)" = 0 ] && command -v losetup >/dev/null 2>&1 &&
    loop=$(losetup -f --show "$T/y.img" 2>/dev/null); then
	ds_at_exit "losetup -d $loop 2>/dev/null || :"
	h=$(sha "$T/y.img")
	PREP_EXTRA="--overwrite-job linkjob" prep 5 "$T/b" loopjob "$T/y.img"
	grep_q "$T/err" "backs the loop device $loop"
	losetup -d "$loop" || fail "losetup -d"
	[ "$(sha "$T/y.img")" = "$h" ] || fail "image of a loop device written"
	ok "an image behind a loop device is refused"
else
	echo "# no loop device here: the loop-backing check is not exercised"
fi
