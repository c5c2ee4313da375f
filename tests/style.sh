#!/bin/sh
# SPDX-License-Identifier: MIT
# The mechanical style and the layer rule: src/ never includes curses.
. "$top_srcdir/tests/lib/common.sh"
cd "$top_srcdir"
if grep -rnE '#[[:space:]]*include[[:space:]]*[<"](n?curses|curses|term|form|menu|panel)\.h' src; then
	fail "src/ includes a curses header"
fi
if grep -rnE '\b(exit|abort|printf|puts|perror)\(' src --include='*.c' | grep -v 'snprintf\|vsnprintf\|asprintf\|vasprintf\|fprintf(f\|dprintf'; then
	fail "src/ exits or prints: return an error instead"
fi
[ -e .git ] || skip "not a git checkout"
sh build-aux/checksrc . || fail "style: see above"
# Every source file names its licence; the script names each one that
# does not (and adds the line: build-aux/spdx-add FILE...).
sh build-aux/spdx-add --check . || fail "no SPDX line: see above"
ok "style"
