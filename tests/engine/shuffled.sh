#!/bin/sh
# SPDX-License-Identifier: MIT
# Drives given in any order to verify and restore.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkcorpus -n 300 -b 10M -r 2M -s 8M "$T/st"
mkdrives 4 8M
# shellcheck disable=SC2086
prep 0 "$T/st" shuf $DRIVES
# shellcheck disable=SC2086
set -- $(used_drives $DRIVES)
[ $# -ge 3 ] || fail "the data did not span 3 drives"
# shellcheck disable=SC2086
all_hold_chunks "$@"
# Last first, then the rest in reverse; then the first last.
rev=
for d; do rev="$d $rev"; done
first=$1; shift
# shellcheck disable=SC2086
expect_rc 0 "$DISKSEED" verify $rev
# shellcheck disable=SC2086
expect_rc 0 "$DISKSEED" restore --to "$T/r" "$@" "$first"
treecmp "$T/st" "$T/r"
ok "shuffled drives"
