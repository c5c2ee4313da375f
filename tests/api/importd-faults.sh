#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: DISKSEED_IMPORTD_FAULTS answers the next requests with the
# listed faults, in order, then serves normally.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
importd_need_hooks
P=/providers/Microsoft.ImportExport

importd_init
DISKSEED_IMPORTD_FAULTS="bogus" "$DISKSEED_IMPORTD" serve --dir "$DS_IMPORTD_DIR" \
    --listen 127.0.0.1:0 >"$T/bad.out" 2>&1 && fail "bad fault list accepted"
grep_q "$T/bad.out" "DISKSEED_IMPORTD_FAULTS"
DISKSEED_IMPORTD_FAULTS="500*2,429:retry-after=3,garbage,close,hang,503*1:retry-after=0"
export DISKSEED_IMPORTD_FAULTS
importd_start
importd_subscription frank
importd_expect 500 "$(importd_curl GET $P/locations)" InternalServerError
importd_expect 500 "$(importd_curl GET $P/locations)" InternalServerError
curl -s -D "$T/headers" -o "$T/resp" --cacert "$DS_IMPORTD_CA" \
    --cert "$DS_IMPORTD_CERT" --key "$DS_IMPORTD_KEY" \
    "$DS_IMPORTD_URL$P/locations?api-version=2021-01-01"
grep_q "$T/headers" '^HTTP/1.1 429'
grep_q "$T/headers" '^Retry-After: 3'
grep_q "$T/resp" '"code":"TooManyRequests"'
importd_expect 200 "$(importd_curl GET $P/locations)"
grep_q "$T/resp" 'garbage'
code=$(importd_curl GET $P/locations)
case $code in 000*) ;; *) fail "close: got $code";; esac
code=$(IMPORTD_CURL_OPTS="--max-time 1" importd_curl GET $P/locations)
case $code in 000*|curl-failed-28) ;; *) fail "hang: got $code";; esac
importd_expect 503 "$(importd_curl GET $P/locations)" ServiceUnavailable
importd_expect 200 "$(importd_curl GET $P/locations)"
grep_q "$T/resp" '"name":"West US"'
ok "importd fault injection"
