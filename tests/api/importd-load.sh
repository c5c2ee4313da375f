#!/bin/sh
# SPDX-License-Identifier: MIT
# importd under hostile load (issue 12, point 6): 1500 idle TCP
# connections (no TLS) from one or several loopback addresses, with a low
# and with a raised descriptor limit, do not lock out a client with its
# certificate, and do not flood the log; descriptors running out pauses
# accept without a line per attempt; connections that do not finish the
# TLS handshake in time, and idle keep-alive ones, are closed.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
command -v python3 >/dev/null || skip "python3 not installed"
command -v prlimit >/dev/null || skip "prlimit (util-linux) not installed"
FLOOD=$top_srcdir/tests/lib/connflood
LOC=/providers/Microsoft.ImportExport/locations

importd_init
# conf KEY=VALUE...: sets whole-number keys of importd.conf.
conf() {
	python3 - "$DS_IMPORTD_DIR/importd.conf" "$@" <<'EOP' ||
import json, sys
p = sys.argv[1]
c = json.load(open(p))
for kv in sys.argv[2:]:
    k, v = kv.split("=")
    c[k] = int(v)
json.dump(c, open(p, "w"), indent=2)
EOP
	    fail "cannot edit importd.conf"
}

# flood_start COUNT SOURCES [HEX]: opens the connections in the
# background and waits until they are all started.
flood_start() {
	rm -f "$T/ready" "$T/stop" "$T/flood.out" "$T/flood.status"
	python3 "$FLOOD" --port "$DS_IMPORTD_PORT" --count "$1" \
	    --sources "$2" --send "${3:-}" --ready "$T/ready" \
	    --status "$T/flood.status" \
	    --stop "$T/stop" --timeout 90 >"$T/flood.out" 2>&1 &
	flood_pid=$!
	importd_wait_file "$T/ready" "$flood_pid" "$T/flood.out" connflood 30
	# Let the service accept (and refuse) what it will.
	sleep 1
}
flood_stop() {
	touch "$T/stop"
	wait "$flood_pid" || { cat "$T/flood.out" >&2; fail "connflood failed"; }
	read -r _ closed _ _ _ first _ last <"$T/flood.out"
}

# served WHAT: the client with its certificate is answered 200 within
# 5 s, while the flood holds its connections.
served() {
	t0=$(date +%s%N)
	code=$(IMPORTD_CURL_OPTS="-m 5" importd_curl GET "$LOC")
	t1=$(date +%s%N)
	[ "$code" = 200 ] || { tail -n 20 "$T/importd.log" >&2;
	    fail "$1: client not served (HTTP $code)"; }
	ok "$1: client served in $(( (t1 - t0) / 1000000 )) ms"
}

# quiet WHAT LINES: the service logged at most 3 lines since LINES, not
# counting the client's request lines.
quiet() {
	n=$(tail -n +"$(($2 + 1))" "$T/importd.log" |
	    grep -vc " GET $LOC?api-version" || true)
	[ "$n" -le 3 ] || { tail -n +"$(($2 + 1))" "$T/importd.log" |
	    head -n 20 >&2; fail "$1: $n log lines"; }
	ok "$1: $n log lines"
}
lines() { wc -l <"$T/importd.log"; }
fds() { find "/proc/$DS_IMPORTD_PID/fd" -mindepth 1 | wc -l; }

# run_floods WHAT TOTAL: one address, then thirty, 1500 connections each.
run_floods() {
	for src in 127.0.0.2 $(seq -s, -f '127.0.1.%g' 1 30); do
		l=$(lines)
		base=$(fds)
		flood_start 1500 "$src"
		served "$1, 1500 idle from ${src%%,*}..."
		# It holds at most 64 from one address, at most the total
		# from thirty (and what it is closing): the fewest
		# descriptors it has open in half a second, less those it
		# had before the flood.
		case $src in *,*) cap=$2 ;; *) cap=64 ;; esac
		least=1000000
		for _ in 1 2 3 4 5; do
			n=$(($(fds) - base))
			[ "$n" -ge "$least" ] || least=$n
			sleep 0.1
		done
		[ "$least" -le $((cap + 8)) ] ||
		    fail "$1: $least connections held from ${src%%,*}..."
		ok "$1: $least connections held from ${src%%,*}... (cap $cap)"
		quiet "$1, 1500 idle from ${src%%,*}..." "$l"
		flood_stop
		kill -0 "$DS_IMPORTD_PID" || fail "$1: service died"
	done
}

