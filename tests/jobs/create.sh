#!/bin/sh
# SPDX-License-Identifier: MIT
# The job record through job create and cancel: a Jobs_Create rejection
# (a storage account that does not exist) leaves the job editable, the
# correction given to job create is stored and used, and the fields are
# fixed once the job is created; a job in Shipping is not canceled (the
# client refuses before any PATCH).
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
client_setup

R=$XDG_STATE_HOME/diskseed/jobs/fixjob/job.json
mkdir "$T/st"
echo data > "$T/st/f"
mkimage "$T/fix.img" 32M
expect_rc 0 "$DISKSEED" prep --staging "$T/st" --job fixjob \
    --drive "$T/fix.img" --confirm fix.img -q
grep_q "$R" '"state": "prepared"'

expect_rc 6 "$DISKSEED" job create --job fixjob --storage-account nosuchaccount \
    --location "$DS_IMPORTD_LOCATION" --container backups
grep_q "$T/err" "nosuchaccount"
grep_q "$R" '"state": "prepared"'
grep_q "$R" '"storageAccount": "nosuchaccount"'
grep_q "$R" '"container": "backups"'
ok "a rejected create leaves the job prepared, the fields stored"

# The correction alone: location and container come from the record.
expect_rc 0 "$DISKSEED" job create --job fixjob \
    --storage-account "$DS_IMPORTD_ACCOUNT"
grep_q "$T/out" "Created import job fixjob"
grep_q "$R" '"state": "created"'
grep_q "$R" "\"storageAccount\": \"$DS_IMPORTD_ACCOUNT\""
expect_rc 0 "$DISKSEED" job show --job fixjob --json
grep_q "$T/out" "storageAccounts/$DS_IMPORTD_ACCOUNT\""
ok "the corrected account is stored and used"

expect_rc 5 "$DISKSEED" job create --job fixjob --storage-account otheraccount
grep_q "$T/err" "job fixjob is created at the service: its details can no longer change"
grep_q "$R" "\"storageAccount\": \"$DS_IMPORTD_ACCOUNT\""
ok "fields fixed once created"

# Cancel: refused from Shipping on, by the client.
importd_job_state fixjob Shipping --force
expect_rc 5 "$DISKSEED" job cancel --job fixjob
grep_q "$T/err" "job fixjob is Shipping at the service: a job can be canceled only before it ships"
if grep -q "409" "$T/err"; then fail "the PATCH was sent"; fi
grep_q "$R" '"state": "shipping"'
expect_rc 0 "$DISKSEED" job show --job fixjob --json
if grep -q '"cancelRequested": true' "$T/out"; then fail "canceled"; fi
ok "cancel refused in Shipping"
