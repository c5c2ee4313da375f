#!/bin/sh
# SPDX-License-Identifier: MIT
# diskseed settings import: schema 1 and 2, several subscriptions, an
# expired or missing certificate, bad XML, an external entity (never
# loaded), and the private key kept private.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"

A=0a1b2c3d-0000-4000-8000-00000000000a
B=0A1B2C3D-0000-4000-8000-00000000000B
URL=https://127.0.0.1:1
mkmgmt good 30
mkmgmt other 30
mkmgmt old -1
ST=$T/config/diskseed

# Nothing imported yet: a clear message, not a crash.
expect_rc 1 "$DISKSEED" settings show
grep_q "$T/err" "settings import"

# Schema 2, two subscriptions: refuses to guess, lists them.
mkpublish2 "$T/two.publishsettings" "$URL" "$A:First:good" "$B:Second:other"
expect_rc 2 "$DISKSEED" settings import "$T/two.publishsettings"
grep_q "$T/err" "several subscriptions"
grep_q "$T/err" "$A"
grep_q "$T/err" "$B"
[ ! -e "$ST/settings.json" ] || fail "settings saved without a choice"

# Picked by id without regard to case.
lower_b=$(echo "$B" | tr 'A-Z' 'a-z')
expect_rc 0 "$DISKSEED" settings import "$T/two.publishsettings" \
	--subscription "$lower_b"
