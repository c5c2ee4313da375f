#!/bin/sh
# SPDX-License-Identifier: MIT
# restore never writes through a symbolic link it finds in the target
# folder: not through a linked folder, not through a linked file. It may
# replace the link or refuse (exit 4, naming the path); what the links
# point to stays untouched either way.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir -p "$T/st/sub"
echo inside > "$T/st/sub/file.txt"
echo top > "$T/st/top.txt"
mkimage "$T/s.img" 8M
prep 0 "$T/st" syml "$T/s.img"

mkdir "$T/outside"
echo victim > "$T/outside/victim"
echo precious > "$T/precious"
mkdir "$T/r"
ln -s "$T/outside" "$T/r/sub"
ln -s "$T/precious" "$T/r/top.txt"
expect_rc_in "0 4" "$DISKSEED" restore --to "$T/r" "$T/s.img"
cat "$T/out" "$T/err" > "$T/all"
[ "$(ls "$T/outside")" = victim ] ||
    fail "restore wrote through a linked folder: $(ls "$T/outside")"
[ "$(cat "$T/outside/victim")" = victim ] || fail "victim changed"
[ "$(cat "$T/precious")" = precious ] ||
    fail "restore wrote through a linked file"
if [ "$got" = 4 ]; then
	grep_q "$T/all" "sub|top\.txt"
	ok "links in the target refused and named"
else
	[ -d "$T/r/sub" ] && [ ! -L "$T/r/sub" ] || fail "sub is not a folder"
	[ "$(cat "$T/r/sub/file.txt")" = inside ] || fail "sub/file.txt"
	[ ! -L "$T/r/top.txt" ] && [ "$(cat "$T/r/top.txt")" = top ] ||
	    fail "top.txt"
	ok "links in the target replaced, nothing written through them"
fi
