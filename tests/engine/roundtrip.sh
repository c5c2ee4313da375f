#!/bin/sh
# SPDX-License-Identifier: MIT
# Round trip: a corpus with every kind of file (tests/lib/mkcorpus, 10 000
# small files, a file bigger than one drive) prepared onto image drives,
# verified, restored; the restored tree must equal the staging folder in
# content and metadata (tests/lib/treecmp), and at least 3 drives used.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkcorpus -n 10000 -b 14M -r 4M "$T/staging"
mkdrives 5 12M
# shellcheck disable=SC2086
prep 0 "$T/staging" rtjob $DRIVES

# shellcheck disable=SC2086
DRIVES=$(used_drives $DRIVES)
used=0
for d in $DRIVES; do
	expect_rc 0 "$DISKSEED" inspect "$d"
	grep_q "$T/out" "complete|completa"
	used=$((used + 1))
done
[ "$used" -ge 3 ] || fail "only $used drives used"

# shellcheck disable=SC2086
expect_rc 0 "$DISKSEED" verify $DRIVES
# shellcheck disable=SC2086
expect_rc 0 "$DISKSEED" restore --to "$T/restored" $DRIVES
treecmp "$T/staging" "$T/restored"
ok "round trip over $used drives"
