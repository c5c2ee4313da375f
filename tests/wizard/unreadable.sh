#!/bin/sh
# SPDX-License-Identifier: MIT
# Unreadable files in the staging folder are listed on the staging
# screen (two at a time, PgUp/PgDn for the others), Enter in the folder
# field scans again once some are fixed and the count follows, Enter
# elsewhere refuses to go on until they are fixed or skipped (F2),
# and the drive estimate is labelled as one. Run as an unprivileged user
# (root reads everything), so it needs root to switch to 'nobody'.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
command -v expect >/dev/null || skip "expect not installed"
command -v setpriv >/dev/null || skip "setpriv not installed"
[ "$(id -u)" = 0 ] || skip "needs root to run the wizard as nobody"
id nobody >/dev/null 2>&1 || skip "no user nobody"

U=$T/u
mkdir -p "$U/home" "$U/staging/locked" "$U/ps"
echo fine >"$U/staging/fine.txt"
echo secret >"$U/staging/secret.txt"
echo b1 >"$U/staging/b1.txt"
echo b2 >"$U/staging/b2.txt"
echo inner >"$U/staging/locked/inner.txt"
chmod 000 "$U/staging/secret.txt"
chmod 000 "$U/staging/locked"
mkmgmt good 30
mkpublish2 "$U/ps/one.publishsettings" https://127.0.0.1:1 \
	"0a1b2c3d-0000-4000-8000-00000000000a:Only:good"
chown -R nobody "$U"
chmod 755 "$T"
chmod 000 "$U/staging/locked" "$U/staging/secret.txt" "$U/staging/b1.txt" \
    "$U/staging/b2.txt"
DS_RUN_AS="$(id -u nobody) $(id -g nobody)"
export U DS_RUN_AS
expect -f "$top_srcdir/tests/wizard/unreadable-run.exp" || fail "unreadable"
ok "unreadable files listed"
