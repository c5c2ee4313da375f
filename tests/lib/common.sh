# SPDX-License-Identifier: MIT
# Shared helpers for the shell tests. Source it first:
#   . "$top_srcdir/tests/lib/common.sh"
# It makes $T, a private temporary folder removed at exit (kept when
# DS_KEEP_TMP is set), and pins the environment the tests rely on.

set -u
: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"
: "${DISKSEED:=$top_builddir/diskseed}"
: "${DISKSEED_IMPORTD:=$top_builddir/diskseed-importd}"

T=$(mktemp -d "${TMPDIR:-/tmp}/ds-test.XXXXXX")
export XDG_STATE_HOME="$T/state"
export XDG_CONFIG_HOME="$T/config"
export HOME="$T/home"
mkdir -p "$HOME"
export DISKSEED_LOCALEDIR="$top_builddir/po/locale"
ds_cleanup_hooks=""

# Exit hooks run quietly; one that must fail the test appends its
# message to $T/exit-failures.
ds_at_exit() { ds_cleanup_hooks="$1; $ds_cleanup_hooks"; }
ds_exit_trap() {
	rc=$?
	eval "$ds_cleanup_hooks" 2>/dev/null
	if [ -s "$T/exit-failures" ]; then
		cat "$T/exit-failures" >&2
		[ "$rc" != 0 ] || rc=1
	fi
	if [ -n "${DS_KEEP_TMP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
	exit $rc
}
trap ds_exit_trap EXIT
trap 'exit 99' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
ok() { echo "ok: $*"; }

# Runs a command expecting exit code $1: expect_rc 3 diskseed prep ...
# The caller's set -e, on or off, is as it was afterwards.
expect_rc() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err" && got=0 || got=$?
	if [ "$got" != "$want" ]; then
		echo "--- stdout" >&2; cat "$T/out" >&2
		echo "--- stderr" >&2; cat "$T/err" >&2
		fail "expected exit $want, got $got: $*"
	fi
}

# Fails unless file $1 contains the extended regex $2.
grep_q() { grep -Eq -- "$2" "$1" || { echo "--- $1" >&2; cat "$1" >&2; fail "no /$2/ in $1"; }; }

# Makes an image-file drive: mkimage PATH SIZE (e.g. 64M).
mkimage() { truncate -s "$2" "$1"; }

# SHA-256 of a file.
sha() { sha256sum "$1" | cut -d' ' -f1; }
