#!/bin/sh
# SPDX-License-Identifier: MIT
# 50 diskseed processes at once, each creating a job (diskseed job
# create) and reading it back (job show, status): no errors, no lost
# job. The drives come from one real prep; the other 49 jobs get a copy
# of its record (jobs/<job>/drives.json, as ds_prepared_load reads it).
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
client_setup
"$DISKSEED" settings set retries 4 || fail "settings set retries"
N=50

mkdir -p "$T/stage"
echo data > "$T/stage/file"
mkimage "$T/d.img" 32M
"$DISKSEED" prep --staging "$T/stage" --job pjob-1 --drive "$T/d.img" \
	--confirm d.img -q >"$T/prep.out" 2>&1 || { cat "$T/prep.out" >&2; fail prep; }
J=$T/state/diskseed/jobs
i=2
while [ $i -le $N ]; do
	mkdir -p "$J/pjob-$i"
	(umask 077; sed "s/\"pjob-1\"/\"pjob-$i\"/" "$J/pjob-1/drives.json" \
		> "$J/pjob-$i/drives.json")
	i=$((i + 1))
done

client() {
	"$DISKSEED" job create --job "pjob-$1" --location "$DS_IMPORTD_LOCATION" \
		--storage-account "$DS_IMPORTD_ACCOUNT" &&
	"$DISKSEED" job show --job "pjob-$1" &&
	"$DISKSEED" status --job "pjob-$1" --json
}
t0=$(now_ms)
i=1
while [ $i -le $N ]; do
	client $i >"$T/c$i.out" 2>"$T/c$i.err" &
	eval "pid$i=\$!"
	i=$((i + 1))
done
bad=0
i=1
while [ $i -le $N ]; do
	eval "wait \$pid$i" || { bad=$((bad + 1)); cat "$T/c$i.err" >&2; }
	grep -q "State: *Creating" "$T/c$i.out" || bad=$((bad + 1))
	i=$((i + 1))
done
echo "$N clients: $(( $(now_ms) - t0 )) ms"
[ $bad = 0 ] || fail "$bad of $N clients failed"

expect_rc 0 "$DISKSEED" job list
n=$(grep -c "^pjob-" "$T/out")
[ "$n" = $N ] || fail "$n jobs listed, $N created"
# The same through pages of 7 (nextLink followed to the end).
expect_rc 0 env DISKSEED_TEST_PAGE_SIZE=7 "$DISKSEED" job list
n=$(grep -c "^pjob-" "$T/out")
[ "$n" = $N ] || fail "$n jobs listed by pages of 7, $N created"
[ "$(sort -u "$T/out" | grep -c "^pjob-")" = $N ] || fail "a job listed twice"
ok "parallel"