grep_q "$T/out" "Imported subscription $B \(Second\)"
grep_q "$T/out" "CN ?= ?other"
fp=$(openssl x509 -in "$T/other.pem" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')
grep_q "$T/out" "$fp"
grep_q "$T/out" "Valid until: +[0-9]{4}-"
no_secret_in "$T/out" "$T/err"

# Stored private: 0600 in a 0700 folder; cert and key match the file.
[ "$(stat -c %a "$ST/settings.json")" = 600 ] || fail "settings.json mode"
[ "$(stat -c %a "$ST")" = 700 ] || fail "configuration folder mode"
grep -q "PRIVATE KEY" "$ST/settings.json" || fail "no key stored"
expect_rc 0 "$DISKSEED" settings show
grep_q "$T/out" "$B"
grep_q "$T/out" "$URL"
no_secret_in "$T/out"

# A settings file others can read is refused, not used.
chmod 644 "$ST/settings.json"
expect_rc 1 "$DISKSEED" settings show
grep_q "$T/err" "readable by other users"
chmod 600 "$ST/settings.json"

# Unknown subscription.
expect_rc 2 "$DISKSEED" settings import "$T/two.publishsettings" \
	--subscription 11111111-2222-3333-4444-555555555555
grep_q "$T/err" "no such subscription"

# Schema 1: certificate and URL on the profile, several subscriptions.
mkpublish1 "$T/one.publishsettings" "$URL/" good "$A:Alpha" "$B:Beta"
expect_rc 0 "$DISKSEED" settings import "$T/one.publishsettings" \
	--subscription "$A"
grep_q "$T/out" "Imported subscription $A \(Alpha\)"
grep_q "$T/out" "CN ?= ?good"

# An old-style PKCS#12 (RSA, RC2-40 and 3DES, as older portals made).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rsa.key" \
	-out "$T/rsa.pem" -subj /CN=legacy -days 30 2>/dev/null || fail "rsa"
if openssl pkcs12 -export -legacy -inkey "$T/rsa.key" -in "$T/rsa.pem" \
	-passout pass: -out "$T/rsa.p12" 2>/dev/null; then
	base64 -w0 "$T/rsa.p12" > "$T/rsa.p12b64"
	mkpublish2 "$T/rsa.publishsettings" "$URL" "$A:Legacy:rsa"
	expect_rc 0 "$DISKSEED" settings import "$T/rsa.publishsettings"
	grep_q "$T/out" "CN ?= ?legacy"
fi

# Expired certificate: refused with the date; the old settings stay.
mkpublish2 "$T/old.publishsettings" "$URL" "$B:Old:old"
expect_rc 1 "$DISKSEED" settings import "$T/old.publishsettings"
grep_q "$T/err" "expired on [0-9]{4}-"
expect_rc 0 "$DISKSEED" settings show
grep_q "$T/out" "$A"

# Missing certificate.
sed 's/ ManagementCertificate="[^"]*"//' "$T/old.publishsettings" \
	> "$T/nocert.publishsettings"
expect_rc 1 "$DISKSEED" settings import "$T/nocert.publishsettings"
grep_q "$T/err" "no management certificate"

# A certificate that is not PKCS#12.
sed 's/ManagementCertificate="[^"]*"/ManagementCertificate="bm90IGEgY2VydA=="/' \
	"$T/old.publishsettings" > "$T/junk.publishsettings"
expect_rc 1 "$DISKSEED" settings import "$T/junk.publishsettings"
grep_q "$T/err" "not PKCS#12"

# Bad XML: the line is named.
head -c 300 "$T/two.publishsettings" > "$T/cut.publishsettings"
expect_rc 1 "$DISKSEED" settings import "$T/cut.publishsettings"
grep_q "$T/err" "not valid XML: line [0-9]+"
echo "not xml at all" > "$T/text.publishsettings"
expect_rc 1 "$DISKSEED" settings import "$T/text.publishsettings"
grep_q "$T/err" "not valid XML"
expect_rc 1 "$DISKSEED" settings import "$T/no-such-file"
grep_q "$T/err" "no-such-file"

# An external entity that would supply a valid certificate: if it were
# loaded, the import would succeed. It must fail and read nothing. (In
# the attribute, XML forbids it outright; in the element's text, only
# the parser's options keep it from being read.)
cp "$T/good.p12b64" "$T/secret.txt"
{
	echo '<?xml version="1.0"?>'
	echo "<!DOCTYPE PublishData [ <!ENTITY xxe SYSTEM \"file://$T/secret.txt\"> ]>"
	echo '<PublishData><PublishProfile SchemaVersion="2.0">&xxe;'
	echo "<Subscription ServiceManagementUrl=\"$URL\" Id=\"$A\" Name=\"X\" ManagementCertificate=\"&xxe;\" />"
	echo '</PublishProfile></PublishData>'
} > "$T/xxe.publishsettings"
# Its access time says whether it was read: set before its change time,
# so that relatime records the next read too. A file system that records
# no reads at all (noatime) cannot tell; the strace check below still can.
old_atime() { touch -a -d '2000-01-01 00:00:00 UTC' "$T/secret.txt"; }
old_atime
before=$(stat -c %X "$T/secret.txt")
cat "$T/secret.txt" > /dev/null
if [ "$(stat -c %X "$T/secret.txt")" = "$before" ]; then
	atime=
else
	atime=1
	old_atime
fi
expect_rc 1 "$DISKSEED" settings import "$T/xxe.publishsettings"
grep_q "$T/err" "document type declaration|entity"
if [ -n "$atime" ] && [ "$(stat -c %X "$T/secret.txt")" != "$before" ]; then
	fail "external entity read: $T/secret.txt was accessed"
fi
if command -v strace >/dev/null 2>&1; then
	strace -f -e trace=open,openat -o "$T/trace" "$DISKSEED" settings \
		import "$T/xxe.publishsettings" >/dev/null 2>&1 || true
	if grep -q "secret.txt" "$T/trace"; then fail "external entity read"; fi
fi

# Settings can be changed one by one; bad values are refused.
expect_rc 0 "$DISKSEED" settings set retries 2
expect_rc 0 "$DISKSEED" settings set proxy http://127.0.0.1:3128
expect_rc 0 "$DISKSEED" settings show
grep_q "$T/out" "Retries: +2"
grep_q "$T/out" "http://127.0.0.1:3128"
expect_rc 2 "$DISKSEED" settings set retries many
expect_rc 2 "$DISKSEED" settings set colour blue
expect_rc 2 "$DISKSEED" settings set resource-group "bad/group"

# In Italian where the locale exists.
if locale -a 2>/dev/null | grep -qi '^it_IT\.utf-\?8$'; then
	expect_rc 0 env LC_ALL=it_IT.UTF-8 "$DISKSEED" settings show
	grep_q "$T/out" "Sottoscrizione: +$A"
	expect_rc 2 env LC_ALL=it_IT.UTF-8 "$DISKSEED" status --job X
	grep_q "$T/err" "nome non valido: nome del processo 'X'"
fi
# Settings where diskseed before 0.2.0 kept them (the state folder) move
# to the configuration folder once, and diskseed says so.
OLD=$T/state/diskseed/settings.json
mkdir -p "$T/state/diskseed"
mv "$ST/settings.json" "$OLD"
expect_rc 0 "$DISKSEED" settings show
grep_q "$T/out" "$A"
grep_q "$T/err" "settings moved from $OLD to $ST/settings.json"
[ -e "$ST/settings.json" ] || fail "not moved"
[ ! -e "$OLD" ] || fail "the old file stays"
[ "$(stat -c %a "$ST/settings.json")" = 600 ] || fail "moved: mode"
expect_rc 0 "$DISKSEED" settings show
[ ! -s "$T/err" ] || fail "said again: $(cat "$T/err")"
# Both there (a copy made by hand): the new one wins, the old is left.
cp -p "$ST/settings.json" "$OLD"
expect_rc 0 "$DISKSEED" drives --all
[ -e "$OLD" ] && ! grep -q moved "$T/err" || fail "moved over a newer file"
# --state-dir is the one folder for both: nothing moves out of it.
mkdir -p "$T/one" && cp -p "$OLD" "$T/one/settings.json"
expect_rc 0 "$DISKSEED" --state-dir "$T/one" settings show
[ -e "$T/one/settings.json" ] && ! grep -q moved "$T/err" ||
    fail "moved out of --state-dir"
ok "settings"
