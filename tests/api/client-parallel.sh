#!/bin/sh
# 50 clients at once, each creating a job and reading it back with
# diskseed: no errors and no lost job.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
client_setup
"$DISKSEED" settings set retries 4 || fail "settings set retries"
N=50

client() {
	"$MKJOB" "pjob-$1" 1 "$DS_IMPORTD_ACCOUNT" "$DS_IMPORTD_LOCATION" &&
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
ok "parallel"
