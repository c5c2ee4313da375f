#!/bin/sh
# SPDX-License-Identifier: MIT
# The command line's surface, as the GNU conventions have it: help on
# stdout with exit 0, one "Try ... --help" line and exit 2 on a usage
# error, getopt's messages prefixed with the program's name only, every
# option of every (sub)command in its --help (with its short form) and in
# the man page, options of one command refused by another, --version with
# copyright and licence, no help line over 79 columns; Italian help.
set -eu
. "$top_srcdir/tests/lib/common.sh"
MAN1=$top_builddir/man/diskseed.1
MAN8=$top_builddir/man/diskseed-importd.8

expect_rc 0 "$DISKSEED" --help
grep_q "$T/out" "^Usage: diskseed"
expect_rc 0 "$DISKSEED" --version
grep_q "$T/out" "^diskseed [0-9]+\.[0-9]+"
grep_q "$T/out" "^Copyright \(C\) 2026 the diskseed authors$"
grep_q "$T/out" "^License MIT: <https://opensource.org/licenses/MIT>$"
expect_rc 0 "$DISKSEED_IMPORTD" --version
grep_q "$T/out" "^diskseed-importd [0-9]+\.[0-9]+"
grep_q "$T/out" "^License MIT: "

# usage_error EXPECTED-TRY-CMD PROGRAM ARGS...: exit 2, nothing on
# stdout, two lines on stderr: "PROG: why" and the Try line.
usage_error() {
	try=$1
	shift
	expect_rc 2 "$@"
	[ ! -s "$T/out" ] || fail "usage error printed on stdout: $*"
	[ "$(wc -l < "$T/err")" -eq 2 ] ||
		{ cat "$T/err" >&2; fail "not a two-line usage error: $*"; }
	prog=$(basename "$1")
	sed -n 1p "$T/err" | grep -Eq "^$prog: " ||
		{ cat "$T/err" >&2; fail "not prefixed '$prog: ': $*"; }
	[ "$(sed -n 2p "$T/err")" = \
	    "Try '$prog${try:+ $try} --help' for more information." ] ||
		{ cat "$T/err" >&2; fail "no Try line for '$try': $*"; }
}

usage_error "" "$DISKSEED" no-such-command
grep_q "$T/err" "unknown command 'no-such-command'"
usage_error "" "$DISKSEED" --no-such-option
grep_q "$T/err" "^diskseed: unrecognized option '--no-such-option'$"
usage_error "" "$DISKSEED_IMPORTD"
usage_error "" "$DISKSEED_IMPORTD" --no-such-option
usage_error "" "$DISKSEED_IMPORTD" no-such-command

# check_help NAME MAN PROGRAM ARGS...: --help of a (sub)command: exit 0,
# all on stdout, no line over 79 columns, an "Options:" list; every
# option in the man page MAN, accepted by getopt in its long and short
# form; an option no command has refused with one Try line.
check_help() {
	name=$1 man=$2
	shift 2
	expect_rc 0 "$@" --help
	[ ! -s "$T/err" ] || fail "$name --help wrote to stderr"
	awk -v n="$name" 'length($0) > 79 {
	    print n ": help line over 79 columns: " $0; bad = 1 }
	    END { exit bad }' "$T/out" >&2 || fail "$name: long help line"
	grep -q "^Options:" "$T/out" || fail "$name --help lists no options"
	cp "$T/out" "$T/help"
	# "  -j, --job NAME   ..." or "      --json   ..."
	sed -n 's/^  \(-[A-Za-z]\)\{0,1\},\{0,1\} *--\([a-z][a-z-]*\)\( [A-Z][^ ]*\)\{0,1\}.*/\2|\1|\3/p' \
	    "$T/help" > "$T/opts"
	[ -s "$T/opts" ] || fail "$name: no option lines"
	while IFS='|' read -r long short arg; do
		# In roff a dash is "\-": --chunk-size is \-\-chunk\-size.
		mlong=$(printf '%s' "$long" | sed 's/-/\\\\-/g')
		grep -q -- "\\\\-\\\\-$mlong\\b" "$man" ||
			fail "$name: --$long not in $(basename "$man")"
		[ "$long" = help ] && continue
		a=
		[ -z "$arg" ] || a=1
		expect_rc 0 "$@" "--$long" ${a:+"$a"} --help
		[ -z "$short" ] || expect_rc 0 "$@" "$short" ${a:+"$a"} --help
		# The short form beside the long one: "\-j, \-\-job" or
		# ".BR \-j ", " \-\-job".
		[ -z "$short" ] || grep -q -- \
		    "\\\\$short\\(, \\| \", \" \\)\\\\-\\\\-$mlong\\b" "$man" ||
			fail "$name: $short, --$long not in $(basename "$man")"
	done < "$T/opts"
	usage_error "$name" "$@" --no-such-option
	[ "$(sed -n 1p "$T/err")" = \
	    "$(basename "$1"): unrecognized option '--no-such-option'" ] ||
		fail "$name: getopt's message: $(sed -n 1p "$T/err")"
}

