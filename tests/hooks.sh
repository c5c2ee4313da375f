#!/bin/sh
# SPDX-License-Identifier: MIT
# The test hooks (DISKSEED_TEST_* of diskseed, DISKSEED_IMPORTD_FAULTS,
# _CRASH_AFTER, _PAUSE_* of the service; tests/README lists them) exist
# only in a build configured with --enable-test-hooks: a release build
# must not even read them (DISKSEED_TEST_DUMP writes the screen, the
# keys screen too, to a file).
#
# How it is checked: make check needs the hooks, so the binaries built
# here have them, and a second configure and build without the flag
# takes minutes. Nor would a --features line prove each hook guarded.
# So every source that names a hook (found by grep: a new one is covered
# at once) is run through the preprocessor with its target's own flags,
# once with config.h's DS_TEST_HOOKS and once without: without it, no
# hook's name may be left in the code the compiler sees (comments are
# gone by then); with it, the name must be there, which shows the check
# can see it.
set -eu
. "$top_srcdir/tests/lib/common.sh"
cd "$top_builddir"
[ -f config.h ] || fail "no config.h in $top_builddir"
hooks='DISKSEED_TEST_|DISKSEED_IMPORTD_(FAULTS|CRASH_AFTER|PAUSE_)'

mkdir -p "$T/off" "$T/on"
grep -v 'DS_TEST_HOOKS' config.h >"$T/off/config.h"
{ cat "$T/off/config.h"; echo '#define DS_TEST_HOOKS 1'; } >"$T/on/config.h"

# The compiler and each folder's preprocessor flags, as make uses them.
cat >"$T/flags.mk" <<'EOM'
ds-show-flags:
	@echo 'CC $(CC)'
	@echo 'src $(DEFS) $(src_libdiskseed_a_CPPFLAGS) $(CPPFLAGS)'
	@echo 'ui $(DEFS) $(diskseed_CPPFLAGS) $(CPPFLAGS)'
	@echo 'importd $(DEFS) $(diskseed_importd_CPPFLAGS) $(CPPFLAGS)'
EOM
make -s -f Makefile -f "$T/flags.mk" ds-show-flags >"$T/flags" ||
    fail "cannot read the flags from the Makefile"
cc=$(sed -n 's/^CC //p' "$T/flags")

files=$(cd "$top_srcdir" && grep -rlE "\"($hooks)" src ui importd \
    --include='*.c' | LC_ALL=C sort)
[ -n "$files" ] || fail "no source names a test hook"
n=0
for f in $files; do
	flags=$(sed -n "s|^${f%%/*} ||p" "$T/flags")
	for mode in on off; do
		# The copy of config.h comes first: -I before the Makefile's.
		eval "set -- $flags"
		$cc -E -I"$T/$mode" "$@" "$top_srcdir/$f" >"$T/$mode.i" \
		    2>"$T/cpp.err" ||
		    { cat "$T/cpp.err" >&2; fail "$f: preprocessor failed"; }
	done
	grep -qE "\"($hooks)" "$T/on.i" ||
	    fail "$f: no hook seen even with DS_TEST_HOOKS"
	if grep -oE "\"($hooks)[A-Z_]*\"" "$T/off.i" >"$T/left"; then
		fail "$f reads $(sort -u "$T/left" | tr '\n' ' ')without" \
		    "--enable-test-hooks"
	fi
	n=$((n + 1))
done
ok "the test hooks of $n source files are compiled only with DS_TEST_HOOKS"
