#!/bin/sh
# SPDX-License-Identifier: MIT
# verify --deep compares the drives with the staging folder through the
# staging walk prep uses (src/walk.c): a FIFO and a socket in staging,
# which prep leaves out, are not named as "not on the drives"; a file
# added after prep still is.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
command -v python3 >/dev/null || skip "python3 not found (to make a socket)"

mkdir -p "$T/st/sub"
echo one > "$T/st/one.txt"
echo two > "$T/st/sub/two.txt"
mkfifo "$T/st/sub/pipe"
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/st/sock"
mkimage "$T/s.img" 8M
prep 0 "$T/st" deepspecial "$T/s.img"
expect_rc 0 timeout 20 "$DISKSEED" verify --deep "$T/st" "$T/s.img"
ok "a FIFO and a socket in staging are not damage"

echo late > "$T/st/late.txt"
expect_rc 4 timeout 20 "$DISKSEED" verify --deep "$T/st" "$T/s.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "late\.txt"
! grep -Eq "pipe|sock" "$T/all" || fail "a FIFO or socket named: $(cat "$T/all")"
ok "a file added after prep is named"
