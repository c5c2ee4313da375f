#!/bin/sh
# SPDX-License-Identifier: MIT
# On a real loop device: a diskseed drive is named by drives (the list,
# text and JSON) and drives --show, as it is on an image file; as a user
# who cannot open it, the drive is listed not eligible (no-access)
# instead of usable. Skips (77) only where losetup is not permitted.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
unset DISKSEED_DRIVE_MIN_SIZE DISKSEED_DRIVE_MAX_SIZE
command -v losetup >/dev/null 2>&1 || skip "losetup is not installed"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"

mkdir "$T/st"
randfile "$T/st/f" 100K
mkimage "$T/disk.img" 96M
L=$(losetup -f --show "$T/disk.img" 2>"$T/losetup.err") ||
	skip "losetup is not permitted here: $(cat "$T/losetup.err")"
ds_at_exit "losetup -d $L 2>/dev/null || :"
N=${L#/dev/}

expect_rc 0 "$DISKSEED" prep $DS_PREP_OPTS --staging "$T/st" --job loopjob \
    --drive "$L" --confirm "$N"
expect_rc 0 "$DISKSEED" drives --all
grep_q "$T/out" "^$L .*diskseed drive: job loopjob, drive 1, complete, job prepared"
expect_rc 0 "$DISKSEED" drives --all --json
jq -e --arg n "$N" '.[] | select(.name == $n) | .diskseed.job == "loopjob"
    and .diskseed.drive == 1 and .diskseed.complete and
    .diskseed.jobState == "prepared"' "$T/out" >/dev/null ||
    fail "--json: $(cat "$T/out")"
expect_rc 0 "$DISKSEED" drives --show "$L"
grep_q "$T/out" "^diskseed drive: job loopjob, drive 1, complete, job prepared"
ok "a diskseed loop drive is named in the list and --show"

# Another job's prep refuses it without --overwrite-job, naming the job.
expect_rc 5 "$DISKSEED" prep $DS_PREP_OPTS --staging "$T/st" --job otherjob \
    --drive "$L" --confirm "$N"
grep_q "$T/err" "holds drive 1 of job loopjob \(prepared\)"
ok "another job's prep refuses it"

# As nobody, who cannot open /dev/loopN: not eligible.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env HOME=/ XDG_STATE_HOME="$T/nobody" "$DISKSEED" drives --all \
	    --json > "$T/out" 2>"$T/err" || fail "drives as nobody: $(cat "$T/err")"
	jq -e --arg n "$N" '.[] | select(.name == $n) | (.eligible | not) and
	    any(.reasons[]; .code == "no-access")' "$T/out" >/dev/null ||
	    fail "as nobody: $(cat "$T/out")"
	ok "as a user who cannot open it, not eligible"
else
	echo "# not root: the no-access check is not exercised"
fi
