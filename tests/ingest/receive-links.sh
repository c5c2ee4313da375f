#!/bin/sh
# SPDX-License-Identifier: MIT
# Completeness: every row of the manifest is accounted for. Each name of
# a hard-linked file is stored as a file of its own with the same
# content; symbolic links, folders and empty folders are in the drive's
# listing; the job is Completed only then. Into a directory store and
# into Blob storage (Azurite).
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/ingest.sh"
ingest_setup
mkaddress
dirstore_account

mkdir -p "$T/st/d" "$T/st/empty"
head -c 200000 /dev/urandom >"$T/st/d/a.bin"
ln "$T/st/d/a.bin" "$T/st/b-link.bin"
ln "$T/st/d/a.bin" "$T/st/d/c-link.bin"
echo small >"$T/st/s.txt"
ln "$T/st/s.txt" "$T/st/s2.txt"
ln -s d/a.bin "$T/st/sym"

for acct in demostore "$DS_IMPORTD_ACCOUNT"; do
	DS_IMPORTD_ACCOUNT=$acct prep_ship "jl$acct" "$T/st" 8M "$T/$acct.img"
	expect_rc 0 receive --job "jl$acct" "$T/$acct.img"
	grep_q "$T/out" "job jl$acct: Completed"
	grep_q "$T/out" "drive $acct\.img: Completed"
done

for f in d/a.bin b-link.bin d/c-link.bin s.txt s2.txt; do
	cmp -s "$T/st/$f" "$T/store/backups/$f" || fail "$f not stored whole"
done
[ ! -e "$T/store/backups/sym" ] || fail "the symbolic link was stored"
[ ! -e "$T/store/backups/empty" ] || fail "a folder made for the listing"
listing=$T/store/waimportexport/jldemostore/demostore.img_listing.jsonl
grep_q "$listing" '"path": *"sym", *"type": *"symlink".*"target": *"d/a\.bin"'
grep_q "$listing" '"path": *"empty", *"type": *"dir"'
grep_q "$listing" '"path": *"d/c-link\.bin", *"type": *"hardlink".*"target": *"b-link\.bin"'
# The manifest's copy (backupDriveManifest) is the drive's manifest.
"$DISKSEED" inspect --json "$T/demostore.img" >"$T/insp.json" || fail "inspect"
grep_q "$T/insp.json" "\"manifestHash\": \"$(sha "$T/store/waimportexport/jldemostore/demostore.img_manifest.json")\""
ok "directory store: hard links stored as files, the rest listed"

printf 'sym\nempty\n' >"$T/except"
container_matches "$T/st" "$T/except"
ok "Blob storage: hard links stored as blobs of their own"
