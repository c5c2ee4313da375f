#!/bin/sh
# SPDX-License-Identifier: MIT
# Without --confirm, or with a wrong one, nothing is written to any drive:
# the images keep their SHA-256 (they start and end with a filesystem
# signature and random bytes, as a used disk would).
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir "$T/st"
echo data > "$T/st/f"
for d in c1 c2; do
	mkimage "$T/$d.img" 8M
	randfile "$T/rnd" 1M
	dd if="$T/rnd" of="$T/$d.img" conv=notrunc status=none
	dd if="$T/rnd" of="$T/$d.img" bs=1M seek=7 conv=notrunc status=none
	# A file system, as on a used disk.
	if command -v mkfs.ext4 >/dev/null 2>&1; then
		mkfs.ext4 -q -F -E nodiscard "$T/$d.img" 4M >/dev/null 2>&1 ||
		    fail "mkfs.ext4"
		[ -n "$(wipefs -n "$T/$d.img" | tail -n +2)" ] ||
		    fail "wipefs sees no signature after mkfs"
	fi
done
h1=$(sha "$T/c1.img"); h2=$(sha "$T/c2.img")
unchanged() {
	[ "$(sha "$T/c1.img")" = "$h1" ] || fail "c1.img was written: $1"
	[ "$(sha "$T/c2.img")" = "$h2" ] || fail "c2.img was written: $1"
}
base="prep $DS_PREP_OPTS --staging $T/st --job conf"

# shellcheck disable=SC2086
expect_rc_in "2 5" "$DISKSEED" $base --drive "$T/c1.img"
unchanged "no --confirm"
# shellcheck disable=SC2086
expect_rc 5 "$DISKSEED" $base --drive "$T/c1.img" --confirm c2.img
unchanged "--confirm names another drive"
# shellcheck disable=SC2086
expect_rc 5 "$DISKSEED" $base --drive "$T/c1.img" --confirm c1
unchanged "--confirm names part of the name"
# shellcheck disable=SC2086
expect_rc 5 "$DISKSEED" $base --drive "$T/c1.img" --confirm "$T/c1.img.x"
unchanged "--confirm names a longer name"
# shellcheck disable=SC2086
expect_rc 5 "$DISKSEED" $base --drive "$T/c1.img" --drive "$T/c2.img" \
    --confirm c1.img
unchanged "--confirm names one drive of two"
grep_q "$T/err" "c2\.img"
# shellcheck disable=SC2086
expect_rc_in "2 5" "$DISKSEED" $base --drive "$T/c1.img" --confirm ""
unchanged "--confirm empty"
# The right confirmation writes.
# shellcheck disable=SC2086
expect_rc 0 "$DISKSEED" $base --drive "$T/c1.img" --confirm c1.img
[ "$(sha "$T/c1.img")" != "$h1" ] || fail "confirmed prep wrote nothing"
[ "$(sha "$T/c2.img")" = "$h2" ] || fail "c2.img written though not given"
# The old signature is gone at both ends.
if command -v wipefs >/dev/null 2>&1; then
	[ -z "$(wipefs -n "$T/c1.img" 2>/dev/null | tail -n +2)" ] ||
	    fail "signatures left on c1.img"
fi
ok "nothing written without a matching --confirm"
