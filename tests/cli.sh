#!/bin/sh
# SPDX-License-Identifier: MIT
# The command line's surface: help, version, unknown commands, exit codes,
# every subcommand documented in the man page, Italian help.
. "$top_srcdir/tests/lib/common.sh"
expect_rc 0 "$DISKSEED" --help
grep_q "$T/out" "^Usage: diskseed"
expect_rc 0 "$DISKSEED" --version
grep_q "$T/out" "^diskseed [0-9]+\.[0-9]+"
expect_rc 2 "$DISKSEED" no-such-command
grep_q "$T/err" "unknown command 'no-such-command'"
expect_rc 2 "$DISKSEED" --no-such-option
for cmd in $("$DISKSEED" --help | awk '/^Commands:/{c=1;next} /^$/{c=0} c{print $1}'); do
	grep -q "^\.SS $cmd\b\|^\.B diskseed $cmd\b\|^\.SS \"$cmd" "$top_builddir/man/diskseed.1" ||
		fail "man page does not document '$cmd'"
done
if locale -a 2>/dev/null | grep -qi '^it_IT\.utf-\?8$'; then
	LC_ALL=it_IT.UTF-8 "$DISKSEED" --help > "$T/it" || fail "help in Italian"
	grep_q "$T/it" "^Uso: diskseed"
fi
ok "cli"
