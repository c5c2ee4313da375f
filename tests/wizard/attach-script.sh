#!/bin/sh
# SPDX-License-Identifier: MIT
# A copy started by a script (diskseed prep, no wizard) can be watched from
# the wizard: started meanwhile, diskseed goes straight to that copy's
# progress, and shows it finished when prep is done.
. "$top_srcdir/tests/lib/common.sh"
command -v expect >/dev/null || skip "expect not installed"
mkdir -p "$T/staging"
head -c 12M /dev/urandom >"$T/staging/big.bin"
echo hello >"$T/staging/hello.txt"
mkimage "$T/d1.img" 64M
status=$XDG_STATE_HOME/diskseed/jobs/scriptjob/copy.status

# Slowed down by the test hook so that the wizard starts mid-copy.
DISKSEED_TEST_COPY_DELAY_MS=400 "$DISKSEED" prep --staging "$T/staging" \
	--job scriptjob --drive "$T/d1.img" --confirm d1.img --quiet \
	--chunk-size 64K --segment-size 1M >"$T/prep.out" 2>&1 &
prep=$!
ds_at_exit "kill $prep"
i=0
until grep -q 'state running' "$status" 2>/dev/null; do
	kill -0 $prep 2>/dev/null || { cat "$T/prep.out" >&2; fail "prep ended early"; }
	i=$((i + 1)); [ $i -lt 300 ] || fail "no status file from prep"
	sleep 0.1
done

DS_STATE=$XDG_STATE_HOME expect -f "$top_srcdir/tests/wizard/attach-script-run.exp" ||
	fail "attach-script.exp"
wait $prep || { cat "$T/prep.out" >&2; fail "prep failed"; }
grep -q 'state copied' "$status" || fail "status not final: $(cat "$status")"
ok "a scripted prep is shown by the wizard"
