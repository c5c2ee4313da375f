# SPDX-License-Identifier: MIT
# Helpers for the engine tests (prep, verify, restore, inspect on image
# files). Source it instead of common.sh:
#   . "$top_srcdir/tests/lib/engine.sh"

. "$top_srcdir/tests/lib/common.sh"

MKCORPUS="$top_srcdir/tests/lib/mkcorpus"
TREECMP="$top_srcdir/tests/lib/treecmp"
export TMPDIR="$T"

# Small chunks and segments keep the test drives small and give resume
# many commit points; the man page documents both options.
: "${DS_PREP_OPTS=--chunk-size 64K --segment-size 1M}"

# mkcorpus [options] DIR: see tests/lib/mkcorpus.
mkcorpus() { sh "$MKCORPUS" "$@" || fail "mkcorpus $*"; }

# treecmp A B: fails the test when the trees differ (see tests/lib/treecmp).
treecmp() { sh "$TREECMP" "$@" || fail "trees differ: $*"; }

# The --confirm list naming every drive given: confirm_of D...
confirm_of() {
	c=
	for d; do c="${c:+$c,}$(basename "$d")"; done
	echo "$c"
}

# The --drive options for D...: drive_opts D...
drive_opts() {
	o=
	for d; do o="$o --drive $d"; done
	echo "$o"
}

# prep RC STAGING JOB D...: prep onto the drives D (paths without white
# space), confirming all of them, expecting exit code RC. Extra options
# go in $PREP_EXTRA.
prep() {
	rc=$1 st=$2 job=$3
	shift 3
	# shellcheck disable=SC2046,SC2086
	expect_rc "$rc" "$DISKSEED" prep $DS_PREP_OPTS ${PREP_EXTRA:-} \
	    --staging "$st" --job "$job" $(drive_opts "$@") \
	    --confirm "$(confirm_of "$@")"
}

# mkdrives N SIZE: makes image files $T/d1.img ... $T/dN.img and sets
# $DRIVES to their paths.
mkdrives() {
	DRIVES=
	i=1
	while [ "$i" -le "$1" ]; do
		mkimage "$T/d$i.img" "$2"
		DRIVES="$DRIVES $T/d$i.img"
		i=$((i + 1))
	done
}

# A file of N random bytes: randfile PATH N.
randfile() { head -c "$2" /dev/urandom > "$1"; }

# Flips (xor 0xff) the byte at OFFSET of FILE: flip FILE OFFSET.
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || fail "flip: no byte at $2 of $1"
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 255)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# Reads a little-endian unsigned integer of LEN bytes at OFFSET of FILE:
# le FILE OFFSET LEN.
le() {
	od -An -tu1 -j "$2" -N "$3" "$1" |
	    awk '{ for (i = 1; i <= NF; i++) b[n++] = $i }
	    END { v = 0; for (i = n - 1; i >= 0; i--) v = v * 256 + b[i]
		printf "%.0f\n", v }'
}

# The number of entries (files, folders, links) under DIR.
count_entries() { find "$1" -mindepth 1 | wc -l; }

# Like expect_rc, accepting any of the exit codes in the list $1:
# expect_rc_in "1 5" diskseed ...
expect_rc_in() {
	want=" $1 "; shift
	"$@" >"$T/out" 2>"$T/err" && got=0 || got=$?
	case $want in *" $got "*) return 0 ;; esac
	sed 's/^/stdout: /' "$T/out" >&2
	sed 's/^/stderr: /' "$T/err" >&2
	fail "expected exit in {$want}, got $got: $*"
}

# The drives among D... that prep formatted (they start with a header).
used_drives() {
	for d; do
		[ "$(head -c 8 "$d" | tr -d '\000')" = DSEEDHD1 ] && echo "$d"
	done
	:
}

# Fails unless every image D... holds chunks (the data spans them all).
all_hold_chunks() {
	for d; do
		[ "$(perl "$top_srcdir/tests/lib/dsimg" chunks "$d" |
		    wc -l)" -gt 0 ] || fail "$d holds no chunk"
	done
}

# evil IMAGE ITEM...: writes a hand-made (hostile) drive
# with tests/lib/mkevil (its header documents the items) and leaves its
# key where restore and verify find it. Sets $EVIL_SET and $EVIL_KEY.
evil() {
	img=$1
	shift
	[ -x "$top_builddir/tests/lib/mkevil" ] || fail "mkevil not built"
	# shellcheck disable=SC2046
	set -- $("$top_builddir/tests/lib/mkevil" "$img" 8388608 "$@") ||
	    fail "mkevil"
	EVIL_SET=$1 EVIL_KEY=$2
	keys=$XDG_STATE_HOME/diskseed/keys
	mkdir -p "$keys"
	chmod 700 "$XDG_STATE_HOME" "$XDG_STATE_HOME/diskseed" "$keys"
	printf '{"setId": "%s", "keys": {"0": "%s"}}\n' "$1" "$2" \
	    > "$keys/$1.json"
	chmod 600 "$keys/$1.json"
}
