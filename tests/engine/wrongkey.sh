#!/bin/sh
# SPDX-License-Identifier: MIT
# A wrong key (the key file tampered with, or none at all): a clear error,
# and restore writes no file at all.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

mkdir "$T/st"
randfile "$T/st/a.bin" 300K
echo text > "$T/st/b.txt"
mkimage "$T/k.img" 8M
prep 0 "$T/st" wkjob "$T/k.img"
expect_rc 0 "$DISKSEED" verify "$T/k.img"

# Key files are private.
# (read from a list, not a word-split $(find): names may hold blanks.)
find "$XDG_STATE_HOME" -type f > "$T/files"
found=0
while IFS= read -r f; do
	m=$(stat -c %a "$f")
	case $m in
	600|400) ;;
	*) grep -qi key "$f" 2>/dev/null && fail "$f holds keys with mode $m" ;;
	esac
	found=1
done < "$T/files"
[ $found = 1 ] || fail "prep left nothing in the state folder"

# No key at all: another state folder.
expect_rc_in "1 5" "$DISKSEED" --state-dir "$T/empty-state" restore --to "$T/r0" \
    "$T/k.img"
grep_q "$T/err" "[Kk]ey|[Cc]hiave"
[ ! -e "$T/r0" ] || [ "$(count_entries "$T/r0")" = 0 ] ||
    fail "restore without a key wrote files"

# The keys tampered with: in every JSON file of the state folder, each
# 64-hex-digit key and each recovery key (groups of 6 digits) gets its
# first digit changed; a key file that is not JSON gets its first byte
# flipped.
find "$XDG_STATE_HOME" -type f > "$T/files"
tampered=0
while IFS= read -r f; do
	cp "$f" "$T/before"
	case $f in
	*.json)
		perl -pi -e 's/"([0-9a-fA-F])([0-9a-fA-F]{63})"/sprintf("\"%x%s\"", (hex($1) + 1) % 16, $2)/ge;
		    s/([0-9]{6})((-[0-9]{6}){15})/sprintf("%06d%s", ($1 + 11) % 1000000, $2)/ge' "$f" ;;
	*key*)
		flip "$f" 0 ;;
	esac
	cmp -s "$f" "$T/before" || tampered=1
done < "$T/files"
[ $tampered = 1 ] || fail "found no key in the state folder to tamper with"
expect_rc_in "1 5" "$DISKSEED" restore --to "$T/r1" "$T/k.img"
grep_q "$T/err" "[Kk]ey|[Cc]hiave"
[ ! -e "$T/r1" ] || [ "$(count_entries "$T/r1")" = 0 ] ||
    fail "restore with a wrong key wrote files"
expect_rc_in "1 4 5" "$DISKSEED" verify "$T/k.img"
grep_q "$T/err" "[Kk]ey|[Cc]hiave"
ok "wrong key refused, nothing written"
