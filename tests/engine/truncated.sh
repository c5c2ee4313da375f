#!/bin/sh
# SPDX-License-Identifier: MIT
# A truncated image: the end (trailer and manifest) cut off, or cut in
# the middle of the data. verify exits 4 naming the drive; restore
# restores what is before the cut.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir "$T/st"
randfile "$T/st/a.bin" 1M
echo text > "$T/st/b.txt"
randfile "$T/st/c.bin" 3M
mkimage "$T/t.img" 8M
prep 0 "$T/st" trunc "$T/t.img"
expect_rc 0 "$DISKSEED" verify "$T/t.img"

# The last 64 KiB gone: the trailer is lost.
cp "$T/t.img" "$T/end.img"
truncate -s $((8 * 1024 * 1024 - 65536)) "$T/end.img"
expect_rc 4 "$DISKSEED" verify "$T/end.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "end\.img"
grep_q "$T/all" "[Tt]runcat|[Tt]roncat|[Tt]railer|[Ss]hort|[Ss]ize"

# Cut at 2 MiB: the manifest and half the data are gone.
cp "$T/t.img" "$T/mid.img"
truncate -s $((2 * 1024 * 1024)) "$T/mid.img"
expect_rc 4 "$DISKSEED" verify "$T/mid.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "mid\.img"
expect_rc 4 "$DISKSEED" restore --to "$T/r" "$T/mid.img"
for f in $(cd "$T/r" && find . -type f); do
	cmp -s "$T/st/$f" "$T/r/$f" || fail "$f restored wrong from a cut drive"
done
ok "truncated images named"
