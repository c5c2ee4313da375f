#!/bin/sh
# SPDX-License-Identifier: MIT
# verify --deep decompresses everything and compares with the staging
# folder: passes on the same tree, names a file changed since.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkcorpus -n 100 -s 4M "$T/st"
mkdrives 2 8M
# shellcheck disable=SC2086
prep 0 "$T/st" deep $DRIVES
# shellcheck disable=SC2086
DRIVES=$(used_drives $DRIVES)
# shellcheck disable=SC2086
expect_rc 0 "$DISKSEED" verify --deep "$T/st" $DRIVES

# Same size and time, other content.
f=$T/st/small/d000/f00042.txt
printf X | dd of="$f" bs=1 seek=3 conv=notrunc status=none
touch -d '2022-02-22 22:22:22.222222222' "$f"
# shellcheck disable=SC2086
expect_rc 4 "$DISKSEED" verify --deep "$T/st" $DRIVES
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "small/d000/f00042\.txt"
if grep -q "f00041" "$T/all"; then fail "an unchanged file named"; fi
# A file removed from staging, one added.
rm "$T/st/text/nonl.txt"
echo new > "$T/st/new.txt"
# shellcheck disable=SC2086
expect_rc 4 "$DISKSEED" verify --deep "$T/st" $DRIVES
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "text/nonl\.txt"
grep_q "$T/all" "new\.txt"
ok "verify --deep"
