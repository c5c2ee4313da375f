#!/bin/sh
# A wrong key (the key file tampered with, or none at all): a clear error,
# and restore writes no file at all.
. "$top_srcdir/tests/lib/engine.sh"

mkdir "$T/st"
randfile "$T/st/a.bin" 300K
echo text > "$T/st/b.txt"
mkimage "$T/k.img" 8M
prep 0 "$T/st" wk "$T/k.img"
expect_rc 0 "$DISKSEED" verify "$T/k.img"

# Key files are private.
found=0
for f in $(find "$XDG_STATE_HOME" -type f); do
	m=$(stat -c %a "$f")
	case $m in
	600|400) ;;
	*) grep -qi key "$f" 2>/dev/null && fail "$f holds keys with mode $m" ;;
	esac
	found=1
done
[ $found = 1 ] || fail "prep left nothing in the state folder"

# No key at all: another state folder.
expect_rc_in "1 5" "$DISKSEED" --state-dir "$T/empty-state" restore --to "$T/r0" \
    "$T/k.img"
grep_q "$T/err" "[Kk]ey|[Cc]hiave"
[ ! -e "$T/r0" ] || [ "$(count_entries "$T/r0")" = 0 ] ||
    fail "restore without a key wrote files"

# The key file tampered with: every key-like file in the state folder
# gets its first digit or hex character changed.
cp -a "$XDG_STATE_HOME" "$T/state-good"
tampered=0
for f in $(grep -rlE '[0-9a-fA-F]{32}|[0-9]{6}-[0-9]{6}' "$XDG_STATE_HOME"); do
	perl -0pi -e 's/([0-9]{6})-([0-9]{6})/sprintf("%06d-%s", ($1 + 11) % 1000000, $2)/e' "$f"
	tampered=1
done
for f in $(find "$XDG_STATE_HOME" -type f -name '*key*'); do
	cmp -s "$f" "$T/state-good/${f#"$XDG_STATE_HOME"/}" || continue
	# A binary key file: flip its first byte.
	flip "$f" 0
	tampered=1
done
[ $tampered = 1 ] || fail "found no key file to tamper with"
expect_rc_in "1 5" "$DISKSEED" restore --to "$T/r1" "$T/k.img"
grep_q "$T/err" "[Kk]ey|[Cc]hiave"
[ ! -e "$T/r1" ] || [ "$(count_entries "$T/r1")" = 0 ] ||
    fail "restore with a wrong key wrote files"
expect_rc_in "1 4 5" "$DISKSEED" verify "$T/k.img"
grep_q "$T/err" "[Kk]ey|[Cc]hiave"
ok "wrong key refused, nothing written"
