#!/bin/sh
# SPDX-License-Identifier: MIT
# Staging changed between a kill -9 and --resume: resume must not go on
# silently. Either it refuses (the drive untouched, the change named), or
# it finishes and names the file, marked "changed" in the manifest.
# Cases: a file added before the journal's position, a committed file
# rewritten (other size and time), a committed part of a split file
# rewritten in place.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
DSIMG="perl $top_srcdir/tests/lib/dsimg"
command -v strace >/dev/null 2>&1 || skip "no strace"
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here"

# killed NAME: a fresh staging folder $T/NAME and an image killed at its
# 10th fdatasync (some 1 MiB segments committed, not all).
killed() {
	mkdir -p "$T/$1/st"
	echo first > "$T/$1/st/a_first.txt"
	randfile "$T/$1/st/b_split.bin" 3M
	randfile "$T/$1/st/c_last.bin" 3M
	mkimage "$T/$1/d.img" 16M
	export XDG_STATE_HOME="$T/$1/state"
	set +e
	strace -f -qq -o /dev/null -e trace=fdatasync \
	    -e inject=fdatasync:signal=KILL:when=10 \
	    "$DISKSEED" prep $DS_PREP_OPTS --staging "$T/$1/st" --job rcjob \
	    --drive "$T/$1/d.img" --confirm d.img > /dev/null 2>&1
	rc=$?
	set -e 2>/dev/null || true
	[ $rc = 137 ] || fail "$1: prep not killed (exit $rc)"
	before=$(sha "$T/$1/d.img")
}

# resumed NAME PATH: resume, then check that the change of PATH was not
# passed over in silence.
resumed() {
	# shellcheck disable=SC2086
	expect_rc_in "0 1 5" "$DISKSEED" prep $DS_PREP_OPTS --resume \
	    --staging "$T/$1/st" --job rcjob --drive "$T/$1/d.img" --confirm d.img
	cat "$T/out" "$T/err" > "$T/all"
	if [ "$got" != 0 ]; then
		[ "$(sha "$T/$1/d.img")" = "$before" ] ||
		    fail "$1: resume refused but wrote to the drive"
		grep_q "$T/all" "[Cc]hanged|[Cc]ambiat|[Mm]odific"
		ok "$1: resume refused"
		return
	fi
	grep_q "$T/all" "$2"
	$DSIMG manifest "$T/$1/d.img" | P=$2 perl -MJSON::PP -ne '
	    next unless /\S/; $m = decode_json($_);
	    exit 0 if grep { $_->{path} eq $ENV{P} && $_->{changed} }
		@{$m->{files}};
	    exit 1' || fail "$1: $2 not marked changed in the manifest"
	ok "$1: resumed, $2 marked changed"
}

killed added
echo new > "$T/added/st/0_added.txt"
resumed added 0_added.txt

killed rewritten
echo "a longer line" > "$T/rewritten/st/a_first.txt"
touch -d '2001-01-01' "$T/rewritten/st/a_first.txt"
resumed rewritten a_first.txt

killed inplace
printf X | dd of="$T/inplace/st/b_split.bin" bs=1 seek=10 conv=notrunc \
    status=none
resumed inplace b_split.bin
