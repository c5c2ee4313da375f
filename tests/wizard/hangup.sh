#!/bin/sh
# SPDX-License-Identifier: MIT
# SSH: the terminal is lost mid-copy (SIGHUP); the copy goes on in its
# own process. diskseed started again shows the running copy at once,
# the copy completes (the next-drive prompt on the way) and the drives
# restore identical to the staging folder.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/wizard/setup.sh"
wiz_setup
# Slows the copy down (a test hook) so the hang-up lands mid-copy.
export DISKSEED_TEST_COPY_DELAY_MS=200
expect -f "$top_srcdir/tests/wizard/hangup-run.exp" || fail "hangup.exp"
expect_rc 0 "$DISKSEED" restore --to "$T/restored" "$L1" "$L2"
diff -r "$T/staging" "$T/restored" >&2 || fail "restored files differ"
ok "copy outlived the terminal"
