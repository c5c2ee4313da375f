#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: killed with SIGKILL while it creates jobs, restarted on the same
# port: every job it acknowledged is there and whole, the database is
# sound, and the flow goes on (ship the job).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
J=$top_builddir/tests/api/importd-json

importd_init
importd_start
importd_subscription dave
importd_job_body "$T/b.json" 2
importd_expect 201 "$(importd_curl PUT "$(importd_job_path first)" "$T/b.json")"

# A writer that creates jobs one after another; record what it was told.
: >"$T/acks"
(
	i=1
	while [ $i -le 400 ]; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
		    --max-time 10 --cacert "$DS_IMPORTD_CA" \
		    --cert "$DS_IMPORTD_CERT" --key "$DS_IMPORTD_KEY" \
		    -H 'Content-Type: application/json' \
		    --data-binary @"$T/b.json" \
		    "$DS_IMPORTD_URL$(importd_job_path "crash-$i")?api-version=2021-01-01")
		echo "crash-$i $code" >>"$T/acks"
		[ "$code" = 201 ] || break
		i=$((i + 1))
	done
) &
writer=$!
ds_at_exit "kill $writer 2>/dev/null"
n=0
until [ "$(grep -c ' 201$' "$T/acks")" -ge 20 ]; do
	n=$((n + 1))
	[ $n -lt 600 ] && ! grep -qv " 201$" "$T/acks" ||
	    { cat "$T/acks" >&2; fail "the writer made no progress"; }
	sleep 0.05
done
importd_kill9
wait $writer
acked=$(grep -c ' 201$' "$T/acks")
grep -qv ' 201$' "$T/acks" || fail "the writer was not interrupted"

importd_start
importd_expect 200 "$(importd_curl GET "$(importd_job_path first)")"
for j in $(sed -n 's/ 201$//p' "$T/acks"); do
	importd_expect 200 "$(importd_curl GET "$(importd_job_path "$j")")"
	[ "$($J get $T/resp /properties/driveList/1/driveId)" = SER2 ] || fail "$j is not whole"
done
# The interrupted one is either absent or whole.
last=$(sed -n '$s/ .*//p' "$T/acks")
code=$(importd_curl GET "$(importd_job_path "$last")")
case $code in
404) ;;
200) [ "$($J get $T/resp /properties/driveList/1/driveId)" = SER2 ] || fail "$last is half made";;
*) fail "$last: HTTP $code";;
esac
if command -v sqlite3 >/dev/null; then
	[ "$(sqlite3 "$DS_IMPORTD_DIR/importd.db" 'PRAGMA integrity_check')" = ok ] ||
	    fail "database integrity"
	[ "$(sqlite3 "$DS_IMPORTD_DIR/importd.db" 'PRAGMA journal_mode')" = wal ] ||
	    fail "not WAL"
fi

# The flow goes on after the restart.
echo "{\"properties\":{\"state\":\"Shipping\",$IMPORTD_RETURN,$(importd_package CRASH-1 2)}}" >"$T/p.json"
importd_expect 200 "$(importd_curl PATCH "$(importd_job_path first)" "$T/p.json")"
importd_kill9
importd_start
importd_expect 200 "$(importd_curl GET "$(importd_job_path first)")"
[ "$($J get $T/resp /properties/state)" = Shipping ] || fail "state lost"
ok "importd survives kill -9 ($acked jobs acknowledged before the kill)"
