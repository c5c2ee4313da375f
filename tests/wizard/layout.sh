#!/bin/sh
# SPDX-License-Identifier: MIT
# Screen checks by tmux capture-pane against golden files, where layout
# matters: the first menu in UTF-8 and in ASCII, at 80x24, and again
# after the window was shrunk to 60x20 and grown back. Also: no terminal,
# a clear error.
set -eu
. "$top_srcdir/tests/lib/common.sh"
command -v tmux >/dev/null || skip "tmux not installed"
G="$top_srcdir/tests/wizard/golden"

expect_rc 1 "$DISKSEED" wizard </dev/null
grep_q "$T/err" "needs a terminal"
expect_rc 2 "$DISKSEED" wizard --no-such-option
expect_rc 0 "$DISKSEED" wizard --help
grep_q "$T/out" "--staging DIR"

# Each start gets its own tmux server, killed at the end.
n=0
sock="$T/tmux.0.sock"
tm() { tmux -S "$sock" -f /dev/null "$@"; }
ds_at_exit 'tmux -S "$sock" kill-server'

# Polls the pane until it matches the extended regex $1 (10 s at most).
wait_pane() {
	i=0
	while :; do
		tm capture-pane -p >"$T/pane" 2>/dev/null
		grep -Eq -- "$1" "$T/pane" && return 0
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$T/pane" >&2; fail "pane never showed /$1/"; }
		sleep 0.05
	done
}

# start ENV...: the wizard in a fresh 80x24 tmux window.
start() {
	tm kill-server 2>/dev/null || true
	n=$((n + 1))
	sock="$T/tmux.$n.sock"
	tm new-session -d -x 80 -y 24 \
	    "env $* '$DISKSEED' wizard; echo wizard-exit-\$?; sleep 600"
	wait_pane "${START_WAIT:-Prepare drives}"
}

same() {
	tm capture-pane -p >"$T/pane"
	cp "$T/pane" "$T/got-$1"
	diff -u "$G/$1" "$T/pane" >&2 || fail "screen differs from $1"
	# No text runs into the right edge of the frame.
	! LC_ALL=C.UTF-8 awk 'NR > 1 && NR < 23 &&
	    substr($0, 79, 1) ~ /[^ |]/ && substr($0, 80, 1) == "|"' \
	    "$T/pane" | grep -q . || fail "text touches the frame in $1"
}

start LC_ALL=C.UTF-8 TERM=screen
same menu-utf8.txt
tm resize-window -x 60 -y 20
wait_pane 'Enlarge it to at least 80x24'
tm resize-window -x 80 -y 24
wait_pane 'Job status'
same menu-utf8.txt
tm send-keys q
wait_pane 'wizard-exit-0'
ok "UTF-8 menu, shrunk and grown back"

start LC_ALL=C.UTF-8 TERM=screen DISKSEED_ASCII=1
same menu-ascii.txt
tm send-keys Down Down '?'
wait_pane 'any other key closes this help'
same help-ascii.txt
tm send-keys x
wait_pane 'Prepare drives'
tm send-keys q
wait_pane 'wizard-exit-0'
ok "ASCII menu and help"

# Italian at 80x24: the first menu, its help and the publish-settings
# screen against golden files, and nothing cut on them (the screen dump
# names any text that did not fit).
if locale -a 2>/dev/null | grep -qi '^it_IT\.utf-\?8$'; then
	START_WAIT='Prepara le unità'
	start LC_ALL=it_IT.UTF-8 TERM=screen DISKSEED_ASCII=1 \
	    DISKSEED_TEST_DUMP="$T/dump"
	same menu-it.txt
	tm send-keys '?'
	wait_pane 'un altro tasto chiude'
	same help-it.txt
	! grep -q '^clipped' "$T/dump" || fail "$(grep '^clipped' "$T/dump")"
	tm send-keys x
	wait_pane 'Prepara le unità'
	tm send-keys 1
	wait_pane 'Tab completa'
	same settings-it.txt
	! grep -q '^clipped' "$T/dump" || fail "$(grep '^clipped' "$T/dump")"
	tm send-keys Escape
	wait_pane 'Prepara le unità'
	tm send-keys q
	wait_pane 'wizard-exit-0'
	ok "Italian menu, help and settings at 80x24, nothing cut"
fi
