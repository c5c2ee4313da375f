#!/bin/sh
# SPDX-License-Identifier: MIT
# Retry-After in its HTTP-date form is honoured whatever the locale: a 503
# whose Retry-After is a date 4 s ahead is retried after about that long
# under it_IT.UTF-8 (where the date's English day and month names do not
# parse with the locale's strptime), in both forms under C.UTF-8, and the
# seconds form too.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
set -eu
locale -a 2>/dev/null | grep -qi '^it_IT\.utf-\?8$' ||
	skip "no it_IT.UTF-8 locale"
client_setup
importd_need_hooks

# waits LOCALE SPEC: sets w to the milliseconds "locations" took under
# LOCALE with the faults SPEC queued (it must succeed: the fault is
# retried). Not in a subshell: the service's pid must stay known here.
waits() {
	client_faults "$2"
	t0=$(now_ms)
	expect_rc 0 env LC_ALL="$1" "$DISKSEED" locations
	w=$(( $(now_ms) - t0 ))
}

# The date has whole seconds: 4 s ahead is between 3 and 4 s of waiting.
# Without Retry-After the first backoff is 0.5 s.
for loc in it_IT.UTF-8 C.UTF-8; do
	waits "$loc" "503*1:retry-date=4"
	[ "$w" -ge 2900 ] ||
		fail "$loc: Retry-After as a date not honoured: $w ms"
	[ "$w" -lt 15000 ] || fail "$loc: waited $w ms for 4 s"
	echo "$loc: 503, Retry-After date +4 s: $w ms"
done
waits it_IT.UTF-8 "503*1:retry-after=3"
[ "$w" -ge 2900 ] || fail "Retry-After 3 not honoured: $w ms"
echo "it_IT.UTF-8: 503, Retry-After 3: $w ms"
ok "Retry-After"
