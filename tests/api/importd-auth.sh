#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: mutual TLS. No certificate, a certificate of another CA, an
# expired one, one the CA signed but nobody registered, and another
# subscription's: all 403 AuthenticationFailed. add-cert registers one.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
command -v openssl >/dev/null || skip "openssl not installed"
P=/providers/Microsoft.ImportExport

importd_init
importd_start
importd_subscription bob
BOB=$DS_IMPORTD_SUBSCRIPTION BOB_CERT=$DS_IMPORTD_CERT BOB_KEY=$DS_IMPORTD_KEY
importd_subscription alice
ALICE=$DS_IMPORTD_SUBSCRIPTION

# The .publishsettings file: private, schema 2.0, the running server's URL.
[ "$(stat -c %a "$DS_IMPORTD_PUBLISHSETTINGS")" = 600 ] || fail "publishsettings mode"
grep_q "$DS_IMPORTD_PUBLISHSETTINGS" 'SchemaVersion="2.0"'
grep_q "$DS_IMPORTD_PUBLISHSETTINGS" "ServiceManagementUrl=\"$DS_IMPORTD_URL\""
for f in ca.key server.key importd.conf importd.db; do
	[ "$(stat -c %a "$DS_IMPORTD_DIR/$f")" = 600 ] || fail "$f is not 0600"
done

importd_expect 200 "$(importd_curl GET $P/locations)"
importd_job_body "$T/job.json"
importd_expect 201 "$(importd_curl PUT "$(importd_job_path aj1)" "$T/job.json")"

# No certificate at all.
code=$(curl -s -o "$T/resp" -w '%{http_code}' --cacert "$DS_IMPORTD_CA" \
    "$DS_IMPORTD_URL$P/locations?api-version=2021-01-01")
importd_expect 403 "$code" AuthenticationFailed

# Alice's certificate on Bob's subscription (and Bob's on Alice's job).
importd_expect 403 "$(importd_curl GET "/subscriptions/$BOB$P/jobs")" AuthenticationFailed
importd_expect 403 "$(IMPORTD_CURL_OPTS="--cert $BOB_CERT --key $BOB_KEY" \
    importd_curl GET "$(importd_job_path aj1)")" AuthenticationFailed
importd_expect 200 "$(IMPORTD_CURL_OPTS="--cert $BOB_CERT --key $BOB_KEY" \
    importd_curl GET "/subscriptions/$BOB$P/jobs")"

# A certificate of another CA, with the same subject.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/rogue.key" -out "$T/rogue.crt" -days 30 \
    -subj "/O=diskseed-importd/CN=alice ($ALICE)" 2>/dev/null || fail "openssl req"
importd_expect 403 "$(IMPORTD_CURL_OPTS="--cert $T/rogue.crt --key $T/rogue.key" \
    importd_curl GET "$(importd_job_path aj1)")" AuthenticationFailed
# ... even when registered: it is not signed by the service's CA.
expect_rc 0 "$DISKSEED_IMPORTD" subscription add-cert --dir "$DS_IMPORTD_DIR" --id "$ALICE" "$T/rogue.crt"
importd_expect 403 "$(IMPORTD_CURL_OPTS="--cert $T/rogue.crt --key $T/rogue.key" \
    importd_curl GET "$(importd_job_path aj1)")" AuthenticationFailed

# Signed by the CA but registered for no subscription; then registered.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/new.key" -out "$T/new.csr" -subj "/CN=new" 2>/dev/null || fail "csr"
printf 'extendedKeyUsage=clientAuth\n' >"$T/ext"
openssl x509 -req -in "$T/new.csr" -CA "$DS_IMPORTD_CA" \
    -CAkey "$DS_IMPORTD_DIR/ca.key" -CAcreateserial -days 30 \
    -extfile "$T/ext" -out "$T/new.crt" 2>/dev/null || fail "sign"
rm -f "$DS_IMPORTD_DIR/ca.srl"
importd_expect 403 "$(IMPORTD_CURL_OPTS="--cert $T/new.crt --key $T/new.key" \
    importd_curl GET "$(importd_job_path aj1)")" AuthenticationFailed
importd_expect 403 "$(IMPORTD_CURL_OPTS="--cert $T/new.crt --key $T/new.key" \
    importd_curl GET "$P/locations")" AuthenticationFailed
expect_rc 0 "$DISKSEED_IMPORTD" subscription add-cert --dir "$DS_IMPORTD_DIR" --id "$ALICE" "$T/new.crt"
importd_expect 200 "$(IMPORTD_CURL_OPTS="--cert $T/new.crt --key $T/new.key" \
    importd_curl GET "$(importd_job_path aj1)")"
# ... and unregistered again (by file here, by fingerprint below).
expect_rc 0 "$DISKSEED_IMPORTD" subscription remove-cert --dir "$DS_IMPORTD_DIR" --id "$ALICE" "$T/new.crt"
importd_expect 403 "$(IMPORTD_CURL_OPTS="--cert $T/new.crt --key $T/new.key" \
    importd_curl GET "$(importd_job_path aj1)")" AuthenticationFailed
expect_rc 1 "$DISKSEED_IMPORTD" subscription remove-cert --dir "$DS_IMPORTD_DIR" --id "$ALICE" "$T/new.crt"
expect_rc 0 "$DISKSEED_IMPORTD" subscription add-cert --dir "$DS_IMPORTD_DIR" --id "$ALICE" "$T/new.crt"
fpr=$(openssl x509 -in "$T/new.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')
expect_rc 0 "$DISKSEED_IMPORTD" subscription remove-cert --dir "$DS_IMPORTD_DIR" --id "$ALICE" "$fpr"
expect_rc 0 "$DISKSEED_IMPORTD" subscription add-cert --dir "$DS_IMPORTD_DIR" --id "$ALICE" "$T/new.crt"

# An expired management certificate, registered for Alice.
"$DISKSEED_IMPORTD" subscription add --dir "$DS_IMPORTD_DIR" --id "$ALICE" \
    --days -1 --out "$T/old.publishsettings" old >/dev/null || fail "add --days -1"
importd_pem "$T/old.publishsettings" "$T/old"
importd_expect 403 "$(IMPORTD_CURL_OPTS="--cert $T/old.crt --key $T/old.key" \
    importd_curl GET "$(importd_job_path aj1)")" AuthenticationFailed
grep_q "$T/resp" "expired"

# The subscription list shows both, with their certificates.
expect_rc 0 "$DISKSEED_IMPORTD" subscription list --dir "$DS_IMPORTD_DIR"
grep_q "$T/out" "^$ALICE  alice  4$"
grep_q "$T/out" "^$BOB  bob  1$"
expect_rc 2 "$DISKSEED_IMPORTD" subscription add --dir "$DS_IMPORTD_DIR" --id not-a-guid x
ok "importd authentication"
