#!/bin/sh
# SPDX-License-Identifier: MIT
# Job identity in the wizard (issue 13, paths 1, 2, 4 and 7), with a
# diskseed-importd and loop devices:
# - an empty staging folder is refused before any drive;
# - a name another job has (otherjob, prepared by the CLI) is refused,
#   with that job and its state;
# - the drive holding otherjob (not finished) says so on the drive list
#   and the confirm screen, and needs otherjob typed as well: a wrong
#   name writes nothing; Esc keeps the drive chosen; the right name
#   formats it for the new job;
# - a folder used before offers to continue its job, and a new name
#   typed there makes a new job (not the old one's keys);
# - a storage account the service refuses at Jobs_Create is asked for
#   again on the job screen, and the correction kept (path 3).
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/wizard/setup.sh"
wiz_setup
mkdir -p "$T/empty" "$T/small" "$T/other" "$T/acct"
echo acct >"$T/acct/a.txt"
head -c 1M /dev/urandom >"$T/small/one.bin"
echo other >"$T/other/o.txt"
expect_rc 0 "$DISKSEED" prep -q --staging "$T/other" --job otherjob \
    --drive "$L2" --confirm "$(basename "$L2")"
expect_rc 0 "$DISKSEED" inspect "$L2"
grep_q "$T/out" "otherjob"
EMPTY=$T/empty SMALL=$T/small ACCT=$T/acct
export EMPTY SMALL ACCT
expect -f "$top_srcdir/tests/wizard/jobs-run.exp" || fail "jobs.exp"
# The drive now holds the new job.
expect_rc 0 "$DISKSEED" inspect "$L2"
grep_q "$T/out" "newjob"
# The corrected account is the job's, locally and at the service.
grep_q "$T/state/diskseed/jobs/acctjob/job.json" '"storageAccount": "devstoreaccount1"'
expect_rc 0 "$DISKSEED" status --job acctjob
ok "job identity in the wizard"
