#!/bin/sh
# SPDX-License-Identifier: MIT
# All drives full: prep stops with exit 3 and "needs another drive";
# prep --resume --drive NEW --confirm NEW finishes, and the set restores.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir -p "$T/st/d"
randfile "$T/st/d/a.bin" 8M
randfile "$T/st/b.bin" 6M
echo end > "$T/st/z.txt"
mkdrives 2 8M
# shellcheck disable=SC2086
prep 3 "$T/st" need $DRIVES
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "needs another drive|serve un'altra unità"
h1=$(sha "$T/d1.img")

mkimage "$T/new.img" 8M
# shellcheck disable=SC2086
expect_rc 0 "$DISKSEED" prep $DS_PREP_OPTS --resume --staging "$T/st" \
    --job need --drive "$T/new.img" --confirm new.img
[ "$(sha "$T/d1.img")" = "$h1" ] || fail "resume rewrote the first, full drive"
expect_rc 0 "$DISKSEED" verify "$T/new.img" "$T/d1.img" "$T/d2.img"
expect_rc 0 "$DISKSEED" restore --to "$T/r" "$T/d1.img" "$T/d2.img" \
    "$T/new.img"
treecmp "$T/st" "$T/r"
ok "needs another drive, then resume onto a new one"
