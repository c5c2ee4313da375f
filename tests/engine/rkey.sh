#!/bin/sh
# SPDX-License-Identifier: MIT
# Keys: prep prints each drive's recovery key once (16 groups of 6 digits,
# each a multiple of 11); the key is kept only in 0600 files and never
# written to the drive; the drives restore with the recovery keys alone
# (no key file, as on the receiving side); a wrong recovery key writes
# nothing, and a mistyped group is named.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
RK="$top_builddir/tests/lib/rkrestore"
[ -x "$RK" ] || fail "tests/lib/rkrestore not built"

mkcorpus -n 50 -b 7M -r 1M -s 2M "$T/st"
mkdrives 3 8M
# shellcheck disable=SC2086
prep 0 "$T/st" rkjob $DRIVES
# shellcheck disable=SC2086
set -- $(used_drives $DRIVES)
[ $# -ge 2 ] || fail "want a set of at least 2 drives, got $#"
for d; do
	n=$(grep -c "$(basename "$d").*[0-9]\{6\}\(-[0-9]\{6\}\)\{15\}" "$T/out")
	[ "$n" = 1 ] || fail "recovery key of $d printed $n times"
done
grep -o '[0-9]\{6\}\(-[0-9]\{6\}\)\{15\}' "$T/out" > "$T/rkeys"
grep 'recovery key' "$T/out" > "$T/prep-lines"
[ "$(wc -l < "$T/rkeys")" = $# ] || fail "not one recovery key per drive"
awk -F- '{ for (i = 1; i <= NF; i++) if ($i % 11) exit 1 }' "$T/rkeys" ||
    fail "a recovery key group is not a multiple of 11"
if grep -rq "$(head -n 1 "$T/rkeys")" "$T/err"; then
	fail "a recovery key on standard error"
fi

# Key files are 0600 in 0700 folders, and the key is not on any drive.
# (find -exec, not a word-split $(find): names may hold blanks.)
bad=$(find "$XDG_STATE_HOME" \( \( -type f ! -perm 600 \) -o \
    \( -type d ! -perm 700 \) \) -exec stat -c '%n: mode %a' {} +)
[ -z "$bad" ] || fail "$bad"
for k in $(grep -rhoE '"[0-9a-fA-F]{64}"' "$XDG_STATE_HOME/diskseed/keys" |
    tr -d '"'); do
	for d; do
		perl -e 'local $/; open my $f, "<:raw", $ARGV[1] or die;
		    my $img = <$f>; exit(index($img, pack("H*", $ARGV[0])) >= 0)' \
		    "$k" "$d" || fail "a key is written on $d"
	done
done

# Recovery keys alone, no state folder.
export XDG_STATE_HOME="$T/nostate"
"$RK" verify "$@" < "$T/rkeys" > "$T/out" 2> "$T/err" ||
    { cat "$T/out" "$T/err"; fail "verify with the recovery keys"; }
"$RK" restore "$T/r" "$@" < "$T/rkeys" > "$T/out" 2> "$T/err" ||
    { cat "$T/out" "$T/err"; fail "restore with the recovery keys"; }
treecmp "$T/st" "$T/r"
ok "restored with the recovery keys"

# A wrong but well-formed key for the last drive (a group + 11).
sed '$ s/^\([0-9]\{6\}\)/X\1/' "$T/rkeys" |
    awk -F- -v OFS=- '/^X/ { $1 = sprintf("%06d", (substr($1, 2) + 11) % 1000000) } 1' \
    > "$T/wrong"
cmp -s "$T/rkeys" "$T/wrong" && fail "could not make a wrong key"
expect_rc 1 "$RK" restore "$T/r1" "$@" < "$T/wrong"
grep_q "$T/err" "BADKEY"
[ ! -e "$T/r1" ] || [ "$(count_entries "$T/r1")" = 0 ] ||
    fail "restore with a wrong recovery key wrote files"
# The key of one drive left out.
head -n 1 "$T/rkeys" > "$T/one"
expect_rc_in "1 4" "$RK" restore "$T/r2" "$@" < "$T/one"
grep_q "$T/err" "BADKEY|NOTFOUND|[Kk]ey"
[ ! -e "$T/r2" ] || [ "$(count_entries "$T/r2")" = 0 ] ||
    fail "restore without the key of one drive wrote files"
ok "wrong recovery keys refused, nothing written"

# A mistyped group (the 5th: no longer a multiple of 11) is named.
awk -F- -v OFS=- 'NR == 1 { $5 = sprintf("%06d", ($5 + 1) % 1000000) } 1' \
    "$T/rkeys" > "$T/typo"
expect_rc_in "1 2" "$RK" restore "$T/r3" "$@" < "$T/typo"
grep_q "$T/err" "(group|gruppo)[^0-9]*5([^0-9]|$)"
[ ! -e "$T/r3" ] || [ "$(count_entries "$T/r3")" = 0 ] ||
    fail "restore with a mistyped recovery key wrote files"
ok "mistyped group named"

# diskseed itself, with --recovery-keys and no state folder: prep's own
# lines saved in the wrong order (each names its drive), then bare keys
# in drive order on standard input.
sort -r "$T/prep-lines" > "$T/keys.txt"
chmod 600 "$T/keys.txt"
"$DISKSEED" restore -q --to "$T/r4" --recovery-keys "$T/keys.txt" "$@" \
    > "$T/out" 2> "$T/err" ||
    { cat "$T/out" "$T/err"; fail "diskseed restore --recovery-keys"; }
treecmp "$T/st" "$T/r4"
grep -q "can be read by others" "$T/err" && fail "0600 key file warned about"
"$DISKSEED" verify -q --recovery-keys - "$@" < "$T/rkeys" > "$T/out" \
    2> "$T/err" || { cat "$T/out" "$T/err"; fail "diskseed verify --recovery-keys -"; }
ok "diskseed restore and verify with --recovery-keys"

# A key file others can read is warned about; a mistyped group is named
# and nothing written; two keys for one drive are refused.
cp "$T/typo" "$T/typo.txt"
chmod 644 "$T/typo.txt"
expect_rc_in "1 2" "$DISKSEED" restore -q --to "$T/r5" \
    --recovery-keys "$T/typo.txt" "$@"
grep_q "$T/err" "can be read by others"
grep_q "$T/err" "(group|gruppo)[^0-9]*5([^0-9]|$)"
[ ! -e "$T/r5" ] || [ "$(count_entries "$T/r5")" = 0 ] ||
    fail "diskseed restore with a mistyped recovery key wrote files"
{ echo "0: $(head -n 1 "$T/rkeys")"; echo "0: $(head -n 1 "$T/rkeys")"; } \
    > "$T/twice.txt"
expect_rc 2 "$DISKSEED" verify -q --recovery-keys "$T/twice.txt" "$@"
grep_q "$T/err" "second key for drive 0"
expect_rc 2 "$DISKSEED" verify -q --recovery-keys /dev/null "$@"
grep_q "$T/err" "no recovery key"
# A key cut short (8 of 16 groups, then the next drive's label) is named.
awk -F- '{ printf "Drive %d (x):\n", NR - 1
	print $1 "-" $2 "-" $3 "-" $4 "-" $5 "-" $6 "-" $7 "-" $8 }' \
    "$T/rkeys" > "$T/short.txt"
chmod 600 "$T/short.txt"
expect_rc 2 "$DISKSEED" verify -q --recovery-keys "$T/short.txt" "$@"
grep_q "$T/err" "line 2: the key has 8 of its 16 groups"
ok "bad key files refused"

# The keys as the wizard's keys screen shows them, in reverse drive
# order: framed, the label on its own row, each key over two rows.
awk -F- '{ printf "| Drive %d (x):   |\n", NR - 1
	printf "|   %s-%s-%s-%s-%s-%s-%s-%s   |\n", $1, $2, $3, $4, $5, $6, $7, $8
	printf "|   %s-%s-%s-%s-%s-%s-%s-%s   |\n", $9, $10, $11, $12, $13, $14, $15, $16 }' \
    "$T/rkeys" | awk '{ l[NR] = $0 } END { for (i = NR - 2; i > 0; i -= 3)
	print l[i] "\n" l[i + 1] "\n" l[i + 2] }' > "$T/screen.txt"
chmod 600 "$T/screen.txt"
"$DISKSEED" verify -q --recovery-keys "$T/screen.txt" "$@" > "$T/out" \
    2> "$T/err" || { cat "$T/screen.txt" "$T/err"; fail "keys as shown"; }
ok "keys as the wizard shows them"
