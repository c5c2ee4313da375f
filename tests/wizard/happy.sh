#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole happy path through the wizard, with loop devices over image
# files and a diskseed-importd started here: settings -> staging ->
# drive -> typed identifier -> copy spanning two drives with the
# next-drive prompt -> verify -> keys -> job -> address -> shipping ->
# review "Yes" -> stored path. Then 'diskseed status' shows the job
# Shipping and the drives restore identical to the staging folder.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/wizard/setup.sh"
wiz_setup
expect -f "$top_srcdir/tests/wizard/happy-run.exp" || fail "happy.exp"

expect_rc 0 "$DISKSEED" status --job seedjob
grep_q "$T/out" "Shipping"
[ -s "$T/state/diskseed/jobs/seedjob/shipping.json" ] || fail "no shipping.json"
# The second drive is the one plugged in during the run.
expect_rc 0 "$DISKSEED" restore --to "$T/restored" "$(cat "$T/d3.dev")" "$L1"
# The recovery keys as the keys screen showed them, saved as they were,
# read the drives on a machine without the key files.
[ -s "$T/keys-shown.txt" ] || fail "no keys read off the screen"
XDG_STATE_HOME=$T/nostate expect_rc 0 "$DISKSEED" verify -q \
    --recovery-keys "$T/keys-shown.txt" "$L1" "$(cat "$T/d3.dev")"
diff -r "$T/staging" "$T/restored" >&2 || fail "restored files differ"
ok "happy path"
