#!/bin/sh
# SPDX-License-Identifier: MIT
# The service killed (SIGKILL) and restarted in the middle of the flow:
# the job is still there, a request in flight is retried, the flow ends.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
client_setup
importd_need_hooks
mkaddress
"$DISKSEED" settings set timeout 3 || fail "settings set timeout"
"$DISKSEED" settings set retries 4 || fail "settings set retries"

mkjob job-keep
importd_kill9 || true
importd_start
expect_rc 0 "$DISKSEED" status --job job-keep
grep_q "$T/out" "State: +Creating"
grep_q "$T/out" "Drive job-keep.img: Specified"

# Killed while a request hangs: the client times out, retries and gets
# its answer from the restarted service.
importd_stop
DISKSEED_IMPORTD_FAULTS="hang*1"
export DISKSEED_IMPORTD_FAULTS
importd_start
unset DISKSEED_IMPORTD_FAULTS
"$DISKSEED" status --job job-keep >"$T/bg.out" 2>"$T/bg.err" &
bg=$!
ds_at_exit "kill $bg 2>/dev/null || true"
# Wait for the request to be in flight: the service holds it (a mere
# TCP connection may still be in its TLS handshake, which the client
# rightly does not retry when it breaks).
i=0
until grep -q "fault injected" "$T/importd.log"; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the request never reached the service"
	sleep 0.1
done
importd_kill9 || true
importd_start
wait $bg || { cat "$T/bg.err" >&2; fail "status across a restart"; }
grep_q "$T/bg.out" "State: +Creating"

# Ship, kill, restart: the job is Shipping and keeps its package.
expect_rc 0 "$DISKSEED" ship --job job-keep --carrier FedEx \
	--tracking 1Z0000000042 --return-address "$T/ra.json" --yes
importd_kill9 || true
importd_start
expect_rc 0 "$DISKSEED" status --job job-keep
grep_q "$T/out" "State: +Shipping"
grep_q "$T/out" "Shipped with: +FedEx 1Z0000000042"
ok "restart"
