#!/bin/sh
# SPDX-License-Identifier: MIT
# Settings hardening (issue 13): a CA file that is not a PEM certificate
# is refused at once; a PKCS#12 asking for millions of key-derivation
# iterations is refused instead of keeping settings import busy; an
# upper-case subscription id works in the requests the client builds.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
client_setup

# Not PEM: a DER certificate, and plain text.
openssl x509 -in "$DS_IMPORTD_CA" -outform DER -out "$T/ca.der" ||
    fail "openssl x509 -outform DER"
echo "not a certificate" > "$T/ca.txt"
for f in "$T/ca.der" "$T/ca.txt"; do
	expect_rc 1 "$DISKSEED" settings import "$DS_IMPORTD_PUBLISHSETTINGS" \
	    --ca-file "$f"
	grep_q "$T/err" "$f holds no PEM certificate"
	expect_rc 1 "$DISKSEED" settings set ca-file "$f"
	grep_q "$T/err" "holds no PEM certificate"
done
expect_rc 0 "$DISKSEED" settings show
grep_q "$T/out" "CA file: +$DS_IMPORTD_CA"
ok "a CA file that is not PEM is refused"

# 2 000 000 iterations (the cap is 1 000 000): refused, and at once.
mkmgmt slow 30
openssl pkcs12 -export -inkey "$T/slow.key" -in "$T/slow.pem" -passout pass: \
    -iter 2000000 -out "$T/slow.p12" 2>/dev/null || fail "pkcs12 -iter"
base64 -w0 "$T/slow.p12" > "$T/slow.p12b64"
mkpublish2 "$T/slow.publishsettings" https://127.0.0.1:1 \
    "0b1c2d3e-0000-4000-8000-000000000001:Slow:slow"
start=$(now_ms)
expect_rc 1 "$DISKSEED" settings import "$T/slow.publishsettings"
took=$(( $(now_ms) - start ))
grep_q "$T/err" "asks for 2000000 key-derivation iterations; at most 1000000"
echo "# refused in $took ms"
ok "a PKCS#12 with too many iterations is refused"

# The same subscription, its id in upper case in the publish settings.
up=$(echo "$DS_IMPORTD_SUBSCRIPTION" | tr a-f A-F)
[ "$up" != "$DS_IMPORTD_SUBSCRIPTION" ] || fail "no letter in the id"
sed "s/Id=\"$DS_IMPORTD_SUBSCRIPTION\"/Id=\"$up\"/" \
    "$DS_IMPORTD_PUBLISHSETTINGS" > "$T/upper.publishsettings"
grep -q "Id=\"$up\"" "$T/upper.publishsettings" || fail "sed"
expect_rc 0 "$DISKSEED" settings import "$T/upper.publishsettings" \
    --ca-file "$DS_IMPORTD_CA"
expect_rc 0 "$DISKSEED" job list
expect_rc 0 "$DISKSEED" locations
ok "an upper-case subscription id works"
