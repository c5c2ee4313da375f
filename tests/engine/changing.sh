#!/bin/sh
# SPDX-License-Identifier: MIT
# Files that change while prep reads them are named and marked "changed"
# in the manifest, both a small file (read whole by the read-ahead
# thread) and a big one (streamed by the archiver); a file left alone is
# not. strace holds every read of the two files for 0.7 s while another
# process keeps appending to them, so each changes between prep's stat
# before its read and its stat after.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
DSIMG="perl $top_srcdir/tests/lib/dsimg"
command -v strace >/dev/null 2>&1 || skip "no strace"
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here"

mkdir -p "$T/st"
head -c 4096 /dev/urandom > "$T/st/small.txt"
randfile "$T/st/big.bin" 3M
echo steady > "$T/st/steady.txt"
mkimage "$T/d.img" 32M
export XDG_STATE_HOME="$T/state"
# LeakSanitizer cannot run under ptrace; the other tests check for leaks.
if [ -n "${DS_SANITIZED:-}" ]; then
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
	export ASAN_OPTIONS
fi

# The appender stops by itself, and at the end of the test at the latest.
( i=0; while [ $i -lt 80 ] && [ -d "$T/st" ]; do
	echo x >> "$T/st/small.txt"; echo y >> "$T/st/big.bin"
	sleep 0.1; i=$((i + 1)); done ) &
appender=$!
ds_at_exit "kill $appender 2>/dev/null || :"

# shellcheck disable=SC2086
expect_rc 0 strace -f -qq -o /dev/null -P "$T/st/small.txt" \
    -P "$T/st/big.bin" -e trace=pread64,read \
    -e inject=pread64,read:delay_exit=700000 \
    "$DISKSEED" prep $DS_PREP_OPTS --staging "$T/st" --job chjob \
    --drive "$T/d.img" --confirm d.img
kill $appender 2>/dev/null || :
cat "$T/out" "$T/err" > "$T/all"
# Named once each, though big.bin is copied in parts (one a segment).
for f in small.txt big.bin; do
	n=$(grep -c "$f: changed while it was read" "$T/all" || :)
	[ "$n" = 1 ] || fail "$f named $n times as changed, not once"
done
if grep -q "steady.txt: changed" "$T/all"; then
	fail "steady.txt said changed"
fi

$DSIMG manifest "$T/d.img" > "$T/mf" || fail "manifest not readable"
for f in small.txt big.bin steady.txt; do
	P=$f perl -MJSON::PP -ne '
	    next unless /\S/; $m = decode_json($_);
	    for (@{$m->{files}}) {
		next unless $_->{path} eq $ENV{P};
		print $_->{changed} ? "changed\n" : "same\n"; exit 0 }
	    exit 1' "$T/mf" > "$T/state.$f" || fail "$f not in the manifest"
done
[ "$(cat "$T/state.small.txt")" = changed ] ||
    fail "small.txt not marked changed in the manifest"
[ "$(cat "$T/state.big.bin")" = changed ] ||
    fail "big.bin not marked changed in the manifest"
[ "$(cat "$T/state.steady.txt")" = same ] ||
    fail "steady.txt marked changed in the manifest"
ok "files changing while read are named and marked changed"
