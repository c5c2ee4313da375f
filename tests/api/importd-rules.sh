#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: each rule of spec/importexport/NOTES.md, through the API.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
J=$top_builddir/tests/api/importd-json
P=/providers/Microsoft.ImportExport

importd_init
importd_start
importd_subscription carol
put() { importd_curl PUT "$(importd_job_path "$1" ${3:-})" "$2"; }
patch() { echo "$2" >"$T/p.json"; importd_curl PATCH "$(importd_job_path "$1")" "$T/p.json"; }

# 1 to 10 drives.
importd_job_body "$T/b.json" 0
importd_expect 400 "$(put zero "$T/b.json")" InvalidParameter
importd_job_body "$T/b.json" 11
importd_expect 400 "$(put eleven "$T/b.json")" InvalidParameter
grep_q "$T/resp" '"target":"properties.driveList"'
importd_job_body "$T/b.json" 10
importd_expect 201 "$(put ten "$T/b.json")"
[ "$($J get $T/resp /properties/driveList/9/driveId)" = SER10 ] || fail "10 drives"
# Drives: distinct ids without spaces, and the required fields.
sed 's/"SER2"/"SER1"/' "$T/b.json" >"$T/c.json"
importd_expect 400 "$(put twice "$T/c.json")" InvalidParameter
sed 's/"SER2"/"SER 2"/' "$T/b.json" >"$T/c.json"
importd_expect 400 "$(put spaced "$T/c.json")" InvalidParameter
sed 's/"bitLockerKey":"key-SER3",//' "$T/b.json" >"$T/c.json"
importd_expect 400 "$(put nokey "$T/c.json")" MissingRequiredProperty
grep_q "$T/resp" '"target":"properties.driveList\[2\].bitLockerKey"'

