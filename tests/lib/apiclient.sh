# SPDX-License-Identifier: MIT
# Helpers of the import-job client tests (tests/api/client-*.sh): make
# management certificates and .publishsettings files with the openssl
# CLI. Source after common.sh.

command -v openssl >/dev/null 2>&1 || skip "openssl CLI not found"

# mkmgmt NAME DAYS: a self-signed management certificate and key in
# $T/NAME.pem and $T/NAME.key, and its PKCS#12 (empty password) in
# base64 in $T/NAME.p12b64. DAYS -1 makes one that expired yesterday.
mkmgmt() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$1.key" -subj "/CN=$1" -out "$T/$1.csr" 2>/dev/null ||
		fail "openssl req"
	openssl x509 -req -in "$T/$1.csr" -key "$T/$1.key" -days "$2" \
		-out "$T/$1.pem" 2>/dev/null || fail "openssl x509"
	openssl pkcs12 -export -inkey "$T/$1.key" -in "$T/$1.pem" \
		-passout pass: -out "$T/$1.p12" 2>/dev/null || fail "pkcs12"
	base64 -w0 "$T/$1.p12" > "$T/$1.p12b64"
}

# mkpublish2 OUT URL ID:NAME:CERT...: schema 2, one certificate each.
mkpublish2() {
	out=$1 url=$2; shift 2
	{
		echo '<?xml version="1.0" encoding="utf-8"?>'
		echo '<PublishData>'
		echo '  <PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI">'
		for s in "$@"; do
			id=${s%%:*}; rest=${s#*:}; name=${rest%%:*}; cert=${rest#*:}
			printf '    <Subscription ServiceManagementUrl="%s" Id="%s" Name="%s" ManagementCertificate="%s" />\n' \
				"$url" "$id" "$name" "$(cat "$T/$cert.p12b64")"
		done
		echo '  </PublishProfile>'
		echo '</PublishData>'
	} > "$out"
}

# mkpublish1 OUT URL CERT ID:NAME...: schema 1, the certificate and URL
# on the profile.
mkpublish1() {
	out=$1 url=$2 cert=$3; shift 3
	{
		echo '<?xml version="1.0" encoding="utf-8"?>'
		echo '<PublishData>'
		printf '  <PublishProfile PublishMethod="AzureServiceManagementAPI" Url="%s" ManagementCertificate="%s">\n' \
			"$url" "$(cat "$T/$cert.p12b64")"
		for s in "$@"; do
			printf '    <Subscription Id="%s" Name="%s" />\n' "${s%%:*}" "${s#*:}"
		done
		echo '  </PublishProfile>'
		echo '</PublishData>'
	} > "$out"
}

# no_secret_in FILE...: fails when a private key of the test shows up.
no_secret_in() {
	for f in "$@"; do
		if grep -q "PRIVATE KEY" "$f"; then fail "private key in $f"; fi
	done
}

# client_setup: a test importd with subscription "alice", its publish
# settings imported with the test CA, and few quick retries.
client_setup() {
	[ -f "$top_srcdir/tests/lib/importd.sh" ] ||
		fail "tests/lib/importd.sh missing (merge the importd branch)"
	. "$top_srcdir/tests/lib/importd.sh"
	importd_init
	importd_start
	importd_subscription alice
	"$DISKSEED" settings import "$DS_IMPORTD_PUBLISHSETTINGS" \
		--ca-file "$DS_IMPORTD_CA" >"$T/import.out" 2>&1 ||
		{ cat "$T/import.out" >&2; fail "settings import"; }
	"$DISKSEED" settings set retries 2 || fail "settings set"
}

# client_faults SPEC: restart the service with the faults SPEC queued
# (DISKSEED_IMPORTD_FAULTS; call importd_need_hooks first).
client_faults() {
	importd_stop
	DISKSEED_IMPORTD_FAULTS=$1
	export DISKSEED_IMPORTD_FAULTS
	importd_start
	unset DISKSEED_IMPORTD_FAULTS
}

# mkjob JOB: prep a small staging folder onto the image $T/JOB.img
# (drive id JOB.img), then diskseed job create.
mkjob() {
	mkdir -p "$T/stage-$1"
	echo "data of $1" > "$T/stage-$1/file"
	mkimage "$T/$1.img" 32M
	"$DISKSEED" prep --staging "$T/stage-$1" --job "$1" \
		--drive "$T/$1.img" --confirm "$1.img" -q >"$T/mkjob.out" 2>&1 ||
		{ cat "$T/mkjob.out" >&2; fail "prep $1"; }
	"$DISKSEED" job create --job "$1" --location "$DS_IMPORTD_LOCATION" \
		--storage-account "$DS_IMPORTD_ACCOUNT" --container backups \
		>"$T/mkjob.out" 2>&1 || { cat "$T/mkjob.out" >&2; fail "job create $1"; }
}

# A return address file: $T/ra.json.
mkaddress() {
	cat > "$T/ra.json" <<'EOA'
{"recipientName": "Ada Rossi", "streetAddress1": "Via Roma 1",
 "city": "Milano", "postalCode": "20100", "countryOrRegion": "Italy",
 "phone": "+39 02 1234", "email": "ada@example.org"}
EOA
}

# now_ms: milliseconds since the epoch.
now_ms() { date +%s%3N; }
