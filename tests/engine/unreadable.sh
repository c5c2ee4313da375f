#!/bin/sh
# SPDX-License-Identifier: MIT
# Unreadable files in staging: prep (run as an unprivileged user, since
# root reads everything) lists them and refuses to start, writing
# nothing; with --skip-unreadable it goes on and records them as skipped.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

command -v setpriv >/dev/null 2>&1 || skip "no setpriv"
[ "$(id -u)" = 0 ] || skip "not root: cannot make a file unreadable to us"
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    env HOME="$U/home" XDG_STATE_HOME="$U/state" \
	    XDG_CONFIG_HOME="$U/config" "$@"
}
chmod 711 "$T"
U=$T/u
mkdir -p "$U/home" "$U/st/sub" "$U/st/closed"
as_nobody "$DISKSEED" --version >/dev/null 2>&1 ||
    skip "the build tree is not reachable for user nobody"
echo open > "$U/st/open.txt"
echo sub > "$U/st/sub/also-open.txt"
echo secret > "$U/st/sub/secret.txt"
echo hidden > "$U/st/closed/inside.txt"
mkimage "$U/u.img" 8M
chown -R 65534:65534 "$U"
chown 0:0 "$U/st/sub/secret.txt" "$U/st/closed"
chmod 0000 "$U/st/sub/secret.txt"
chmod 0700 "$U/st/closed"
h=$(sha "$U/u.img")

# shellcheck disable=SC2086
expect_rc_in "1 5" as_nobody "$DISKSEED" prep $DS_PREP_OPTS \
    --staging "$U/st" --job unr --drive "$U/u.img" --confirm u.img
cat "$T/out" "$T/err" > "$T/all"
grep_q "$T/all" "sub/secret\.txt"
grep_q "$T/all" "closed"
grep_q "$T/all" "--skip-unreadable"
[ "$(sha "$U/u.img")" = "$h" ] || fail "prep wrote to the drive though it refused"
ok "unreadable files listed, nothing written"

# shellcheck disable=SC2086
expect_rc 0 as_nobody "$DISKSEED" prep $DS_PREP_OPTS --skip-unreadable \
    --staging "$U/st" --job unr --drive "$U/u.img" --confirm u.img
# The manifest records both as skipped.
perl "$top_srcdir/tests/lib/dsimg" manifest "$U/u.img" |
    perl -MJSON::PP -0ne '$m = decode_json($_);
	print "$_->{path}\n" for grep { $_->{skipped} } @{$m->{files}}' \
    > "$T/skipped" || fail "no manifest"
grep_q "$T/skipped" "^sub/secret\.txt$"
grep_q "$T/skipped" "^closed"
expect_rc 0 as_nobody "$DISKSEED" verify "$U/u.img"
expect_rc 0 as_nobody "$DISKSEED" restore --to "$U/r" "$U/u.img"
[ ! -e "$U/r/sub/secret.txt" ] || fail "a skipped file was restored"
cmp -s "$U/st/open.txt" "$U/r/open.txt" || fail "open.txt not restored"
cmp -s "$U/st/sub/also-open.txt" "$U/r/sub/also-open.txt" ||
    fail "sub/also-open.txt not restored"
ok "--skip-unreadable records the skipped files"
