#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: 50 clients at once, each creating, reading and updating its
# own jobs: no error, no lost job, no lost update.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
J=$top_builddir/tests/api/importd-json
CLIENTS=50 JOBS=3

importd_init
importd_start
importd_subscription erin
importd_job_body "$T/b.json" 1

client() {
	c=$1 k=1
	while [ $k -le $JOBS ]; do
		name=par-$c-$k
		path=$(importd_job_path "$name")?api-version=2021-01-01
		opts="-s --max-time 60 --cacert $DS_IMPORTD_CA --cert $DS_IMPORTD_CERT --key $DS_IMPORTD_KEY"
		code=$(curl $opts -o "$T/c$c.put" -w '%{http_code}' -X PUT \
		    -H 'Content-Type: application/json' \
		    --data-binary @"$T/b.json" "$DS_IMPORTD_URL$path")
		echo "$name PUT $code"
		code=$(curl $opts -o "$T/c$c.get" -w '%{http_code}' \
		    "$DS_IMPORTD_URL$path")
		grep -q "\"name\":\"$name\"" "$T/c$c.get" || code="$code-wrong-body"
		echo "$name GET $code"
		echo "{\"properties\":{\"deliveryPackage\":{\"carrierName\":\"FedEx\",\"trackingNumber\":\"T-$name\"}}}" >"$T/c$c.patch"
		code=$(curl $opts -o /dev/null -w '%{http_code}' -X PATCH \
		    --data-binary @"$T/c$c.patch" "$DS_IMPORTD_URL$path")
		echo "$name PATCH $code"
		code=$(curl $opts -o /dev/null -w '%{http_code}' \
		    "$DS_IMPORTD_URL/subscriptions/$DS_IMPORTD_SUBSCRIPTION/providers/Microsoft.ImportExport/jobs?api-version=2021-01-01&\$top=5")
		echo "$name LIST $code"
		k=$((k + 1))
	done >"$T/client-$c.out" 2>&1
}

start=$(date +%s)
c=1
pids=""
while [ $c -le $CLIENTS ]; do
	client $c &
	pids="$pids $!"
	c=$((c + 1))
done
for p in $pids; do wait "$p"; done
elapsed=$(( $(date +%s) - start ))
cat "$T"/client-*.out >"$T/all"
total=$(wc -l <"$T/all")
[ "$total" -eq $((CLIENTS * JOBS * 4)) ] || fail "$total answers"
bad=$(grep -Ev ' (PUT 201|GET 200|PATCH 200|LIST 200)$' "$T/all" || true)
[ -z "$bad" ] || fail "errors under load: $(echo "$bad" | head -5)"

# Every job is there once, with its tracking number.
names=""
url="/subscriptions/$DS_IMPORTD_SUBSCRIPTION/providers/Microsoft.ImportExport/jobs?api-version=2021-01-01&\$top=100"
while [ -n "$url" ]; do
	importd_expect 200 "$(importd_curl GET "$url")"
	i=0
	while n=$($J get "$T/resp" /value/$i/name 2>/dev/null); do
		t=$($J get "$T/resp" /value/$i/properties/deliveryPackage/trackingNumber)
		[ "$t" = "T-$n" ] || fail "$n: lost update ($t)"
		echo "$n" >>"$T/names"
		i=$((i + 1))
	done
	url=$($J get "$T/resp" /nextLink 2>/dev/null | sed "s|^$DS_IMPORTD_URL||") || url=""
done
[ "$(sort -u "$T/names" | wc -l)" -eq $((CLIENTS * JOBS)) ] || fail "jobs lost"
[ "$(wc -l <"$T/names")" -eq $((CLIENTS * JOBS)) ] || fail "jobs listed twice"
kill -0 "$DS_IMPORTD_PID" || fail "importd died"
ok "importd: $CLIENTS parallel clients, $total requests in ${elapsed}s, no error, no lost job"
