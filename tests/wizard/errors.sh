#!/bin/sh
# SPDX-License-Identifier: MIT
# What goes wrong, in the wizard: the staging folder missing, an
# ineligible (read-only) drive chosen, a wrong identifier typed (the
# drive is unchanged, by hash), the import service down when the job is
# created (save and quit), then up again (the job is created from the
# menu), and a tracking number another job uses (refused in place).
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/wizard/setup.sh"
[ "$(id -u)" = 0 ] || skip "loop devices need root"
importd_init
importd_start
importd_subscription alice
# Another job of the subscription already ships with tracking TRK-1.
importd_job_body "$T/other.json" 1 "$IMPORTD_RETURN"
st=$(importd_curl PUT "$(importd_job_path otherjob)" "$T/other.json")
[ "$st" = 200 ] || [ "$st" = 201 ] || { cat "$T/resp" >&2; fail "other job: $st"; }
printf '{"properties":{"state":"Shipping",%s}}\n' "$(importd_package TRK-1)" \
	>"$T/ship.json"
st=$(importd_curl PATCH "$(importd_job_path otherjob)" "$T/ship.json")
[ "$st" = 200 ] || { cat "$T/resp" >&2; fail "other job shipping: $st"; }

mkdir -p "$T/staging"
head -c 2M /dev/urandom >"$T/staging/small.bin"
mkloop L1 "$T/d1.img" 40M
truncate -s 40M "$T/ro.img"
LRO=$(losetup -r -f --show "$T/ro.img") || skip "losetup -r"
ds_at_exit "losetup -d $LRO"
before=$(sha "$L1")
export PS="$DS_IMPORTD_PUBLISHSETTINGS" CA="$DS_IMPORTD_CA" L1 LRO
export STAGING="$T/staging" DISKSEED_DRIVE_MIN_SIZE=1M

# Phase 1 runs with the service stopped (the location is typed).
importd_stop
PHASE=1 expect -f "$top_srcdir/tests/wizard/errors-run.exp" || fail "phase 1"
[ -s "$T/state/diskseed/jobs/errjob/drives.json" ] || fail "no drives kept"
importd_start
PHASE=2 expect -f "$top_srcdir/tests/wizard/errors-run.exp" || fail "phase 2"
expect_rc 0 "$DISKSEED" status --job errjob
grep_q "$T/out" "Shipping"
[ "$(sha "$L1")" != "$before" ] || fail "the drive was never written"
ok "errors"
