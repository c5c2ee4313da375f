#!/bin/sh
# SPDX-License-Identifier: MIT
# Names are bytes: a set prepared under a UTF-8 locale restores and
# verifies the same under LC_ALL=C (a daemon, cron, a rescue system), and
# one prepared under C restores under UTF-8.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir -p "$T/st/$(printf 'dir \303\250')"
echo a > "$T/st/$(printf '\303\251t\303\251 \346\227\245\346\234\254')"
echo b > "$T/st/$(printf 'caf\351')"
echo c > "$T/st/$(printf 'dir \303\250')/$(printf '\377\376')"
echo d > "$T/st/plain.txt"
for pl in C.UTF-8 C; do
	case $pl in C) rl=C.UTF-8 job=loc-c ;; *) rl=C job=loc-utf8 ;; esac
	mkimage "$T/$pl.img" 8M
	LC_ALL=$pl prep 0 "$T/st" "$job" "$T/$pl.img"
	LC_ALL=$rl expect_rc 0 "$DISKSEED" verify --deep "$T/st" "$T/$pl.img"
	LC_ALL=$rl expect_rc 0 "$DISKSEED" restore --to "$T/r-$pl" "$T/$pl.img"
	treecmp "$T/st" "$T/r-$pl"
	ok "prepared under $pl, restored under $rl"
done
