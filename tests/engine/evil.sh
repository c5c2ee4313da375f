#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile drives (tests/lib/mkevil: valid key, tags and manifest, but
# archive entries and manifest rows that lie to each other), one per
# attack class of issue 12, against restore and verify --deep: nothing
# written outside the target, no host file read, no device or FIFO made
# or opened, output bounded, every run within its time limit, each
# damage named, the honest files restored.
set -eu
. "$top_srcdir/tests/lib/engine.sh"

. "$top_srcdir/tests/lib/evil-items.sh"

evil_host
mkdir -p "$T/staging"
echo fine > "$T/staging/ok.txt"
echo end > "$T/staging/zz.txt"
# The list, with a "." entry (whose metadata would change the target
# folder), as arguments: one item a line, none holds a newline.
evil_items "a:d:.:" "r:dir:.:" >"$T/items"
set -f
old_ifs=$IFS
IFS='
'
# shellcheck disable=SC2046
set -- $(cat "$T/items")
IFS=$old_ifs
set +f
evil "$T/e.img" "$@"

# run WHAT TIMEOUT CMD...: runs CMD under timeout, expecting exit 4.
run() {
	what=$1
	shift
	expect_rc 4 timeout 20 "$@"
	cat "$T/out" "$T/err" > "$T/all.$what"
	for n in $evil_names; do
		grep -Eq "(^|[ :])$n:" "$T/all.$what" ||
		    fail "$what: $n not named: $(cat "$T/all.$what")"
	done
	grep_q "$T/all.$what" "fifo2: not restored"
	grep_q "$T/all.$what" "null: not restored"
	grep -Eq '^drive 0: \.:' "$T/all.$what" || fail "$what: '.' not named"
}

mkdir -p "$T/r"
chmod 700 "$T/r"
run restore "$DISKSEED" restore --to "$T/r" "$T/e.img"
[ -z "$(ls -A "$T/outside")" ] || fail "written outside: $(ls -A "$T/outside")"
[ ! -e "$T/X" ] && [ ! -e "$T/abs" ] || fail "a path outside the target"
[ "$(cat "$T/host.txt")" = HOSTSECRET ] || fail "the host file changed"
! grep -rq HOSTSECRET "$T/r" || fail "a host file's content was restored"
[ -z "$(find "$T/r" \( -type b -o -type c -o -type p -o -type s \) )" ] ||
    fail "a device or FIFO was made: $(find "$T/r" ! -type f ! -type d)"
[ "$(stat -c %a "$T/r")" = 700 ] || fail "the target folder's mode changed"
used=$(du -sk "$T/r" | cut -f1)
[ "$used" -lt 1024 ] || fail "restore wrote $used KiB"
[ "$(cat "$T/r/ok.txt")" = fine ] && [ "$(cat "$T/r/zz.txt")" = end ] ||
    fail "the honest files were not restored"
[ -L "$T/r/L" ] || fail "the link itself was not restored"
for f in $evil_lost; do
	[ ! -e "$T/r/$f" ] || fail "$f was restored"
done
ok "restore: each lie named, nothing outside, nothing from the host"

run verify "$DISKSEED" verify --deep "$T/staging" "$T/e.img"
[ "$(cat "$T/host.txt")" = HOSTSECRET ] || fail "the host file changed"
ok "verify --deep: each lie named"
