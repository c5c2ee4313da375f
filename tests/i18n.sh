#!/bin/sh
# SPDX-License-Identifier: MIT
# Every file that uses _() is in po/POTFILES.in, and Italian is complete.
. "$top_srcdir/tests/lib/common.sh"
cd "$top_srcdir"
missing=""
for f in $(grep -rlE '\b(N_|_)\(' src ui importd --include='*.c' --include='*.h' --include='*.def' | sort); do
	case $f in src/i18n.h) continue;; esac
	grep -qxF "$f" po/POTFILES.in || missing="$missing $f"
done
[ -z "$missing" ] || fail "missing from po/POTFILES.in:$missing"
for f in $(grep -v '^#' po/POTFILES.in); do
	[ -f "$f" ] || fail "po/POTFILES.in names $f, which does not exist"
done
command -v msgfmt >/dev/null || skip "msgfmt not installed"
xgettext --from-code=UTF-8 -k_ -kN_ -kP_:1,2 -c'TRANSLATORS:' -o "$T/ds.pot" -f po/POTFILES.in
msgmerge -q --no-fuzzy-matching po/it.po "$T/ds.pot" -o "$T/it.po"
stats=$(msgfmt -c --statistics -o /dev/null "$T/it.po" 2>&1) || fail "msgfmt -c: $stats"
case $stats in
*untranslated*|*fuzzy*) fail "po/it.po is not complete: $stats";;
esac
ok "i18n: $stats"
