#!/bin/sh
# SPDX-License-Identifier: MIT
# Damage on the receiving side: a corrupted chunk makes its drive
# CompletedMoreInfo with the lost files named in its error log while every
# other file is stored whole; a drive whose header hash does not match
# the job, and one whose manifest is corrupted, are refused with the
# reason and never written.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/ingest.sh"
ingest_setup

# flip FILE OFFSET: inverts one byte.
flip() {
	python3 - "$1" "$2" <<'EOP' || fail "flip $1"
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0xff]))
EOP
}

mkdir -p "$T/st"
head -c 5M /dev/urandom >"$T/st/a.bin"
head -c 4M /dev/urandom >"$T/st/b.bin"
head -c 1M /dev/urandom >"$T/st/c.bin"
echo tail >"$T/st/d.txt"
prep_ship jobd "$T/st" 8M "$T/d1.img" "$T/d2.img"

# The last chunk of d2: 1 MiB of header space, then 64 KiB slots.
expect_rc 0 "$DISKSEED" inspect --json "$T/d2.img"
n=$(sed -n 's/.*"chunks": \([0-9]*\).*/\1/p' "$T/out")
[ "${n:-0}" -gt 2 ] || fail "d2 has too few chunks: $n"
flip "$T/d2.img" $((1048576 + (n - 1) * 65536 + 200))
s2=$(sha "$T/d2.img")

expect_rc 3 receive --job jobd "$T/d2.img" "$T/d1.img"
expect_rc 0 "$DISKSEED" status --job jobd
grep_q "$T/out" "State: +Completed"
grep_q "$T/out" "Drive d1\.img: Completed"
grep_q "$T/out" "Drive d2\.img: CompletedMoreInfo"
grep_q "$T/out" "Copy status: +CompletedWithErrors"
expect_rc 0 bt get waimportexport jobd/d2.img_error.log "$T/e2"
sed -n 's/: not copied: .*//p' "$T/e2" >"$T/lost"
[ -s "$T/lost" ] || { cat "$T/e2" >&2; fail "the error log names no file"; }
grep -q '^d\.txt$' "$T/lost" || { cat "$T/e2" >&2; fail "d.txt (last chunk) not named"; }
grep -q '^a\.bin$' "$T/lost" && fail "a.bin (on d1) named as lost"
grep_q "$T/e2" "damaged"
container_matches "$T/st" "$T/lost"
[ "$(sha "$T/d2.img")" = "$s2" ] || fail "the damaged drive was written"
ok "corrupted chunk: drive CompletedMoreInfo, files named, the rest stored"

# A wrong header hash: a byte of d1's header block.
mkdir -p "$T/st2"
head -c 300000 /dev/urandom >"$T/st2/f.bin"
prep_ship jobh "$T/st2" 8M "$T/h1.img"
flip "$T/h1.img" 200
sh1=$(sha "$T/h1.img")
expect_rc 3 receive --job jobh "$T/h1.img"
grep_q "$T/err" "h1\.img: drive h1\.img refused: the drive header hash does not match"
expect_rc 0 "$DISKSEED" status --job jobh
grep_q "$T/out" "Drive h1\.img: CompletedMoreInfo"
grep_q "$T/out" "Copy status: +Failed"
expect_rc 0 bt get waimportexport jobh/h1.img_error.log "$T/eh"
grep_q "$T/eh" "header hash does not match"
if bt list backups f >"$T/l" 2>/dev/null && grep -q '^f\.bin' "$T/l"; then
	fail "a refused drive's file was uploaded"
fi
[ "$(sha "$T/h1.img")" = "$sh1" ] || fail "the refused drive was written"
ok "wrong header hash: refused with the reason"

# A corrupted manifest.
mkdir -p "$T/st3"
echo m >"$T/st3/m.txt"
prep_ship jobm "$T/st3" 8M "$T/m1.img"
expect_rc 0 "$DISKSEED" inspect --json "$T/m1.img"
used=$(sed -n 's/.*"bytesUsed": \([0-9]*\).*/\1/p' "$T/out")
# The manifest ends the used area; its first block is at least there.
python3 - "$T/m1.img" "$used" <<'EOP' || fail "find manifest"
import sys
f = open(sys.argv[1], "r+b"); used = int(sys.argv[2])
f.seek(used - 4096); blk = f.read(4096); i = blk.find(b'"files"')
assert i >= 0, "no manifest text"
f.seek(used - 4096 + i + 1); f.write(b"X")
EOP
expect_rc 3 receive --job jobm "$T/m1.img"
grep_q "$T/err" "m1\.img: drive m1\.img refused: manifest corrupted"
ok "corrupted manifest: refused with the reason"
