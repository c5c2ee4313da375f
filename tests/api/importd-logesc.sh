#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: what a client sends (request target, User-Agent) is escaped in
# the log: a raw ESC, CR or other control byte, a byte above 0x7f, a
# backslash or a double quote comes out as \xNN, so a request cannot
# forge a log line or send terminal controls to the operator's screen.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
command -v python3 >/dev/null || skip "python3 not installed"

importd_init
importd_start
importd_subscription alice
before=$(wc -l <"$T/importd.log")

# raw REQUEST-LINE-AND-HEADERS (Python bytes literal): sends it over TLS
# with the client certificate and prints the status line.
raw() {
	python3 - "$DS_IMPORTD_PORT" "$DS_IMPORTD_CA" "$DS_IMPORTD_CERT" \
	    "$DS_IMPORTD_KEY" "$1" <<'EOP'
import ast, socket, ssl, sys
port, ca, cert, key, req = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port))))
s.sendall(ast.literal_eval(req))
print(s.recv(65536).split(b"\r\n")[0].decode("ascii", "replace"))
EOP
}
# The path holds ESC, CR and a fake log line after a (folded) LF in the
# User-Agent; the query holds a byte above 0x7f and a quote.
raw 'b"GET /x\x1b[2J\x1b]0;owned\x07\ry?api-version=2021-01-01&q=\xff\" HTTP/1.1\r\nHost: a\r\nUser-Agent: ua\x1b[31m\r\n 2026-01-01T00:00:00Z GET / 200\r\nConnection: close\r\n\r\n"' \
    >"$T/status" || fail "request not sent"
grep_q "$T/status" "^HTTP/1.1 (404|400)"
raw 'b"GET /a\\b?api-version=2021-01-01 HTTP/1.1\r\nHost: a\r\nUser-Agent: \x01\"\x7f\r\nConnection: close\r\n\r\n"' \
    >"$T/status2" || fail "request not sent"
importd_stop

tail -n +"$((before + 1))" "$T/importd.log" >"$T/new"
cat "$T/new"
# No control byte (but the newline ending each line), nothing above 0x7f.
if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177-\377]')" "$T/new"; then
	fail "a raw control or non-ASCII byte reached the log"
fi
# One line per request (and the stop line), the bytes as \xNN.
[ "$(grep -c ' GET /' "$T/new")" = 2 ] || fail "not one log line per request"
grep -q '^[0-9TZ:.-]* GET / 200' "$T/new" && fail "a forged log line"
grep_q "$T/new" 'GET /x\\x1b\[2J\\x1b\]0;owned\\x07\\x0dy\?api-version=2021-01-01&q=\\xff\\x22 (404|400) 127\.0\.0\.1 "ua\\x1b\[31m 2026'
grep_q "$T/new" 'GET /a\\x5cb\?api-version=2021-01-01 [0-9]+ 127\.0\.0\.1 "\\x01\\x22\\x7f"'
ok "request lines escaped"