# Required fields of the job and of its addresses.
importd_job_body "$T/b.json" 1
sed 's/"location":"West US",//' "$T/b.json" >"$T/c.json"
importd_expect 400 "$(put noloc "$T/c.json")" MissingRequiredProperty
sed 's/"jobType":"Import",//' "$T/b.json" >"$T/c.json"
importd_expect 400 "$(put notype "$T/c.json")" MissingRequiredProperty
sed 's/"storageAccountId":"[^"]*",//' "$T/b.json" >"$T/c.json"
importd_expect 400 "$(put noacct "$T/c.json")" MissingRequiredProperty
sed 's/,"driveList":\[.*\]//' "$T/b.json" >"$T/c.json"
importd_expect 400 "$(put nodrives "$T/c.json")" MissingRequiredProperty
importd_job_body "$T/c.json" 1 "$(echo "$IMPORTD_RETURN" | sed 's/"email":"[^"]*"//; s/,}/}/')"
importd_expect 400 "$(put noemail "$T/c.json")" MissingRequiredProperty
grep_q "$T/resp" '"target":"properties.returnAddress.email"'
importd_job_body "$T/c.json" 1 '"returnShipping":{"carrierName":"FedEx"}'
importd_expect 400 "$(put noaccount "$T/c.json")" MissingRequiredProperty
importd_job_body "$T/c.json" 1 '"deliveryPackage":{"carrierName":"FedEx"}'
importd_expect 400 "$(put notrack "$T/c.json")" MissingRequiredProperty
importd_job_body "$T/c.json" 1 "$(importd_package T-DHL 1 | sed 's/FedEx/DHL/')"
importd_expect 400 "$(put badcarrier "$T/c.json")" InvalidParameter
importd_job_body "$T/c.json" 1 "$(importd_package T-CNT 3)"
importd_expect 400 "$(put badcount "$T/c.json")" InvalidParameter
printf '{"location": "West US", "properties": {' >"$T/c.json"
importd_expect 400 "$(put broken "$T/c.json")" InvalidRequestContent
echo '[1,2]' >"$T/c.json"
importd_expect 400 "$(put array "$T/c.json")" InvalidRequestContent

# Names: job, resource group, subscription, storage account, container.
importd_expect 400 "$(put MyJob "$T/b.json")" InvalidResourceName
importd_expect 400 "$(put 1job "$T/b.json")" InvalidResourceName
importd_expect 400 "$(put job_x "$T/b.json")" InvalidResourceName
importd_expect 400 "$(put okname "$T/b.json" 'bad%21rg')" InvalidResourceName
importd_expect 400 "$(importd_curl GET "/subscriptions/not-a-guid/resourceGroups/rg$P/jobs/okname")" InvalidSubscriptionId
for acct in Bad_Name ab abcdefghijklmnopqrstuvwxy UPPER; do
	sed "s|/storageAccounts/$DS_IMPORTD_ACCOUNT|/storageAccounts/$acct|" "$T/b.json" >"$T/c.json"
	importd_expect 400 "$(put acct "$T/c.json")" InvalidParameter
	grep_q "$T/resp" '"target":"properties.storageAccountId"'
done
# An account the service does not have is answered as one of another
# tenant's (tests/api/importd-tenants.sh): nothing tells them apart.
sed "s|/storageAccounts/$DS_IMPORTD_ACCOUNT|/storageAccounts/unknownacct|" "$T/b.json" >"$T/c.json"
importd_expect 403 "$(put acct "$T/c.json")" AuthorizationFailed
grep_q "$T/resp" '"target":"properties.storageAccountId"'
# A container tag receive could not use is refused when the job is made.
for c in bad--name -bad ab; do
	importd_job_body "$T/c.json" 1
	sed "s|^{|{\"tags\":{\"container\":\"$c\"},|" "$T/c.json" >"$T/d.json"
	importd_expect 400 "$(put ctag "$T/d.json")" InvalidParameter
	grep_q "$T/resp" '"target":"tags.container"'
done
for c in Bad bad--name -bad ab; do
	importd_job_body "$T/c.json" 1 "\"diagnosticsPath\":\"$c\""
	importd_expect 400 "$(put diag "$T/c.json")" InvalidParameter
	grep_q "$T/resp" '"target":"properties.diagnosticsPath"'
done
importd_job_body "$T/c.json" 1 '"diagnosticsPath":"my-logs-1"'
importd_expect 201 "$(put diag "$T/c.json")"

# PATCH: only the allowed fields.
importd_expect 201 "$(put job1 "$T/b.json")"
importd_expect 400 "$(patch job1 '{"properties":{"jobType":"Export"}}')" PropertyNotUpdatable
importd_expect 400 "$(patch job1 '{"location":"Australia East"}')" PropertyNotUpdatable
importd_expect 400 "$(patch job1 '{"properties":{"storageAccountId":"x"}}')" PropertyNotUpdatable
importd_expect 200 "$(patch job1 '{"properties":{"state":"","logLevel":"Verbose","backupDriveManifest":true}}')"
[ "$($J get $T/resp /properties/logLevel)" = Verbose ] || fail "logLevel"
importd_expect 400 "$(patch job1 '{"properties":{"logLevel":"Loud"}}')" InvalidParameter

# state: only Shipping, and only with a return address and a package.
importd_expect 400 "$(patch job1 '{"properties":{"state":"Received"}}')" InvalidParameter
importd_expect 400 "$(patch job1 '{"properties":{"state":"Shipping"}}')" MissingRequiredProperty
importd_expect 200 "$(patch job1 "{\"properties\":{$IMPORTD_RETURN}}")"
importd_expect 400 "$(patch job1 '{"properties":{"state":"Shipping"}}')" MissingRequiredProperty
grep_q "$T/resp" '"target":"properties.deliveryPackage"'
importd_expect 200 "$(patch job1 "{\"properties\":{\"state\":\"Shipping\",$(importd_package TRK-A 1)}}")"
[ "$($J get $T/resp /properties/state)" = Shipping ] || fail "Shipping"

# Tracking numbers are unique across jobs (case aside).
importd_job_body "$T/c.json" 1 "$(importd_package trk-a 1)"
importd_expect 409 "$(put job2 "$T/c.json")" DuplicateTrackingNumber
importd_expect 201 "$(put job2 "$T/b.json")"
importd_expect 409 "$(patch job2 "{\"properties\":{$(importd_package TRK-A 1)}}")" DuplicateTrackingNumber
importd_expect 200 "$(patch job2 "{\"properties\":{$(importd_package TRK-B 1)}}")"

# In Shipping: no new drive list, no replacing PUT, no delete.
importd_expect 409 "$(patch job1 '{"properties":{"driveList":[]}}')" InvalidJobState
importd_expect 409 "$(put job1 "$T/b.json")" InvalidJobState
importd_expect 409 "$(importd_curl DELETE "$(importd_job_path job1)")" InvalidJobState

# Cancel: true only; allowed until Shipping, not after.
importd_expect 400 "$(patch job2 '{"properties":{"cancelRequested":false}}')" InvalidParameter
importd_job_state job1 Received
importd_expect 409 "$(patch job1 '{"properties":{"cancelRequested":true}}')" InvalidJobState
importd_expect 409 "$(patch job1 '{"properties":{"logLevel":"Error"}}')" InvalidJobState
importd_expect 200 "$(patch job1 '{"tags":{"k":"v"}}')"
importd_expect 200 "$(patch job2 '{"properties":{"cancelRequested":true}}')"
[ "$($J get $T/resp /properties/state)" = Canceled ] || fail "Canceled"
[ "$($J get $T/resp /properties/cancelRequested)" = true ] || fail "cancelRequested"

# Delete: only in Creating or Completed.
importd_expect 409 "$(importd_curl DELETE "$(importd_job_path job2)")" InvalidJobState
importd_expect 409 "$(importd_curl DELETE "$(importd_job_path job1)")" InvalidJobState
importd_job_state job1 Transferring
importd_job_state job1 Completed
importd_expect 200 "$(importd_curl DELETE "$(importd_job_path job1)")"
importd_expect 200 "$(importd_curl DELETE "$(importd_job_path ten)")"
ok "importd rules"
