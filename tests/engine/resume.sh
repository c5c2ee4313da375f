#!/bin/sh
# SPDX-License-Identifier: MIT
# kill -9 during prep at several points -- after some writes to the drive,
# in the middle of a segment's commit (at the data's fdatasync, at the
# journal record's write and at its fdatasync), while the second drive is
# formatted, near the end, and twice in a row -- then
# the same command with --resume: the drives verify, restore identical,
# and no chunk of a committed segment was written again.
#
# The kill is exact: strace injects SIGKILL at the Nth call of a system
# call by a thread, chosen from a traced reference run.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
DSIMG="perl $top_srcdir/tests/lib/dsimg"

command -v strace >/dev/null 2>&1 || skip "no strace"
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here"

mkcorpus -n 300 -b 18M -r 3M -s 4M "$T/st"

# run_prep NAME [strace options]: prep of the staging folder onto the
# drives $T/NAME-1.img .. -3.img with its own state folder; exit code in
# $rc. With --resume in $RESUME.
run_prep() {
	name=$1; shift
	# LeakSanitizer cannot work under ptrace: the traced runs go without
	# its leak check (the untraced resumes keep it).
	[ $# -eq 0 ] || set -- env \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@"
	set +e
	# shellcheck disable=SC2086
	XDG_STATE_HOME=$T/state-$name "$@" "$DISKSEED" prep $DS_PREP_OPTS \
	    ${RESUME:-} --staging "$T/st" --job res --drive "$T/$name-1.img" \
	    --drive "$T/$name-2.img" --drive "$T/$name-3.img" \
	    --confirm "$name-1.img,$name-2.img,$name-3.img" \
	    > "$T/out" 2> "$T/err"
	rc=$?
	set -e 2>/dev/null || true
}
drives() {
	for i in 1 2 3; do mkimage "$T/$1-$i.img" 12M; done
}

# The reference run, traced: which thread writes the drives, with which
# call, and which of its fdatasync calls flush a drive (a segment's
# data) or the journal (its commit record).
drives ref
run_prep ref strace -f -qq -y -o "$T/trace" \
    -e trace=pwrite64,pwritev,pwritev2,write,fdatasync,fsync
[ "$rc" = 0 ] || { cat "$T/err"; fail "reference prep: exit $rc"; }
# The calls of thread TID to SYSCALL, in order, one line each: "ordinal
# path" (path of the fd, from strace -y).
ordinals() {
	awk -v tid="$1" -v sys="$2" '$1 == tid && index($2, sys "(") == 1 {
		n++; p = $2; sub(/^[^<]*</, "", p); sub(/>.*/, "", p)
		print n, p }' "$T/trace"
}
# The thread and system call that write the drives most.
set -- $(awk '$2 ~ /^(pwrite64|pwritev|pwritev2|write)\(/ && $2 ~ /\.img>/ {
	s = $2; sub(/\(.*/, "", s); c[$1 " " s]++ }
	END { for (k in c) if (c[k] > best) { best = c[k]; w = k }; print w }' \
    "$T/trace")
[ $# = 2 ] || fail "no write to a drive in the reference trace"
wtid=$1 wsys=$2
ordinals "$wtid" "$wsys" | awk '$2 ~ /\.img$/ { print $1 }' > "$T/w.img"
# The first write to the second drive: its format.
fmt2=$(ordinals "$wtid" "$wsys" | awk '$2 ~ /-2\.img$/ { print $1; exit }')
[ -n "$fmt2" ] || fail "the reference run did not reach the second drive"
# The thread that flushes: data syncs (to a drive) and journal syncs.
set -- $(awk '$2 ~ /^fdatasync\(/ { c[$1]++ }
	END { for (k in c) if (c[k] > best) { best = c[k]; w = k }; print w }' \
    "$T/trace")
[ $# = 1 ] || fail "no fdatasync in the reference trace"
stid=$1
ordinals "$stid" fdatasync | awk '$2 ~ /\.img$/ { print $1 }' > "$T/s.img"
ordinals "$stid" fdatasync | awk '$2 ~ /journal/ { print $1 }' > "$T/s.jnl"
ordinals "$stid" write | awk '$2 ~ /journal/ { print $1 }' > "$T/w.jnl"
nw=$(wc -l < "$T/w.img"); nsi=$(wc -l < "$T/s.img")
nsj=$(wc -l < "$T/s.jnl"); nwj=$(wc -l < "$T/w.jnl")
echo "reference: $nw $wsys to drives; fdatasync: $nsi of drives," \
    "$nsj of the journal; $nwj journal writes"
[ "$nw" -ge 8 ] && [ "$nsi" -ge 3 ] && [ "$nsj" -ge 3 ] && [ "$nwj" -ge 3 ] ||
    fail "too few commit points in the reference run"
# The Kth (1-based; negative: from the end) line of FILE.
nth() { if [ "$2" -gt 0 ]; then sed -n "$2p" "$1"; else tail -n $((-$2)) "$1" | head -n 1; fi; }

# Chunks of committed segments on drives NAME-*: "drive slot sha" lines.
committed() {
	later=0
	for i in 3 2 1; do
		$DSIMG chunks "$T/$1-$i.img" > "$T/chunks-$i" 2>/dev/null || :
		if [ "$later" = 1 ]; then
			awk -v d=$i '{ print d, $1, $8 }' "$T/chunks-$i"
		else
			awk -v d=$i '{ seg[NR] = $3; s[NR] = $1; h[NR] = $8
			    if ($3 > max) max = $3 }
			    END { for (k = 1; k <= NR; k++) if (seg[k] < max)
				print d, s[k], h[k] }' "$T/chunks-$i"
		fi
		[ -s "$T/chunks-$i" ] && later=1
	done
}

# kill_and_resume NAME SYSCALL N: kill -9 at the Nth SYSCALL, resume.
kill_and_resume() {
	name=$1 sys=$2 n=$3
	drives "$name"
	RESUME='' run_prep "$name" strace -f -qq -o /dev/null -e trace="$sys" \
	    -e inject="$sys":signal=KILL:when="$n"
	[ "$rc" = 137 ] || { cat "$T/err"; fail "$name: not killed at $sys #$n (exit $rc)"; }
	committed "$name" | sort > "$T/$name.committed"
	RESUME=--resume run_prep "$name"
	[ "$rc" = 0 ] || { cat "$T/out" "$T/err"; fail "$name: resume: exit $rc"; }
	check "$name"
}

# check NAME: committed chunks unchanged, verify, restore identical.
check() {
	name=$1
	for i in 1 2 3; do
		$DSIMG chunks "$T/$name-$i.img" > "$T/after-$i" ||
		    fail "$name: drive $i unreadable"
	done
	while read -r d s h; do
		now=$(awk -v s="$s" '$1 == s { print $8 }' "$T/after-$d")
		[ "$now" = "$h" ] ||
		    fail "$name: committed chunk $s on drive $d written again"
	done < "$T/$name.committed"
	XDG_STATE_HOME=$T/state-$name
	expect_rc 0 "$DISKSEED" verify \
	    "$T/$name-3.img" "$T/$name-1.img" "$T/$name-2.img"
	expect_rc 0 "$DISKSEED" restore \
	    --to "$T/r-$name" "$T/$name-1.img" "$T/$name-2.img" "$T/$name-3.img"
	treecmp "$T/st" "$T/r-$name"
	rm -rf "$T/r-$name"
	echo "ok: $name ($(wc -l < "$T/$name.committed") committed chunks kept)"
}

kill_and_resume early "$wsys" "$(nth "$T/w.img" 2)"
kill_and_resume write1 "$wsys" "$(nth "$T/w.img" $((nw / 4)))"
kill_and_resume datasync fdatasync "$(nth "$T/s.img" $((nsi / 2)))"
kill_and_resume jnlwrite write "$(nth "$T/w.jnl" $((nwj / 2 + 1)))"
kill_and_resume jnlsync fdatasync "$(nth "$T/s.jnl" $((nsj * 2 / 3)))"
kill_and_resume format2 "$wsys" "$fmt2"
kill_and_resume write3 "$wsys" "$(nth "$T/w.img" -3)"

# Twice: killed, killed again while resuming, then resumed.
drives twice
run_prep twice strace -f -qq -o /dev/null -e trace="$wsys" \
    -e inject="$wsys":signal=KILL:when="$(nth "$T/w.img" $((nw / 3)))"
[ "$rc" = 137 ] || fail "twice: not killed (exit $rc)"
RESUME=--resume run_prep twice strace -f -qq -o /dev/null \
    -e trace=fdatasync -e inject=fdatasync:signal=KILL:when=3
[ "$rc" = 137 ] || fail "twice: resume not killed (exit $rc)"
committed twice | sort > "$T/twice.committed"
RESUME=--resume run_prep twice
[ "$rc" = 0 ] || { cat "$T/err"; fail "twice: second resume: exit $rc"; }
check twice
ok "resume after kill -9"
