#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: each example of spec/importexport/2021-01-01/examples replayed
# against the service gives an answer of the same shape (the same keys,
# recursively, with the same JSON types; tests/api/importd-json shape).
#
# What is substituted, and why: the subscription id (the examples write
# xxxxxxxx-...), the storage account (ours must be configured), job names
# in lowercase (the portal's rule, which "myJob" breaks), the export
# examples' job "myJob" becomes "myexportjob" (GetExportJob reuses the
# import example's name). Where the examples disagree with each other,
# the key is named here and left out of the comparison:
#   - CreateExportJob/UpdateExportJob have no driveList, GetExportJob has
#     "driveList": [] (importd always answers the list);
#   - ListJobsInResourceGroup leaves out driveList, which GetJob and
#     ListJobsInSubscription show;
#   - ListJobsInSubscription's second job nests a systemData inside
#     properties.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
J=$top_builddir/tests/api/importd-json
EX=$top_srcdir/../shared/spec/importexport/2021-01-01/examples
[ -d "$EX" ] || EX=/work/shared/spec/importexport/2021-01-01/examples
[ -d "$EX" ] || skip "the spec's examples are not beside the tree"
P=/providers/Microsoft.ImportExport

importd_init
importd_start
importd_subscription grace
S=/subscriptions/$DS_IMPORTD_SUBSCRIPTION

subst() {
	sed -e "s/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/$DS_IMPORTD_SUBSCRIPTION/g" \
	    -e "s|/storageAccounts/[a-z0-9]*\"|/storageAccounts/$DS_IMPORTD_ACCOUNT\"|g"
}

# replay EXAMPLE METHOD PATH STATUS [IGNORE...]: sends the example's body
# (if any) and compares the answer with the example's answer STATUS.
replay() {
	ex=$1 m=$2 path=$3 st=$4
	shift 4
	body=""
	if $J get "$EX/$ex.json" /parameters/body >"$T/body.raw" 2>/dev/null; then
		subst <"$T/body.raw" >"$T/body.json"
		body=$T/body.json
	fi
	code=$(importd_curl "$m" "$path" $body)
	[ "$code" = "$st" ] || { cat "$T/resp" >&2; fail "$ex: HTTP $code, not $st"; }
	if $J get "$EX/$ex.json" "/responses/$st/body" >"$T/expected" 2>/dev/null; then
		$J shape "$T/expected" "$T/resp" "$@" ||
		    { cat "$T/resp" >&2; fail "$ex: not the example's shape"; }
	else
		[ ! -s "$T/resp" ] || fail "$ex: a body where the example has none"
	fi
	echo "replayed $ex ($m $st)"
}

JOB=$S/resourceGroups/myResourceGroup$P/jobs/myjob
EJOB=$S/resourceGroups/myResourceGroup$P/jobs/myexportjob

replay ListLocations GET "$P/locations" 200
replay GetLocation GET "$P/locations/West%20US" 200
replay ListOperations GET "$P/operations" 200
replay CreateJob PUT "$JOB" 201
replay CreateJob PUT "$JOB" 200
replay GetJob GET "$JOB" 200
replay UpdateJob PATCH "$JOB" 200
replay ListBitLockerKeys POST "$JOB/listBitLockerKeys" 200
replay CreateExportJob PUT "$EJOB" 201 /properties/driveList
replay CreateExportJob PUT "$EJOB" 200 /properties/driveList
replay GetExportJob GET "$EJOB" 200
replay UpdateExportJob PATCH "$EJOB" 200 /properties/driveList

# The listed job is Received with a delivery package.
echo "{\"properties\":{\"state\":\"Shipping\",$(importd_package 787895108176 1)}}" >"$T/p.json"
importd_expect 200 "$(importd_curl PATCH "$JOB" "$T/p.json")"
importd_job_state myjob Received
replay ListJobsInResourceGroup GET "$S/resourceGroups/myResourceGroup$P/jobs" 200 \
    '/value/*/properties/driveList'

replay DeleteJob DELETE "$EJOB" 200
importd_expect 404 "$(importd_curl GET "$EJOB")" ResourceNotFound

# ListJobsInSubscription, in a subscription of its own: a Received job,
# then one Transferring without a return shipping account.
importd_subscription heidi
S=/subscriptions/$DS_IMPORTD_SUBSCRIPTION
importd_job_body "$T/a.json" 1 "$IMPORTD_RETURN,\"logLevel\":\"Verbose\",$(importd_package 992016102507 1)" 7PHR882C
sed -i 's/,"driveHeaderHash":"[^"]*"//' "$T/a.json"
importd_expect 201 "$(importd_curl PUT "$(importd_job_path test-bn1-import-cpu100-01 testrg)" "$T/a.json")"
importd_job_state test-bn1-import-cpu100-01 Shipping
importd_job_state test-bn1-import-cpu100-01 Received
importd_drive_state test-bn1-import-cpu100-01 7PHR882C1 Received
sed -e 's/"returnShipping":{[^}]*}//; s/,,/,/' -e 's/992016102507/992016102508/' "$T/a.json" >"$T/b.json"
importd_expect 201 "$(importd_curl PUT "$(importd_job_path test-bn1-import-cpu100-02 testrg)" "$T/b.json")"
importd_job_state test-bn1-import-cpu100-02 Transferring --force --percent 6
importd_drive_state test-bn1-import-cpu100-02 7PHR882C1 CompletedMoreInfo \
    --copy-status InProgress --verbose-log https://x/v.xml \
    --error-log https://x/e.xml --manifest-uri https://x/m.xml
replay ListJobsInSubscription GET "$S$P/jobs" 200 /value/1/properties/systemData

ok "importd: every example replayed"
