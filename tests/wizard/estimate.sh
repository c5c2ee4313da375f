#!/bin/sh
# SPDX-License-Identifier: MIT
# The staging screen estimates how many of the attached drives the data
# needs, says it is an estimate, and warns above 10 drives (one import
# job holds at most 10). The size limits keep only this test's 1 MiB
# loop device eligible, whatever other tests attach meanwhile.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
. "$top_srcdir/tests/wizard/setup.sh"
[ "$(id -u)" = 0 ] || skip "loop devices need root"
mkdir -p "$T/staging" "$T/ps"
head -c 12M /dev/urandom >"$T/staging/data.bin"
mkloop L1 "$T/d1.img" 1M
mkmgmt good 30
mkpublish2 "$T/ps/one.publishsettings" https://127.0.0.1:1 \
	"0a1b2c3d-0000-4000-8000-00000000000a:Only:good"
DISKSEED_DRIVE_MIN_SIZE=512K
DISKSEED_DRIVE_MAX_SIZE=2M
export DISKSEED_DRIVE_MIN_SIZE DISKSEED_DRIVE_MAX_SIZE
export PS="$T/ps/one.publishsettings" STAGING="$T/staging" L1
expect -f "$top_srcdir/tests/wizard/estimate-run.exp" || fail "estimate"
ok "drive estimate"
