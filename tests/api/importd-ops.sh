#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: every operation through curl with a management certificate,
# the operator commands, api-version and paging.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
J=$top_builddir/tests/api/importd-json

importd_init
importd_start
importd_subscription alice
P=/providers/Microsoft.ImportExport
S=/subscriptions/$DS_IMPORTD_SUBSCRIPTION

# Locations, one location (by name and by id), operations.
importd_expect 200 "$(importd_curl GET $P/locations)"
[ "$($J get $T/resp /value/0/name)" = "West US" ] || fail "locations"
importd_expect 200 "$(importd_curl GET "$P/locations/West%20US")"
[ "$($J get $T/resp /properties/supportedCarriers/0)" = FedEx ] || fail "carriers"
importd_expect 200 "$(importd_curl GET $P/locations/australiaeast)"
[ "$($J get $T/resp /name)" = "Australia East" ] || fail "location by id"
importd_expect 404 "$(importd_curl GET $P/locations/mars)" LocationNotFound
importd_expect 200 "$(importd_curl GET $P/operations)"
grep -q 'jobs/listBitLockerKeys/action' "$T/resp" || fail "operations"

# api-version: required, and only 2021-01-01.
importd_expect 400 "$(importd_curl GET "$P/locations?x=1")" MissingApiVersionParameter
importd_expect 400 "$(importd_curl GET "$P/locations?api-version=2016-11-01")" InvalidApiVersionParameter
importd_expect 404 "$(importd_curl GET /nowhere)" NotFound

# Create (201), create again = replace (200), get, keys, update, delete.
importd_job_body "$T/job.json" 2
importd_expect 201 "$(importd_curl PUT "$(importd_job_path job1)" "$T/job.json")"
[ "$($J get $T/resp /properties/state)" = Creating ] || fail "state"
[ "$($J get $T/resp /properties/driveList/1/state)" = Specified ] || fail "drive state"
[ "$($J get $T/resp /properties/shippingInformation/city)" = "Santa Clara" ] || fail "shipping information"
if grep -q bitLockerKey "$T/resp"; then fail "a key in the job answer"; fi
importd_expect 200 "$(importd_curl PUT "$(importd_job_path job1)" "$T/job.json")"
importd_expect 200 "$(importd_curl GET "$(importd_job_path job1)")"
[ "$($J get $T/resp /name)" = job1 ] || fail "get"
[ "$($J get $T/resp /id)" = "$S/resourceGroups/rg$P/jobs/job1" ] || fail "id"
[ "$($J get $T/resp /systemData/createdBy)" = alice ] || fail "createdBy"
importd_expect 200 "$(importd_curl POST "$(importd_job_path job1)/listBitLockerKeys")"
[ "$($J get $T/resp /value/1/bitLockerKey)" = key-SER2 ] || fail "keys"
echo "{\"properties\":{$IMPORTD_RETURN,$(importd_package TRK-1 2)},\"tags\":{\"a\":\"b\"}}" >"$T/patch.json"
importd_expect 200 "$(importd_curl PATCH "$(importd_job_path job1)" "$T/patch.json")"
[ "$($J get $T/resp /properties/deliveryPackage/trackingNumber)" = TRK-1 ] || fail "patch"
[ "$($J get $T/resp /tags/a)" = b ] || fail "tags"
echo '{"properties":{"state":"Shipping"}}' >"$T/ship.json"
importd_expect 200 "$(importd_curl PATCH "$(importd_job_path job1)" "$T/ship.json")"
[ "$($J get $T/resp /properties/state)" = Shipping ] || fail "ship"

# Operator moves show through the API.
importd_job_state job1 Received
importd_drive_state job1 SER1 Transferring --percent 40 --bytes 4096 \
    --copy-status InProgress --error-log https://x/e.xml
