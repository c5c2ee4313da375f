#!/bin/sh
# SPDX-License-Identifier: MIT
# Identity is explicit (issue 13, path 1): a job name already used, in any
# state, is refused for a new prep with the job, its state and what to do;
# --resume with another folder is refused too and never reports the old
# job's drives as this folder's copy. An empty staging folder is refused
# before any drive is touched.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir "$T/empty" "$T/big"
mkimage "$T/e.img" 8M
randfile "$T/rnd" 1M
dd if="$T/rnd" of="$T/e.img" conv=notrunc status=none
h=$(sha "$T/e.img")
prep 1 "$T/empty" emptyjob "$T/e.img"
grep_q "$T/err" "nothing that can be copied"
[ "$(sha "$T/e.img")" = "$h" ] || fail "empty staging: the drive was written"
ok "empty staging refused, drive untouched"

# A folder with only a socket and a FIFO holds nothing to copy either.
mkfifo "$T/empty/fifo"
python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" \
    "$T/empty/sock" 2>/dev/null || true
prep 1 "$T/empty" emptyjob "$T/e.img"
grep_q "$T/err" "FIFOs \(named pipes\) are not copied"
[ "$(sha "$T/e.img")" = "$h" ] || fail "specials only: the drive was written"
rm -f "$T/empty/fifo" "$T/empty/sock"

# emptyjob prepared from a small folder...
mkdir "$T/small"
echo tiny > "$T/small/t"
prep 0 "$T/small" emptyjob "$T/e.img"
# ...then another folder under the same name: refused, state named.
randfile "$T/big/b" 300K
mkimage "$T/b.img" 8M
hb=$(sha "$T/b.img")
S=$XDG_STATE_HOME/diskseed/jobs/emptyjob/copy.status
hs=$(sha "$S")
prep 5 "$T/big" emptyjob "$T/b.img"
grep_q "$T/err" "job emptyjob already exists \(prepared\)"
grep_q "$T/err" "choose another job name"
[ "$(sha "$T/b.img")" = "$hb" ] || fail "reused name: the drive was written"
[ "$(sha "$S")" = "$hs" ] || fail "the refused prep rewrote emptyjob's status"
# --resume with the other folder: refused, never "all ... on the drives".
PREP_EXTRA=--resume prep 5 "$T/big" emptyjob "$T/b.img"
grep_q "$T/err" "emptyjob.* is the copy of .*small"
if grep -q "all of the staging folder is on the drives" "$T/out"; then
	fail "resume of another folder reported success"
fi
[ "$(sha "$T/b.img")" = "$hb" ] || fail "resume: the drive was written"
ok "a used job name is refused with its state"

# A new name for the big folder works.
prep 0 "$T/big" bigjob "$T/b.img"
ok "new name accepted"
