#!/bin/sh
# SPDX-License-Identifier: MIT
# The help line of every screen, in Italian: it fits in 78 columns and
# lists as many keys ("key: what" pairs) as the English one, so that no
# key is lost in translation (as "Esc: back" once was).
. "$top_srcdir/tests/lib/common.sh"
locale -a 2>/dev/null | grep -qi '^it_IT\.utf-\?8$' ||
    skip "the it_IT.UTF-8 locale is not installed"
command -v gettext >/dev/null || skip "gettext not installed"
LOC=$(cd "$top_builddir/po/locale" && pwd) || fail "no po/locale built"

# Each screen's ".keys = N_(...)" string, its pieces joined.
for f in "$top_srcdir"/ui/screen-*.c; do
	awk '/\.keys = N_\(/ { on = 1 }
	    on { while (match($0, /"[^"]*"/)) {
		    s = s substr($0, RSTART + 1, RLENGTH - 2)
		    $0 = substr($0, RSTART + RLENGTH) }
		if ($0 ~ /\)/) { print s; s = ""; on = 0 } }' "$f"
done >"$T/keys"
[ "$(wc -l <"$T/keys")" -ge 11 ] || fail "found $(wc -l <"$T/keys") help lines"

n=0
while IFS= read -r en; do
	it=$(TEXTDOMAINDIR=$LOC LC_ALL=it_IT.UTF-8 gettext -d diskseed "$en")
	[ "$it" != "$en" ] || fail "not translated: $en"
	w=$(printf '%s' "$it" | LC_ALL=it_IT.UTF-8 wc -m)
	[ "$w" -le 78 ] || fail "$w columns: $it"
	ne=$(printf '%s' "$en" | grep -o ': ' | wc -l)
	ni=$(printf '%s' "$it" | grep -o ': ' | wc -l)
	[ "$ne" = "$ni" ] || fail "$ne keys in \"$en\", $ni in \"$it\""
	n=$((n + 1))
done <"$T/keys"
ok "$n help lines fit and keep their keys in Italian"
