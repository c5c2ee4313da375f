#!/bin/sh
# SPDX-License-Identifier: MIT
# One flipped byte in a chunk, in the manifest, in the header: verify
# exits 4 and names the drive, the chunk and the file; restore restores
# the rest and names what it could not.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
DSIMG="perl $top_srcdir/tests/lib/dsimg"

mkdir "$T/st"
randfile "$T/st/only.bin" 2M
echo "a small note" > "$T/st/note.txt"
mkimage "$T/good.img" 8M
prep 0 "$T/st" dmg "$T/good.img"
expect_rc 0 "$DISKSEED" verify "$T/good.img"

$DSIMG hdr "$T/good.img" > "$T/hdr" || fail "dsimg hdr"
$DSIMG trl "$T/good.img" > "$T/trl" || fail "dsimg trl"
cs=$(sed -n 's/^chunk_size=//p' "$T/hdr")
doff=$(sed -n 's/^data_off=//p' "$T/hdr")
moff=$(sed -n 's/^manifest_off=//p' "$T/trl")
mlen=$(sed -n 's/^manifest_len=//p' "$T/trl")
[ -n "$cs" ] && [ "$moff" -gt 0 ] && [ "$mlen" -gt 0 ] ||
    fail "no chunk size or manifest in the trailer"
nch=$($DSIMG chunks "$T/good.img" | wc -l)
[ "$nch" -ge 20 ] || fail "only $nch chunks for 2 MiB"

# A byte in the middle of chunk 12's ciphertext: 768 KiB into a stream
# whose only big file is only.bin.
cp "$T/good.img" "$T/chunk.img"
flip "$T/chunk.img" $((doff + 12 * cs + cs / 2))
expect_rc 4 "$DISKSEED" verify "$T/chunk.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "chunk\.img"
grep_q "$T/all" "[Cc]hunk[^0-9]*12([^0-9]|$)"
grep_q "$T/all" "only\.bin"
if grep -q "note\.txt" "$T/all"; then fail "note.txt named as damaged"; fi
expect_rc 4 "$DISKSEED" restore --to "$T/r1" "$T/chunk.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "only\.bin"
cmp -s "$T/st/note.txt" "$T/r1/note.txt" || fail "note.txt not restored"
if [ -e "$T/r1/only.bin" ] && cmp -s "$T/st/only.bin" "$T/r1/only.bin"; then
	fail "a damaged only.bin restored as good"
fi
ok "flipped chunk byte named"

# A byte in the manifest.
cp "$T/good.img" "$T/man.img"
flip "$T/man.img" $((moff + mlen / 2))
expect_rc 4 "$DISKSEED" verify "$T/man.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "man\.img"
grep_q "$T/all" "[Mm]anifest"
ok "flipped manifest byte named"

# A byte in the header (the job name): the header's checksum fails.
cp "$T/good.img" "$T/hdr.img"
flip "$T/hdr.img" 164
expect_rc 4 "$DISKSEED" verify "$T/hdr.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "hdr\.img"
grep_q "$T/all" "[Hh]eader"
ok "flipped header byte named"

# A byte in the trailer (the header's copy at the end).
cp "$T/good.img" "$T/trl.img"
size=$(stat -c %s "$T/trl.img")
flip "$T/trl.img" $((size / 4096 * 4096 - 4096 + 164))
expect_rc 4 "$DISKSEED" verify "$T/trl.img"
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "trl\.img"
grep_q "$T/all" "[Tt]railer"
ok "flipped trailer byte named"
