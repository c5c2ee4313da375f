#!/bin/sh
# SPDX-License-Identifier: MIT
# What the hostile-drive reader hands a sink (tests/lib/drdump prints
# each call) for a file split over two drives, read together, alone (as
# the ingest reads the drives in hand: each part on its own, the missing
# drive named) and whole-files-only (as restore reads: a part without
# its beginning is damage); a part the sink skips gets no data or end.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
DUMP="$top_builddir/tests/lib/drdump"
[ -x "$DUMP" ] || fail "tests/lib/drdump not built"
EVIL="$top_builddir/tests/lib/mkevil"

sha=$(printf HELLOWORLD | sha256sum | cut -d' ' -f1)
# shellcheck disable=SC2046
set -- $("$EVIL" -m "$T/d0.img" 8388608 "f:a.txt:alpha" "a:f:big:HELLO" \
    "r:file:big:size=10,len=5,last=0,sha=$sha") || fail "mkevil d0"
"$EVIL" -i 1 -s "$1" -k "$2" "$T/d1.img" 8388608 "a:f:big:WORLD" \
    "r:file:big:size=10,off=5,len=5,sha=$sha" "a:h:hl:big" "r:hardlink:hl:" \
    "a:d:dir:" "r:dir:dir:" >/dev/null || fail "mkevil d1"
keys=$XDG_STATE_HOME/diskseed/keys
mkdir -p "$keys"
chmod 700 "$XDG_STATE_HOME" "$XDG_STATE_HOME/diskseed" "$keys"
printf '{"setId": "%s", "keys": {"0": "%s", "1": "%s"}}\n' "$1" "$2" "$2" \
    > "$keys/$1.json"
chmod 600 "$keys/$1.json"

# has FILE LINE...: each LINE is a line of FILE.
has() {
	f=$1
	shift
	for l; do
		grep -qxF -- "$l" "$f" || fail "no '$l' in: $(cat "$f")"
	done
}

expect_rc 0 "$DUMP" "$T/d0.img" "$T/d1.img"
has "$T/out" "begin big 0 5 first -" "data big 5" "end big part" \
    "begin big 5 5 - last" "end big ok $sha" "other hardlink hl big" \
    "other dir dir" "end a.txt ok $(printf alpha | sha256sum | cut -d' ' -f1)"
ok "both drives: two parts, the file's SHA-256 checked on the last"

expect_rc 4 "$DUMP" "$T/d1.img"
has "$T/out" "begin big 5 5 - last" "data big 5" "end big part" \
    "other hardlink hl big" "missing 0"
ok "the second drive alone: its part delivered, the first drive named"

expect_rc 4 "$DUMP" "$T/d0.img"
has "$T/out" "begin big 0 5 first -" "end big part" "missing 1"
grep -q "^problem big: " "$T/out" || fail "big not named: $(cat "$T/out")"
ok "the first drive alone: its part delivered, the rest named"

expect_rc 4 "$DUMP" -w "$T/d1.img"
! grep -q "^begin big" "$T/out" || fail "whole files only: a part passed on"
grep -q "^problem big: " "$T/out" || fail "big not named"
grep -q "^problem hl: " "$T/out" || fail "hl not refused"
ok "whole files only: a part without its beginning is damage"

expect_rc 0 "$DUMP" -s big "$T/d0.img" "$T/d1.img"
! grep -Eq "^(data|end) big" "$T/out" || fail "a skipped part was passed on"
has "$T/out" "begin big 0 5 first -" "begin big 5 5 - last" "data a.txt 5"
ok "a part the sink skips is read past"
