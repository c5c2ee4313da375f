#!/bin/sh
# SPDX-License-Identifier: MIT
# The transport against a misbehaving service: 500 then 200 succeeds,
# 429 waits at least Retry-After, a malformed answer is a clear error, a
# hung request times out and is retried, and a service that is not
# running gives a clear error after a bounded number of retries.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
client_setup
importd_need_hooks
"$DISKSEED" settings set timeout 3 || fail "settings set timeout"

# 500, then 503, then the answer: retried, succeeds.
client_faults "500*1,503*1"
expect_rc 0 "$DISKSEED" locations
grep_q "$T/out" "^West US$"

# More failures than retries (2): the last ErrorResponse is shown.
client_faults "500*3"
expect_rc 6 "$DISKSEED" locations
grep_q "$T/err" "HTTP 500 InternalServerError"

# 429 with Retry-After: 2 is waited for (the first backoff is 0.5 s).
client_faults "429*1:retry-after=2"
t0=$(now_ms)
expect_rc 0 "$DISKSEED" locations
waited=$(( $(now_ms) - t0 ))
[ "$waited" -ge 2000 ] || fail "Retry-After 2 s not honoured: $waited ms"
echo "429 Retry-After 2: $waited ms"

# A 200 that is not JSON: a clear error, not a crash, no retry.
client_faults "garbage*1"
expect_rc 6 "$DISKSEED" locations
grep_q "$T/err" "malformed answer.*Locations_List"

# A request never answered: the timeout (3 s) ends it, the retry works.
client_faults "hang*1"
t0=$(now_ms)
expect_rc 0 "$DISKSEED" locations
waited=$(( $(now_ms) - t0 ))
[ "$waited" -ge 2900 ] || fail "hang answered too soon: $waited ms"
echo "hang then answer: $waited ms"
client_faults "close*1"
expect_rc 0 "$DISKSEED" locations

# Not running: 3 attempts (0.5 s then 1 s apart), then a clear error,
# well within the bound.
importd_stop
t0=$(now_ms)
expect_rc 6 "$DISKSEED" locations
waited=$(( $(now_ms) - t0 ))
grep_q "$T/err" "cannot reach the import service.*after 3 attempts"
[ "$waited" -ge 1400 ] || fail "no backoff between attempts: $waited ms"
[ "$waited" -lt 10000 ] || fail "not bounded: $waited ms"
echo "service down: error after $waited ms"

# The proxy is used: from the settings, else from https_proxy (a closed
# port, so the error names it rather than the service's port).
importd_start
"$DISKSEED" settings set retries 0 || fail "settings set retries"
"$DISKSEED" settings set proxy http://127.0.0.1:9 || fail "set proxy"
expect_rc 6 "$DISKSEED" locations
grep_q "$T/err" "127.0.0.1 port 9"
"$DISKSEED" settings set proxy "" || fail "unset proxy"
expect_rc 0 "$DISKSEED" locations
unset no_proxy NO_PROXY
expect_rc 6 env https_proxy=http://127.0.0.1:9 "$DISKSEED" locations
grep_q "$T/err" "127.0.0.1 port 9"
ok "faults"