# The handshake deadline long enough for the floods to stay open; 64
# per address (below the total at 256 open files, 144).
conf tlsHandshakeTimeout=60 idleTimeout=60 maxConnectionsPerAddress=64

# A descriptor limit far below the flood: the service sizes its caps
# from it (at most 3/4 of 256 - 64 connections).
IMPORTD_WRAP="prlimit --nofile=256:256" importd_start
importd_subscription alice
grep_q "$T/importd.log" "connections: at most 144, 64 per address.*; 256 open files"
run_floods "limit 256" 144
importd_stop

# As the unit runs it: a low soft limit, a high hard one, raised.
IMPORTD_WRAP="prlimit --nofile=1024:8192" importd_start
grep_q "$T/importd.log" "connections: at most 1000, 64 per address.*; 8192 open files"
run_floods "limit 8192" 1000

# Out of descriptors under the service's feet (the limit lowered while
# it runs, below its caps): accept pauses rather than spins (little CPU),
# one log line at most per episode and minute, and once the flood is
# gone the client is served. A fresh start, so no notice is pending.
importd_stop
IMPORTD_WRAP="prlimit --nofile=1024:8192" importd_start
prlimit --pid "$DS_IMPORTD_PID" --nofile=128:128 ||
    fail "prlimit --pid failed"
cpu() { awk '{ print $14 + $15 }' "/proc/$DS_IMPORTD_PID/stat"; }
l=$(lines)
flood_start 1500 "$(seq -s, -f '127.0.2.%g' 1 30)"
c0=$(cpu)
sleep 2
c1=$(cpu)
quiet "out of descriptors" "$l"
grep_q "$T/importd.log" \
    "[1-9][0-9]* accept failures \(last: Too many open files\)"
[ $((c1 - c0)) -lt 50 ] ||
    fail "out of descriptors: $((c1 - c0)) CPU ticks in 2 s (spinning)"
ok "out of descriptors: $((c1 - c0)) CPU ticks in 2 s"
flood_stop
served "out of descriptors, after the flood"
kill -0 "$DS_IMPORTD_PID" || fail "service died out of descriptors"
importd_stop

# The TLS handshake deadline: idle sockets and half a ClientHello are
# closed after about 2 s (and not at once), idle keep-alive after 3 s.
conf tlsHandshakeTimeout=2 idleTimeout=20
importd_start
l=$(lines)
# deadline WHAT [HEX]: 20 connections closed between 1.5 and 4.5 s.
deadline() {
	flood_start 20 127.0.0.2 "${2:-}"
	sleep 4
	flood_stop
	[ "$closed" = 20 ] || { cat "$T/flood.out" >&2; fail "$1: left open"; }
	awk -v f="$first" -v l="$last" \
	    'BEGIN { exit !(f >= 1.5 && l <= 4.5) }' ||
	    fail "$1: closed between $first and $last s, not after 2 s"
	ok "$1: closed between $first and $last s"
}
deadline "idle sockets"
deadline "half a ClientHello" 16030100c8010000c40303
quiet "handshake deadline" "$l"
importd_stop
conf idleTimeout=3
importd_start
l=$(lines)

# Keep-alive: a served connection left idle is closed after idleTimeout.
python3 - "$DS_IMPORTD_PORT" "$DS_IMPORTD_CA" "$DS_IMPORTD_CERT" \
    "$DS_IMPORTD_KEY" "$LOC" >"$T/keepalive.out" 2>&1 <<'EOP' ||
import socket, ssl, sys, time
port, ca, cert, key, loc = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port))))
s.sendall(("GET %s?api-version=2021-01-01 HTTP/1.1\r\nHost: x\r\n\r\n"
           % loc).encode())
got = s.recv(65536)
assert got.startswith(b"HTTP/1.1 200"), got[:80]
t0 = time.monotonic()
s.settimeout(20)
while True:
    try:
        if not s.recv(65536):
            break
    except (ssl.SSLError, OSError):
        break
t = time.monotonic() - t0
print("idle connection closed after %.1f s" % t)
sys.exit(0 if 2.0 <= t <= 6.0 else 1)
EOP
    { cat "$T/keepalive.out" >&2; fail "idle keep-alive connection"; }
ok "$(cat "$T/keepalive.out")"
quiet "idle timeout" "$l"