"$DISKSEED" --help > "$T/top"
for cmd in $(awk '/^Commands:/{c=1;next} /^$/{c=0} c{print $1}' "$T/top"); do
	grep -q "^\.SS $cmd\b\|^\.B diskseed $cmd\b\|^\.SS \"$cmd" "$MAN1" ||
		fail "man page does not document '$cmd'"
	case $cmd in
	job) subs="create show list cancel delete" ;;
	settings) subs="import show set" ;;
	*) subs= ;;
	esac
	if [ -z "$subs" ]; then
		check_help "$cmd" "$MAN1" "$DISKSEED" "$cmd"
		continue
	fi
	expect_rc 0 "$DISKSEED" "$cmd" --help
	usage_error "$cmd" "$DISKSEED" "$cmd"
	usage_error "$cmd" "$DISKSEED" "$cmd" no-such-subcommand
	for sub in $subs; do
		check_help "$cmd $sub" "$MAN1" "$DISKSEED" "$cmd" "$sub"
	done
done
check_help "" "$MAN1" "$DISKSEED"

# Each command takes only its own options.
usage_error verify "$DISKSEED" verify --staging x d.img
grep_q "$T/err" "^diskseed: unrecognized option '--staging'$"
usage_error "job show" "$DISKSEED" job show --storage-account a --job j
usage_error "job list" "$DISKSEED" job list --job j
usage_error "settings set" "$DISKSEED" settings set --json retries 1
usage_error restore "$DISKSEED" restore d.img
grep_q "$T/err" "--to DIR is required"

# diskseed-importd: each command and verb the same way.
"$DISKSEED_IMPORTD" --help > "$T/itop" || fail "importd --help"
awk 'length($0) > 79 { print; bad = 1 } END { exit bad }' "$T/itop" >&2 ||
	fail "diskseed-importd --help: line over 79 columns"
for cmd in $(awk '/^Commands:/{c=1;next} /^$/{c=0} c{print $1}' "$T/itop"); do
	mcmd=$(printf '%s' "$cmd" | sed 's/-/\\\\-/g')
	grep -q "^\.B $mcmd\b" "$MAN8" ||
		fail "importd man page does not document '$cmd'"
	expect_rc 0 "$DISKSEED_IMPORTD" "$cmd" --help
	verbs=$(sed -n "s/^\(Usage:\|      \) diskseed-importd $cmd \([a-z-]*\) .*/\2/p" \
	    "$T/out" | grep -v '^-' | sort -u)
	if [ -z "$verbs" ]; then
		check_help "$cmd" "$MAN8" "$DISKSEED_IMPORTD" "$cmd"
		continue
	fi
	usage_error "$cmd" "$DISKSEED_IMPORTD" "$cmd"
	for verb in $verbs; do
		check_help "$cmd $verb" "$MAN8" "$DISKSEED_IMPORTD" "$cmd" "$verb"
	done
done
# Options another command has are refused, not ignored.
usage_error init "$DISKSEED_IMPORTD" init --dir "$T/svc" --percent 50 --force
[ ! -e "$T/svc" ] || fail "init ran with options it does not have"
usage_error serve "$DISKSEED_IMPORTD" serve --dir "$T/svc" --json --days 3
usage_error "job list" "$DISKSEED_IMPORTD" job list --dir "$T/svc" --force
usage_error "drive set-state" "$DISKSEED_IMPORTD" drive set-state \
	--dir "$T/svc" --job j Received

if locale -a 2>/dev/null | grep -qi '^it_IT\.utf-\?8$'; then
	LC_ALL=it_IT.UTF-8 "$DISKSEED" --help > "$T/it" || fail "help in Italian"
	grep_q "$T/it" "^Uso: diskseed"
	LC_ALL=it_IT.UTF-8 "$DISKSEED" verify --help > "$T/it" ||
		fail "verify help in Italian"
	awk 'length($0) > 79 { print; bad = 1 } END { exit bad }' "$T/it" >&2 ||
		fail "Italian help line over 79 columns"
fi
ok "cli"
