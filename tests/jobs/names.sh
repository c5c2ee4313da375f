#!/bin/sh
# SPDX-License-Identifier: MIT
# One rule per name (src/names.c): prep refuses the job names the import
# service would refuse (MyJob, j1, x) before it writes anything, and a
# 65th --drive is an error, not ignored. The image keeps its SHA-256.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir "$T/st"
echo data > "$T/st/f"
mkimage "$T/n.img" 8M
randfile "$T/rnd" 1M
dd if="$T/rnd" of="$T/n.img" conv=notrunc status=none
h=$(sha "$T/n.img")
for name in MyJob j1 x 1job job_1; do
	expect_rc 2 "$DISKSEED" prep $DS_PREP_OPTS --staging "$T/st" \
	    --job "$name" --drive "$T/n.img" --confirm n.img
	grep_q "$T/err" "job name '$name'"
	[ "$(sha "$T/n.img")" = "$h" ] || fail "$name: the drive was written"
	[ ! -e "$XDG_STATE_HOME/diskseed/jobs/$name" ] ||
	    fail "$name: state written for a refused name"
done
ok "bad job names refused before any write"

# 65 drives: refused; 64 are fine as far as the limit goes.
set -- --drive "$T/n.img"
i=1
while [ "$i" -lt 65 ]; do
	mkimage "$T/m$i.img" 1M
	set -- "$@" --drive "$T/m$i.img"
	i=$((i + 1))
done
expect_rc 2 "$DISKSEED" prep $DS_PREP_OPTS --staging "$T/st" --job many \
    --confirm n.img "$@"
grep_q "$T/err" "at most 64 drives"
[ "$(sha "$T/n.img")" = "$h" ] || fail "65 drives: the drive was written"
ok "65 drives refused"
