#!/bin/sh
# SPDX-License-Identifier: MIT
# A drive whose manifest and archive agree on a sparse file of 2^62
# bytes (two bytes of data, the rest a hole): restore and verify --deep
# hash its zeros for ever, but SIGTERM and SIGINT end them within two
# seconds, and restore leaves no part of that file behind.
. "$top_srcdir/tests/lib/engine.sh"

huge=4611686018427387904
mkdir -p "$T/staging"
echo fine > "$T/staging/ok.txt"
evil "$T/e.img" "f:ok.txt:fine" "a:z:huge:$huge" "r:file:huge:size=$huge"

# stops SIGNAL CMD...: starts CMD, sends SIGNAL after a second, and
# fails unless CMD has ended two seconds later.
stops() {
	sig=$1
	shift
	"$@" >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 1
	kill -0 "$pid" 2>/dev/null || fail "$* ended before the signal"
	kill "-$sig" "$pid"
	n=0
	while kill -0 "$pid" 2>/dev/null; do
		n=$((n + 1))
		if [ "$n" -gt 20 ]; then
			kill -9 "$pid"
			fail "$*: still running 2 s after SIG$sig"
		fi
		sleep 0.1
	done
	wait "$pid" || true
}

stops TERM "$DISKSEED" restore --to "$T/r" "$T/e.img"
[ ! -e "$T/r/huge" ] || fail "a part of huge stayed behind"
ok "restore ends on SIGTERM inside a 2^62-byte entry"
stops INT "$DISKSEED" restore --to "$T/r2" "$T/e.img"
ok "restore ends on SIGINT inside a 2^62-byte entry"
stops TERM "$DISKSEED" verify --deep "$T/staging" "$T/e.img"
ok "verify --deep ends on SIGTERM inside a 2^62-byte entry"