importd_expect 200 "$(importd_curl GET "$(importd_job_path job1)")"
[ "$($J get $T/resp /properties/state)" = Received ] || fail "set-state"
[ "$($J get $T/resp /properties/driveList/0/percentComplete)" = 40 ] || fail "drive percent"
[ "$($J get $T/resp /properties/driveList/0/bytesSucceeded)" = 4096 ] || fail "drive bytes"
[ "$($J get $T/resp /properties/driveList/0/errorLogUri)" = https://x/e.xml ] || fail "log"
expect_rc 1 "$DISKSEED_IMPORTD" job set-state --dir "$DS_IMPORTD_DIR" --job job1 Creating
grep_q "$T/err" "Received -> Creating"
expect_rc 2 "$DISKSEED_IMPORTD" job set-state --dir "$DS_IMPORTD_DIR" --job job1 Bogus
expect_rc 1 "$DISKSEED_IMPORTD" drive set-state --dir "$DS_IMPORTD_DIR" --job job1 --drive NOPE Received
expect_rc 1 "$DISKSEED_IMPORTD" job set-state --dir "$DS_IMPORTD_DIR" --job nosuch Received
importd_job_state job1 Transferring
importd_job_state job1 Completed
expect_rc 0 "$DISKSEED_IMPORTD" job list --dir "$DS_IMPORTD_DIR"
grep_q "$T/out" "jobs/job1  Completed  TRK-1"
importd_expect 200 "$(importd_curl DELETE "$(importd_job_path job1)")"
importd_expect 404 "$(importd_curl GET "$(importd_job_path job1)")" ResourceNotFound
importd_expect 404 "$(importd_curl DELETE "$(importd_job_path job1)")" ResourceNotFound

# Lists: by subscription and by resource group, paged with $top.
for n in 1 2 3 4 5; do
	importd_expect 201 "$(importd_curl PUT "$(importd_job_path page$n)" "$T/job.json")"
done
importd_expect 201 "$(importd_curl PUT "$(importd_job_path other1 rg2)" "$T/job.json")"
importd_expect 200 "$(importd_curl GET "$S$P/jobs")"
[ "$($J get $T/resp /value/5/name)" = other1 ] || fail "list by subscription"
importd_expect 200 "$(importd_curl GET "$S/resourceGroups/rg2$P/jobs")"
[ "$($J get $T/resp /value/0/name)" = other1 ] || fail "list by group"
if $J get "$T/resp" /value/1 >/dev/null 2>&1; then fail "group filter"; fi
names=""
url="$S/resourceGroups/rg$P/jobs?api-version=2021-01-01&\$top=2"
pages=0
while [ -n "$url" ]; do
	importd_expect 200 "$(importd_curl GET "$url")"
	pages=$((pages + 1))
	for i in 0 1; do
		n=$($J get "$T/resp" /value/$i/name 2>/dev/null) && names="$names $n"
	done
	url=$($J get "$T/resp" /nextLink 2>/dev/null | sed "s|^$DS_IMPORTD_URL||") || url=""
	[ $pages -lt 10 ] || fail "paging does not end"
done
[ "$names" = " page1 page2 page3 page4 page5" ] || fail "paged: $names"
[ $pages = 3 ] || fail "pages: $pages"
importd_expect 400 "$(importd_curl GET "$S$P/jobs?api-version=2021-01-01&\$top=101")" InvalidParameter
importd_expect 400 "$(importd_curl GET "$S$P/jobs?api-version=2021-01-01&\$top=0")" InvalidParameter
importd_expect 200 "$(importd_curl GET "$S$P/jobs?api-version=2021-01-01&\$filter=state%20eq%20'Creating'")"
[ "$($J get $T/resp /value/5/name)" = other1 ] || fail "filter"
importd_expect 400 "$(importd_curl GET "$S$P/jobs?api-version=2021-01-01&\$filter=name%20eq%20'x'")" InvalidParameter

# Italian messages on request.
IMPORTD_CURL_OPTS="-H Accept-Language:it-IT" 
export IMPORTD_CURL_OPTS
if locale -a 2>/dev/null | grep -qi '^it_IT\.utf-\?8$'; then
	importd_expect 404 "$(importd_curl GET "$(importd_job_path nosuch)")" ResourceNotFound
	grep_q "$T/resp" "non "
fi
ok "importd operations"
