#!/bin/sh
# SPDX-License-Identifier: MIT
# A hostile drive (written by hand with tests/lib/mkevil, valid key, tags
# and manifest) holding an absolute path, "..", a path through a symbolic
# link it also holds: restore refuses and names each of them, writes
# nothing outside the target folder, and restores the rest.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
EVIL="$top_builddir/tests/lib/mkevil"
[ -x "$EVIL" ] || fail "tests/lib/mkevil not built"

mkdir -p "$T/outside" "$T/r/x"
# shellcheck disable=SC2046
set -- $("$EVIL" "$T/e.img" 8388608 "f:ok.txt:fine" "f:../escape.txt:bad" \
    "f:$T/outside/abs.txt:bad" "l:lnk:$T/outside" "f:lnk/through.txt:bad" \
    "f:sub/../../up.txt:bad" "f:zz.txt:end") || fail "mkevil"
# addkey SET KEY: the key file prep would have left.
addkey() {
	keys=$XDG_STATE_HOME/diskseed/keys
	mkdir -p "$keys"
	chmod 700 "$XDG_STATE_HOME" "$XDG_STATE_HOME/diskseed" "$keys"
	echo "{\"setId\": \"$1\", \"keys\": {\"0\": \"$2\"}}" \
	    > "$keys/$1.json"
	chmod 600 "$keys/$1.json"
}
addkey "$@"

expect_rc 0 "$DISKSEED" inspect "$T/e.img"
expect_rc 4 "$DISKSEED" restore --to "$T/r/x" "$T/e.img"
cat "$T/out" "$T/err" > "$T/all"
for p in '\.\./escape\.txt' "$T/outside/abs\\.txt" 'lnk/through\.txt' \
    'sub/\.\./\.\./up\.txt'; do
	grep_q "$T/all" "$p"
done
[ -z "$(ls -A "$T/outside")" ] || fail "written outside: $(ls -A "$T/outside")"
[ ! -e "$T/r/escape.txt" ] && [ ! -e "$T/escape.txt" ] &&
    [ ! -e "$T/up.txt" ] && [ ! -e "$T/r/up.txt" ] ||
    fail "a '..' path was written"
[ "$(cat "$T/r/x/ok.txt")" = fine ] && [ "$(cat "$T/r/x/zz.txt")" = end ] ||
    fail "the harmless files were not restored"
[ -L "$T/r/x/lnk" ] || fail "the link itself was not restored"
ok "hostile paths refused and named, the rest restored"

# A manifest with its keys in another order ("totals" after "files") is
# still a manifest.
# shellcheck disable=SC2046
set -- $("$EVIL" -t "$T/t.img" 8388608 "f:ok.txt:fine" "f:d/z.txt:end") ||
    fail "mkevil -t"
addkey "$@"
expect_rc 0 "$DISKSEED" verify "$T/t.img"
expect_rc 0 "$DISKSEED" restore --to "$T/r2" "$T/t.img"
[ "$(cat "$T/r2/d/z.txt")" = end ] || fail "d/z.txt not restored"
ok "manifest keys in another order"
