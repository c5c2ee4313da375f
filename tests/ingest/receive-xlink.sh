#!/bin/sh
# SPDX-License-Identifier: MIT
# A hard link whose target is on another drive of the set. The extra
# name waits, recorded in ingest.db, for the drive that holds its
# target, whichever drive comes first; the drive holding the name is
# not Completed meanwhile; it is stored (Copy Blob, or a copy read back
# and hashed in a directory store) once the target's drive is received
# (or, received before and gone, from ingest.db's record of the target);
# when the job is done without that drive, the name is lost: its drive
# CompletedMoreInfo, the name and the reason in its error log.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/ingest.sh"
ingest_setup
mkaddress
dirstore_account

# Two 8 MiB drives: a.bin fills the first, so b.bin and z.bin (another
# name of a.bin) go to the second.
mkdir -p "$T/st"
head -c 7000000 /dev/urandom >"$T/st/a.bin"
head -c 1500000 /dev/urandom >"$T/st/b.bin"
ln "$T/st/a.bin" "$T/st/z.bin"

# layout JOB: the prepped drives hold what the test means.
# (The manifest, at the end of each drive, is plain JSON.)
layout() {
	grep -aq '"a\.bin"' "$T/$1-1.img" &&
	    ! grep -aq '"z\.bin"' "$T/$1-1.img" &&
	    grep -aq '"z\.bin"' "$T/$1-2.img" &&
	    ! grep -aq '"a\.bin"' "$T/$1-2.img" ||
	    fail "$1: a.bin and z.bin are not on two drives"
}

# clear: nothing of an earlier case left in container "backups".
clear() {
	rm -rf "$T/store/backups"
	for f in a.bin b.bin z.bin; do bt delete backups $f 2>/dev/null || :; done
}

# got ACCOUNT NAME: NAME as stored into ACCOUNT's container, in $T/got;
# false when it is not there.
got() {
	rm -f "$T/got"
	if [ "$1" = demostore ]; then
		[ -f "$T/store/backups/$2" ] && cp "$T/store/backups/$2" "$T/got"
	else
		bt get backups "$2" "$T/got" 2>/dev/null
	fi
}

# stored ACCOUNT NAME...: each NAME is stored whole.
stored() {
	a=$1; shift
	for n in "$@"; do
		got "$a" "$n" && cmp -s "$T/st/$n" "$T/got" ||
		    fail "$a: $n not stored whole"
	done
}

# drive_is JOB DRIVE STATE: the service shows DRIVE of JOB in STATE.
drive_is() {
	expect_rc 0 "$DISKSEED" status --job "$1"
	grep_q "$T/out" "Drive $2: $3"
}

# waits ACCOUNT JOB: JOB-2.img, received alone, holds z.bin waiting for
# JOB-1.img: recorded, not stored, not lost, its drive not Completed.
waits() {
	expect_rc 0 receive --job "$2" "$T/$2-2.img"
	cp "$T/out" "$T/run1"
	! grep -q "job $2: Completed" "$T/run1" || fail "$2: job completed"
	! grep -q "drive $2-2.img: Completed" "$T/run1" ||
	    fail "$2: the name's drive completed"
	stored "$1" b.bin
	! got "$1" z.bin || fail "$1: z.bin stored without its target"
	if command -v sqlite3 >/dev/null; then
		[ "$(sqlite3 "$DS_IMPORTD_DIR/ingest.db" "SELECT count(*) FROM \
in_links WHERE CAST(path AS TEXT) = 'z.bin'")" = 1 ] ||
		    fail "$2: z.bin not recorded as waiting in ingest.db"
	fi
	drive_is "$2" "$2-2.img" Transferring
}

for acct in demostore "$DS_IMPORTD_ACCOUNT"; do
	s=b
	[ "$acct" != demostore ] || s=d
	export DS_IMPORTD_ACCOUNT=$acct

	# The name's drive first, then the target's.
	clear
	prep_ship "nf$s" "$T/st" 8M "$T/nf$s-1.img" "$T/nf$s-2.img"
	layout "nf$s"
	waits "$acct" "nf$s"
	expect_rc 0 receive --job "nf$s" "$T/nf$s-1.img"
	grep_q "$T/out" "job nf$s: Completed"
	stored "$acct" a.bin b.bin z.bin
	drive_is "nf$s" "nf$s-1.img" Completed
	drive_is "nf$s" "nf$s-2.img" Completed
	ok "$acct: a name whose target's drive comes later waits for it"

	# The target's drive first, then the name's.
	clear
	prep_ship "tf$s" "$T/st" 8M "$T/tf$s-1.img" "$T/tf$s-2.img"
	layout "tf$s"
	expect_rc 0 receive --job "tf$s" "$T/tf$s-1.img"
	! grep -q "job tf$s: Completed" "$T/out" || fail "tf$s: completed"
	drive_is "tf$s" "tf$s-1.img" Completed
	# Its drive gone back: the target is known by ingest.db's record.
	mv "$T/tf$s-1.img" "$T/tf$s-1.away"
	expect_rc 0 receive --job "tf$s" "$T/tf$s-2.img"
	grep_q "$T/out" "job tf$s: Completed"
	stored "$acct" a.bin b.bin z.bin
	drive_is "tf$s" "tf$s-2.img" Completed
	ok "$acct: a name whose target's drive came first is stored"

	# The target's drive never comes: the name is lost, and said so.
	clear
	prep_ship "nr$s" "$T/st" 8M "$T/nr$s-1.img" "$T/nr$s-2.img"
	waits "$acct" "nr$s"
	expect_rc 3 "$DISKSEED_IMPORTD" never-received --dir "$DS_IMPORTD_DIR" \
	    --job "nr$s" "nr$s-1.img"
	grep_q "$T/out" "job nr$s: Completed"
	drive_is "nr$s" "nr$s-2.img" CompletedMoreInfo
	if [ "$acct" = demostore ]; then
		cp "$T/store/waimportexport/nr$s/nr$s-2.img_error.log" "$T/elog"
	else
		bt get waimportexport "nr$s/nr$s-2.img_error.log" "$T/elog" ||
		    fail "no error log"
	fi
	grep_q "$T/elog" "^z\.bin: not copied: another name of a\.bin, which no received drive holds"
	! got "$acct" z.bin || fail "$acct: z.bin stored"
	ok "$acct: a name whose target's drive never came is lost, named"
done
