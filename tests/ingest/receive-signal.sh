#!/bin/sh
# SPDX-License-Identifier: MIT
# SIGTERM and SIGINT end receive within two seconds, even in the middle
# of a hostile drive's sparse file of some GiB (hashed as zeros by the
# reader; then sent as zeros into Blob storage), into a directory store
# and into Azurite.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/ingest.sh"
ingest_setup
mkaddress
dirstore_account

for rg in rgd rga; do
	# Into Blob storage, < 50000 blocks of 64 KiB (one blob); into a
	# folder, 1 TiB: hashing its zeros outlasts the test.
	size=3000000000
	[ $rg = rga ] || size=1099511627776
	"$top_builddir/tests/lib/mkevil" "$T/$rg.img" 8388608 "f:ok.txt:fine" \
	    "a:z:sparse:$size" "r:file:sparse:size=$size" >"$T/$rg.key" ||
	    fail "mkevil"
	acct=demostore
	[ $rg = rga ] && acct=$DS_IMPORTD_ACCOUNT
	evil_job evil $rg $acct "$T/$rg.img" "$(cut -d' ' -f2 "$T/$rg.key")"
done

for sig in TERM INT; do
	for rg in rgd rga; do
		"$DISKSEED_IMPORTD" receive --dir "$DS_IMPORTD_DIR" --job evil \
		    --resource-group $rg "$T/$rg.img" >"$T/r.out" 2>"$T/r.err" &
		pid=$!
		ds_at_exit "kill -9 $pid 2>/dev/null || :"
		sleep 2
		# Into Blob storage, once the file's zeros are being sent.
		i=0
		while [ $rg = rga ] && ! grep -q \
		    "RequestMethod=PUT RequestURL=[^ ]*backups/sparse?comp=block&" \
		    "$AZ_LOG"; do
			i=$((i + 1))
			[ $i -le 600 ] || fail "no block of the sparse file sent"
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		kill -0 $pid 2>/dev/null || { cat "$T/r.out" "$T/r.err" >&2; fail "$rg: receive ended before the signal"; }
		kill -$sig $pid
		i=0
		while kill -0 $pid 2>/dev/null; do
			i=$((i + 1))
			[ $i -le 20 ] || fail "$rg: receive still runs 2 s after SIG$sig"
			sleep 0.1
		done
		wait $pid && fail "$rg: receive said it finished"
		ok "$rg: SIG$sig ended receive within 2 s"
	done
done
