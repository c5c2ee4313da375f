#!/bin/sh
# SPDX-License-Identifier: MIT
# Memory per file: restore and verify --deep of N and of 4N tiny files,
# each drive alone; the peak RSS may grow by at most so many bytes a file
# from the one to the other. Issue 12 allows 256 MiB at a million files:
# 268 bytes a file for everything, verify --deep's bound. The reader
# (restore) takes about 110 bytes a file (doc/ingest.md, "Memory"): its
# bound, 160, leaves room for the allocator's rounding and fails the
# reader that held the manifest's text whole (267 bytes a file here).
# verify --deep adds the staging folder's walk (about 115 bytes a file).
set -eu
. "$top_srcdir/tests/lib/engine.sh"
# A sanitizer build measures its own allocator (quarantine, redzones,
# shadow memory), not the reader: the bound holds for a real build only.
[ -z "${DS_SANITIZED:-}" ] || skip "peak RSS is not the program's under a sanitizer"
command -v python3 >/dev/null || skip "python3 not found (to measure RSS)"
N=${RSS_N:-5000}

# tiny DIR COUNT: COUNT files of 1 to 64 bytes, 1000 to a folder.
tiny() {
	python3 - "$1" "$2" <<'EOP' || fail "tiny $*"
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "d%04d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%06d.txt" % i), "w") as f:
        f.write("x" * (1 + i % 64))
EOP
}

# peak CMD...: runs CMD (its output in $T/out) and prints its peak RSS in
# KiB, as the kernel counts it (getrusage of the child).
peak() {
	python3 -c 'import resource, subprocess, sys
with open(sys.argv[1], "w") as out:
    rc = subprocess.call(sys.argv[2:], stdout=out, stderr=out)
if rc != 0:
    sys.exit("exit code %d" % rc)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
	    "$T/out" "$@" || fail "$*: $(cat "$T/out")"
}

for n in "$N" $((4 * N)); do
	tiny "$T/st$n" "$n"
	mkimage "$T/d$n.img" 64M
	prep 0 "$T/st$n" "rss$n" "$T/d$n.img"
	eval "r$n=\$(peak \"\$DISKSEED\" restore --to \"\$T/out$n\" \
	    \"\$T/d$n.img\")"
	[ "$(find "$T/out$n" -type f | wc -l)" = "$n" ] ||
	    fail "restore of $n files made $(find "$T/out$n" -type f | wc -l)"
	eval "v$n=\$(peak \"\$DISKSEED\" verify --deep \"\$T/st$n\" \
	    \"\$T/d$n.img\")"
	rm -rf "$T/out$n"
done

# growth WHAT LIMIT SMALL BIG: bytes a file from N to 4N files, at most
# LIMIT.
growth() {
	g=$(( ($4 - $3) * 1024 / (3 * N) ))
	echo "$1: $3 KiB at $N files, $4 KiB at $((4 * N)): $g bytes a file"
	[ "$g" -le "$2" ] || fail "$1 grows $g bytes a file (at most $2)"
	ok "$1: peak RSS within $2 bytes a file"
}
eval "growth restore 160 \$r$N \$r$((4 * N))"
eval "growth 'verify --deep' 268 \$v$N \$v$((4 * N))"
