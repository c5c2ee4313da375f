#!/bin/sh
# SPDX-License-Identifier: MIT
# The Blob client (importd/blob.c) against Azurite: containers, small and
# multi-block round trips with metadata, paging, a wrong key, an upload
# resumed from its uncommitted blocks, and Azurite stopped mid-upload.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/azurite.sh"
set -e

azurite_start
export AZ_KEY
bt() { "$top_builddir/tests/ingest/test-blobtool" "$AZ_ENDPOINT" "$AZ_ACCOUNT" "$@"; }

expect_rc 0 bt mkcontainer cont1
expect_rc 0 bt mkcontainer cont1
ok "container created, and again"

# Small file: one Put Blob, names with spaces and UTF-8, metadata.
head -c 1000 /dev/urandom >"$T/small"
name='dir/sub dir/small ü #1.bin'
expect_rc 0 bt put cont1 "$name" "$T/small" mode=0644 owner=0:0 mtime=1700000000
[ "$(cat "$T/out")" = "$(sha "$T/small")" ] || fail "put did not return the SHA-256"
expect_rc 0 bt props cont1 "$name"
grep_q "$T/out" '^size=1000$'
grep_q "$T/out" '^meta.mode=0644$'
grep_q "$T/out" '^meta.owner=0:0$'
grep_q "$T/out" '^meta.mtime=1700000000$'
grep_q "$T/out" "^meta.sha256=$(sha "$T/small")\$"
grep -Fqx "md5=$(openssl dgst -md5 -binary "$T/small" | base64)" "$T/out" ||
    fail "wrong Content-MD5"
expect_rc 0 bt get cont1 "$name" "$T/small.back"
cmp "$T/small" "$T/small.back" || fail "small blob differs"
ok "small file round trip with metadata"

# Multi-block: 64 KiB blocks, 5 blocks and a bit.
export DS_BLOB_BLOCK_SIZE=65536
head -c 340000 /dev/urandom >"$T/big"
expect_rc 0 bt put cont1 big "$T/big" mode=0600
n=$(azurite_count PUT 'cont1/big?comp=block&')
[ "$n" = 6 ] || fail "expected 6 Put Block, saw $n"
[ "$(azurite_count PUT 'cont1/big?comp=blocklist')" = 1 ] ||
    fail "expected one Put Block List"
expect_rc 0 bt get cont1 big "$T/big.back"
cmp "$T/big" "$T/big.back" || fail "multi-block blob differs"
expect_rc 0 bt props cont1 big
grep -Fqx "md5=$(openssl dgst -md5 -binary "$T/big" | base64)" "$T/out" ||
    fail "wrong whole-blob Content-MD5"
grep_q "$T/out" "^meta.sha256=$(sha "$T/big")\$"
ok "multi-block round trip (6 blocks, whole-file MD5 and SHA-256)"

# Paging: 7 blobs, 3 per page -> 3 pages, all names once.
i=0
while [ $i -lt 5 ]; do
	echo "f$i" >"$T/f$i"
	expect_rc 0 bt put cont1 "page/f$i" "$T/f$i"
	i=$((i + 1))
done
expect_rc 0 bt list cont1 3
grep_q "$T/err" '^pages: 3$'
[ "$(wc -l <"$T/out")" = 7 ] || fail "listing has not 7 blobs"
[ "$(cut -f1 "$T/out" | sort -u | wc -l)" = 7 ] || fail "listing repeats"
grep_q "$T/out" "^big	340000	mode=0600	sha256=$(sha "$T/big")\$"
expect_rc 0 bt list cont1 2 page/
grep_q "$T/err" '^pages: 3$'
[ "$(wc -l <"$T/out")" = 5 ] || fail "prefix listing has not 5 blobs"
ok "listing pages with markers and prefixes"

# Errors: a missing blob, a wrong key (the signature is checked).
expect_rc 4 bt props cont1 nothing-here
AZ_KEY=$(printf 'not the key of this account' | base64) \
    expect_rc 1 bt list cont1
grep_q "$T/err" 'HTTP 403'
ok "missing blob and wrong key refused"

# An upload canceled after 3 blocks resumes from its uncommitted blocks.
head -c 400000 /dev/urandom >"$T/resume"
BLOBTOOL_CANCEL_AFTER=3 expect_rc 1 bt put cont1 resume "$T/resume"
expect_rc 0 bt uncommitted cont1 resume
[ "$(wc -l <"$T/out")" = 3 ] || fail "3 uncommitted blocks expected"
expect_rc 4 bt props cont1 resume
expect_rc 0 bt put cont1 resume "$T/resume"
n=$(azurite_count PUT 'cont1/resume?comp=block&')
[ "$n" = 7 ] || fail "expected 7 Put Block in all (no block twice), saw $n"
expect_rc 0 bt get cont1 resume "$T/resume.back"
cmp "$T/resume" "$T/resume.back" || fail "resumed blob differs"
ok "interrupted upload resumed without sending a block twice"

# Azurite stopped after 2 blocks, started again: the upload retries.
head -c 400000 /dev/urandom >"$T/outage"
BLOBTOOL_PAUSE_AFTER=2 BLOBTOOL_SYNC="$T/sync" DS_BLOB_RETRIES=40 \
    bt put cont1 outage "$T/outage" >"$T/put.out" 2>"$T/put.err" &
putpid=$!
ds_at_exit "kill $putpid 2>/dev/null || :"
i=0
until [ -e "$T/sync.paused" ]; do
	i=$((i + 1)); [ $i -lt 600 ] || fail "upload never paused"
	sleep 0.05
done
azurite_stop
touch "$T/sync.go"
# The client polls for sync.go every 20 ms; Azurite takes far longer to
# come back, so the next block meets a refused connection first.
azurite_start_again
wait $putpid || { cat "$T/put.err" >&2; fail "upload failed across the outage"; }
grep -Eq 'retries: [1-9]' "$T/put.err" || { cat "$T/put.err" >&2; fail "no retry counted"; }
[ "$(cat "$T/put.out")" = "$(sha "$T/outage")" ] || fail "wrong hash after outage"
expect_rc 0 bt get cont1 outage "$T/outage.back"
cmp "$T/outage" "$T/outage.back" || fail "blob differs after outage"
ok "Azurite stopped mid-upload: retried, complete once back"
