#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole client flow against a real diskseed-importd on 127.0.0.1:
# locations, a job, status with drive progress, ship review refused
# without yes, ship committed and stored, a reused tracking number
# refused (locally and through the service's job list), names checked
# before any call.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
client_setup
mkaddress

# Locations: the datacenter address and carriers, text and JSON.
expect_rc 0 "$DISKSEED" locations
grep_q "$T/out" "^West US$"
grep_q "$T/out" "Supported carriers: FedEx"
expect_rc 0 "$DISKSEED" locations --json
grep_q "$T/out" '"supportedCarriers"'
grep_q "$T/out" '"postalCode": "95050"'

# A job with two drives, as job create makes it.
mkjob job-one
expect_rc 0 "$DISKSEED" job show --job job-one
grep_q "$T/out" "State: +Creating"
grep_q "$T/out" "Drive job-one.img: Specified"
[ "$(stat -c %a "$T/state/diskseed/jobs/job-one/importjob.json")" = 600 ] ||
	fail "job record mode"
no_secret_in "$T/out"
key=$(sed -n 's/.*"recoveryKey": "\([0-9-]*\)".*/\1/p' \
	"$T/state/diskseed/jobs/job-one/drives.json")
[ -n "$key" ] || fail "no recovery key in drives.json"
if grep -qF "$key" "$T/out"; then fail "key shown"; fi
expect_rc 0 "$DISKSEED" job list
grep_q "$T/out" "^job-one +diskseed +Creating"

# Names are checked before any call: even with the service stopped the
# answer is immediate and a usage error.
importd_stop
t0=$(now_ms)
expect_rc 2 "$DISKSEED" status --job Job_One
grep_q "$T/err" "job name 'Job_One'"
expect_rc 2 "$DISKSEED" ship --job job-one --carrier FedEx --tracking "a b"
grep_q "$T/err" "tracking number|usage|Usage"
expect_rc 2 "$DISKSEED" job show --job job-one --resource-group "a/b"
[ $(( $(now_ms) - t0 )) -lt 2000 ] || fail "name checks waited for the service"
importd_start

# Ship: the review, then nothing sent without "yes".
echo no > "$T/no"
expect_rc 5 "$DISKSEED" ship --job job-one --carrier FedEx \
	--tracking 1Z0000000001 --return-address "$T/ra.json" < "$T/no"
grep_q "$T/out" "Tracking number: +1Z0000000001"
grep_q "$T/out" "2045 Lafayette Street"
grep_q "$T/out" "Ada Rossi"
grep_q "$T/err" "nothing was sent"
expect_rc 5 "$DISKSEED" ship --job job-one --carrier FedEx \
	--tracking 1Z0000000001 --return-address "$T/ra.json" </dev/null
expect_rc 0 "$DISKSEED" status --job job-one
grep_q "$T/out" "State: +Creating"
[ ! -e "$T/state/diskseed/jobs/job-one/shipping.json" ] ||
	fail "shipping stored without yes"

# A carrier the location does not take, a bad date: refused.
expect_rc 2 "$DISKSEED" ship --job job-one --carrier DHL \
	--tracking 1Z0000000001 --return-address "$T/ra.json" --yes
grep_q "$T/err" "not supported"
expect_rc 2 "$DISKSEED" ship --job job-one --carrier FedEx \
	--tracking 1Z0000000001 --ship-date 2026/01/01 --yes

# Typed "yes": sent, stored, path printed.
echo yes > "$T/yes"
expect_rc 0 "$DISKSEED" ship --job job-one --carrier FedEx \
	--tracking 1Z0000000001 --ship-date 2026-11-20 \
	--return-address "$T/ra.json" < "$T/yes"
grep_q "$T/out" "now Shipping"
path=$(sed -n 's/^Shipping details stored in //p' "$T/out")
[ -f "$path" ] || fail "no stored shipping details at '$path'"
[ "$(stat -c %a "$path")" = 600 ] || fail "shipping.json mode"
grep_q "$path" '"trackingNumber": "1Z0000000001"'
grep_q "$path" '"shipDate": "2026-11-20"'
grep_q "$path" '"recipientName": "Ada Rossi"'
expect_rc 0 "$DISKSEED" status --job job-one --json
grep_q "$T/out" '"state": "Shipping"'
grep_q "$T/out" '"trackingNumber": "1Z0000000001"'

# The same tracking number for another job: refused before the call,
# from the local record...
mkjob job-two
expect_rc 5 "$DISKSEED" ship --job job-two --carrier FedEx \
	--tracking 1z0000000001 --return-address "$T/ra.json" --yes
grep_q "$T/err" "tracking number of job job-one"
# ...and from the service's job list, on a machine without the record.
cp -a "$T/state" "$T/state2"
rm -rf "$T/state2/diskseed/jobs/job-one"
expect_rc 5 env XDG_STATE_HOME="$T/state2" "$DISKSEED" ship --job job-two \
	--carrier FedEx --tracking 1Z0000000001 --return-address "$T/ra.json" \
	--yes
grep_q "$T/err" "tracking number of job job-one"
if grep -q "recorded locally" "$T/err"; then fail "not from the service"; fi
expect_rc 0 "$DISKSEED" status --job job-two
grep_q "$T/out" "State: +Creating"

# Status while the service works on the drives.
importd_job_state job-one Received
importd_drive_state job-one job-one.img Transferring --percent 40 \
	--bytes 1048576 --copy-status "Copying" \
	--error-log "https://acct.blob/waimportexport/job-one_error.log" \
	--verbose-log "https://acct.blob/waimportexport/job-one_verbose.log"
expect_rc 0 "$DISKSEED" status --job job-one
grep_q "$T/out" "State: +Received"
grep_q "$T/out" "Drive job-one.img: Transferring, 40%, 1.0 MiB copied"
grep_q "$T/out" "Copy status: +Copying"
grep_q "$T/out" "Error log: +https://acct.blob/waimportexport/job-one_error.log"
grep_q "$T/out" "Verbose log: +https://acct.blob/waimportexport/job-one_verbose"
grep_q "$T/out" "Last updated: +[0-9]{4}-"
grep_q "$T/out" "Waiting for the import job to complete"
expect_rc 0 "$DISKSEED" status --json
grep_q "$T/out" '"bytesSucceeded": 1048576'
grep_q "$T/out" '"percentComplete": 40'
grep_q "$T/out" '"errorLogUri": "https://acct.blob/waimportexport/job-one_error.log"'
grep_q "$T/out" '"lastModifiedAt": "[0-9]{4}-'
grep_q "$T/out" '"name": "job-two"'

# No cancel after Shipping: the client refuses before the PATCH.
expect_rc 5 "$DISKSEED" job cancel --job job-one
grep_q "$T/err" "job job-one is Received at the service"
# An unknown job.
expect_rc 1 "$DISKSEED" job show --job no-such-job
grep_q "$T/err" "404 ResourceNotFound"
# Accept-Language follows the locale: the service answers in Italian.
if locale -a 2>/dev/null | grep -qi '^it_IT\.utf-\?8$'; then
	expect_rc 1 env LC_ALL=it_IT.UTF-8 "$DISKSEED" job show --job no-such-job
	grep_q "$T/err" "404 ResourceNotFound: .* non "
fi
# Delete in Creating.
expect_rc 0 "$DISKSEED" job delete --job job-two
expect_rc 1 "$DISKSEED" job show --job job-two
ok "flow"
