#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole happy path of happy.sh again, in Italian (LANG=it_IT.UTF-8),
# matching the Italian strings on every screen.
set -eu
. "$top_srcdir/tests/lib/common.sh"
locale -a 2>/dev/null | grep -qi '^it_IT\.utf-\?8$' ||
    skip "the it_IT.UTF-8 locale is not installed"
. "$top_srcdir/tests/wizard/setup.sh"
wiz_setup
HAPPY_LANG=it expect -f "$top_srcdir/tests/wizard/happy-run.exp" ||
    fail "happy.exp in Italian"
expect_rc 0 "$DISKSEED" restore --to "$T/restored" "$L1" "$(cat "$T/d3.dev")"
# The recovery keys as the keys screen showed them, saved as they were,
# read the drives on a machine without the key files.
[ -s "$T/keys-shown.txt" ] || fail "no keys read off the screen"
XDG_STATE_HOME=$T/nostate expect_rc 0 "$DISKSEED" verify -q \
    --recovery-keys "$T/keys-shown.txt" "$L1" "$(cat "$T/d3.dev")"
diff -r "$T/staging" "$T/restored" >&2 || fail "restored files differ"
ok "happy path in Italian"
