#!/bin/sh
# The whole happy path through the wizard, with loop devices over image
# files and a diskseed-importd started here: settings -> staging ->
# drive -> typed identifier -> copy spanning two drives with the
# next-drive prompt -> verify -> keys -> job -> address -> shipping ->
# review "Yes" -> stored path. Then 'diskseed status' shows the job
# Shipping and the drives restore identical to the staging folder.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v expect >/dev/null || skip "expect not installed"
[ "$(id -u)" = 0 ] || skip "loop devices need root"
. "$top_srcdir/tests/wizard/loops.sh"

importd_init
importd_start
importd_subscription alice
mkdir -p "$T/staging/sub"
head -c 30M /dev/urandom >"$T/staging/big.bin"
head -c 6M /dev/urandom >"$T/staging/sub/mid.bin"
echo hello >"$T/staging/hello.txt"
ln -s hello.txt "$T/staging/link"
L1=$(mkloop "$T/d1.img" 40M)
L2=$(mkloop "$T/d2.img" 40M)
export PS="$DS_IMPORTD_PUBLISHSETTINGS" CA="$DS_IMPORTD_CA" L1 L2
export STAGING="$T/staging" DISKSEED_DRIVE_MIN_SIZE=1M
expect -f "$top_srcdir/tests/wizard/happy.exp" || fail "happy.exp"

expect_rc 0 "$DISKSEED" status --job seedjob
grep_q "$T/out" "Shipping"
[ -s "$T/state/diskseed/jobs/seedjob/shipping.json" ] || fail "no shipping.json"
expect_rc 0 "$DISKSEED" restore --to "$T/restored" "$L2" "$L1"
diff -r "$T/staging" "$T/restored" >&2 || fail "restored files differ"
ok "happy path"
