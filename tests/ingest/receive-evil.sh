#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile drives (tests/lib/mkevil: a valid key, tags and manifest, but
# archive entries and manifest rows that lie to each other), registered
# in a job with their real key and received into a directory store and
# into Blob storage (Azurite): nothing written outside the store, no
# host file's byte stored, no device or FIFO made or opened, output
# bounded, every run within its time limit, each damage named in the
# drive's error log, the drive CompletedMoreInfo, the honest files
# stored; folders, links and specials in the drive's listing.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/ingest.sh"
ingest_setup
mkaddress
dirstore_account

. "$top_srcdir/tests/lib/evil-items.sh"
evil_host

# One image per store; each is job "evil" (mkevil's) in its own
# resource group, holding the drive with its real key.
for rg in rgd rga; do
	evil_items "a:d:empty:" "r:dir:empty:" | tr '\n' '\0' |
	    xargs -0 "$top_builddir/tests/lib/mkevil" "$T/$rg.img" 8388608 \
	    >"$T/$rg.key" || fail "mkevil"
	acct=demostore
	[ $rg = rga ] && acct=$DS_IMPORTD_ACCOUNT
	evil_job evil $rg $acct "$T/$rg.img" "$(cut -d' ' -f2 "$T/$rg.key")"
done

# check_run LOG: the run ended within its limit, exit 3, each lie named.
check_run() {
	grep_q "$T/out" "job evil: Completed"
	for n in $evil_names; do
		grep -Eq "^$n: not copied:" "$1" ||
		    fail "$n not named: $(cat "$1")"
	done
	[ -z "$(ls -A "$T/outside")" ] || fail "written outside: $(ls -A "$T/outside")"
	[ ! -e "$T/X" ] && [ ! -e "$T/abs" ] || fail "a path outside the store"
	[ "$(cat "$T/host.txt")" = HOSTSECRET ] || fail "the host file changed"
}

expect_rc 3 timeout 20 "$DISKSEED_IMPORTD" receive --dir "$DS_IMPORTD_DIR" \
    --job evil --resource-group rgd "$T/rgd.img"
log=$T/store/waimportexport/evil/rgd.img_error.log
check_run "$log"
! grep -rq HOSTSECRET "$T/store" || fail "a host file's content was stored"
[ -z "$(find "$T/store" \( -type b -o -type c -o -type p -o -type s \) )" ] ||
    fail "a device or FIFO was made: $(find "$T/store" ! -type f ! -type d)"
used=$(du -sk "$T/store" | cut -f1)
[ "$used" -lt 1024 ] || fail "the store holds $used KiB"
[ "$(cat "$T/store/backups/ok.txt")" = fine ] &&
    [ "$(cat "$T/store/backups/zz.txt")" = end ] ||
    fail "the honest files were not stored"
for f in $evil_lost L; do
	[ ! -e "$T/store/backups/$f" ] || fail "$f was stored"
done
listing=$T/store/waimportexport/evil/rgd.img_listing.jsonl
grep_q "$listing" '"path": *"fifo2".*"type": *"special"'
grep_q "$listing" '"path": *"null".*"type": *"special"'
grep_q "$listing" '"path": *"empty".*"type": *"dir"'
grep_q "$listing" "\"path\": *\"L\".*\"type\": *\"symlink\""
expect_rc 0 "$DISKSEED" status --job evil --resource-group rgd
grep_q "$T/out" "Drive rgd\.img: CompletedMoreInfo"
ok "directory store: each lie named, nothing outside, nothing from the host"

expect_rc 3 timeout 20 "$DISKSEED_IMPORTD" receive --dir "$DS_IMPORTD_DIR" \
    --job evil --resource-group rga "$T/rga.img"
bt get waimportexport evil/rga.img_error.log "$T/rga.err" ||
    fail "no error log"
check_run "$T/rga.err"
bt list backups >"$T/list" || fail "list"
[ "$(cut -f1 "$T/list" | sort | tr '\n' ' ')" = "ok.txt zz.txt " ] ||
    fail "blobs stored: $(cut -f1 "$T/list")"
for b in ok.txt zz.txt; do
	bt get backups $b "$T/blob" || fail "get $b"
	! grep -q HOSTSECRET "$T/blob" || fail "$b holds a host file"
done
bt get waimportexport evil/rga.img_listing.jsonl "$T/rga.lst" ||
    fail "no listing"
grep_q "$T/rga.lst" '"path": *"fifo2".*"type": *"special"'
ok "Blob storage: each lie named, only the honest files stored"
