# SPDX-License-Identifier: MIT
# Shell helpers to run a real diskseed-importd in a test. Source it after
# tests/lib/common.sh:
#   . "$top_srcdir/tests/lib/common.sh"
#   . "$top_srcdir/tests/lib/importd.sh"
#   importd_init                 # fresh service dir: CA, server cert, config
#   importd_start                # serve on 127.0.0.1:<free port>, wait, stop at exit
#   importd_subscription alice   # management cert + .publishsettings
#   importd_curl GET "/providers/Microsoft.ImportExport/locations"
#
# What they set (exported):
#   DS_IMPORTD_DIR        the service directory (init --dir)
#   DS_IMPORTD_CA         the CA certificate (PEM) clients must trust
#   DS_IMPORTD_ACCOUNT    a storage account name the config knows
#   DS_IMPORTD_LOCATION   a location name the config knows ("West US")
#   DS_IMPORTD_PORT, DS_IMPORTD_URL (https://127.0.0.1:PORT), DS_IMPORTD_PID
#   DS_IMPORTD_PUBLISHSETTINGS  path of the last subscription's file
#   DS_IMPORTD_SUBSCRIPTION     its subscription id (GUID)
#   DS_IMPORTD_CERT, DS_IMPORTD_KEY  its certificate and key as PEM files
#                               (0600, extracted for curl)
#
# importd_start runs serve with --listen 127.0.0.1:0: the service picks a
# free port and writes it to $DS_IMPORTD_DIR/port, so tests can run in
# parallel. Start the server BEFORE importd_subscription: the
# .publishsettings file's ServiceManagementUrl carries the running port.
# importd_restart (and importd_kill9 + importd_start) keep the same port.
# IMPORTD_WRAP, when set, is a command that runs serve (e.g. "prlimit
# --nofile=256:256"; it must exec the program, so the pid stays).
# Fault injection: set DISKSEED_IMPORTD_FAULTS before importd_start (see
# man diskseed-importd, TEST HOOKS); call importd_need_hooks first, as
# the hooks exist only in a build configured with --enable-test-hooks.

: "${DISKSEED_IMPORTD:?source tests/lib/common.sh first}"
DS_IMPORTD_PID=""
DS_IMPORTD_PORT=""

# Skips the test (77) when this diskseed-importd has no test hooks.
importd_need_hooks() {
	"$DISKSEED_IMPORTD" --features | grep -qx test-hooks ||
	    skip "diskseed-importd built without --enable-test-hooks"
}

# Makes a fresh service directory under $T (or $1).
importd_init() {
	DS_IMPORTD_DIR=${1:-$T/importd}
	"$DISKSEED_IMPORTD" init --dir "$DS_IMPORTD_DIR" >"$T/importd-init.out" \
	    2>&1 || { cat "$T/importd-init.out" >&2; fail "importd init"; }
	DS_IMPORTD_CA=$DS_IMPORTD_DIR/ca.pem
	DS_IMPORTD_ACCOUNT=devstoreaccount1
	DS_IMPORTD_LOCATION="West US"
	export DS_IMPORTD_DIR DS_IMPORTD_CA DS_IMPORTD_ACCOUNT DS_IMPORTD_LOCATION
}

# Starts serve in the background and waits until it accepts connections.
# Reuses the previous port after a stop or a kill.
importd_start() {
	rm -f "$DS_IMPORTD_DIR/port"
	# shellcheck disable=SC2086 # IMPORTD_WRAP is a command and its words
	${IMPORTD_WRAP:-} "$DISKSEED_IMPORTD" serve --dir "$DS_IMPORTD_DIR" \
	    --listen "127.0.0.1:${DS_IMPORTD_PORT:-0}" \
	    >>"$T/importd.log" 2>&1 &
	DS_IMPORTD_PID=$!
	ds_at_exit importd_stop
	importd_wait_file "$DS_IMPORTD_DIR/port" "$DS_IMPORTD_PID" \
	    "$T/importd.log" "importd serve" 60
	DS_IMPORTD_PORT=$(cat "$DS_IMPORTD_DIR/port")
	DS_IMPORTD_URL=https://127.0.0.1:$DS_IMPORTD_PORT
	export DS_IMPORTD_PID DS_IMPORTD_PORT DS_IMPORTD_URL
	# The port file is written once the socket listens; one handshake
	# proves it.
	i=0
	until curl -s -o /dev/null --cacert "$DS_IMPORTD_CA" \
	    "$DS_IMPORTD_URL/" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "importd does not answer"
		sleep 0.1
	done
}

# Waits until file $1 is not empty while process $2 runs; fails with
# log $3 when $2 exits, or when $5 seconds pass (what: $4).
importd_wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		kill -0 "$2" 2>/dev/null || { cat "$3" >&2; fail "$4 exited"; }
		i=$((i + 1))
		[ $i -lt $(($5 * 10)) ] || fail "$4 did not start in $5 s"
		sleep 0.1
	done
}

# Stops the server (SIGTERM) and waits for it; no-op when not running.
# A stopped server exits 0: anything else (a crash, a sanitizer report
# at exit) fails the test when it exits (also when this is the exit
# hook; errexit may be on, hence no plain failing command here).
importd_stop() {
	[ -n "$DS_IMPORTD_PID" ] || return 0
	kill "$DS_IMPORTD_PID" 2>/dev/null
	wait "$DS_IMPORTD_PID" 2>/dev/null && st=0 || st=$?
	DS_IMPORTD_PID=""
	if [ "$st" != 0 ]; then
		tail -n 60 "$T/importd.log" >>"$T/exit-failures"
		echo "FAIL: importd serve exited with $st when stopped" \
		    >>"$T/exit-failures"
	fi
}

# Kills the server with SIGKILL (crash test) and waits for it.
importd_kill9() {
	[ -n "$DS_IMPORTD_PID" ] || return 0
	kill -9 "$DS_IMPORTD_PID" 2>/dev/null
	wait "$DS_IMPORTD_PID" 2>/dev/null
	DS_IMPORTD_PID=""
}

importd_restart() { importd_stop; importd_start; }

# Adds subscription $1 (id $2 or a fresh GUID), granted the storage
# account $DS_IMPORTD_ACCOUNT; sets the variables above.
importd_subscription() {
	name=$1
	set -- "$DISKSEED_IMPORTD" subscription add --dir "$DS_IMPORTD_DIR" \
	    ${2:+--id "$2"} --account "$DS_IMPORTD_ACCOUNT" "$name"
	DS_IMPORTD_PUBLISHSETTINGS=$("$@" 2>"$T/importd-sub.err") ||
	    { cat "$T/importd-sub.err" >&2; fail "subscription add $name"; }
	DS_IMPORTD_SUBSCRIPTION=$(sed -n 's/.* Id="\([^"]*\)".*/\1/p' \
	    "$DS_IMPORTD_PUBLISHSETTINGS" | head -n 1)
	importd_pem "$DS_IMPORTD_PUBLISHSETTINGS" "$T/client-$name"
	DS_IMPORTD_CERT=$T/client-$name.crt
	DS_IMPORTD_KEY=$T/client-$name.key
	export DS_IMPORTD_PUBLISHSETTINGS DS_IMPORTD_SUBSCRIPTION \
	    DS_IMPORTD_CERT DS_IMPORTD_KEY
}

# Extracts the management certificate of publish-settings file $1 into
# $2.crt and $2.key (PEM, 0600).
importd_pem() {
	(umask 077
	sed -n 's/.*ManagementCertificate="\([^"]*\)".*/\1/p' "$1" |
	    head -n 1 | base64 -d >"$2.p12" &&
	openssl pkcs12 -in "$2.p12" -passin pass: -nokeys -clcerts \
	    -out "$2.crt" 2>/dev/null &&
	openssl pkcs12 -in "$2.p12" -passin pass: -nocerts -nodes \
	    -out "$2.key" 2>/dev/null) || fail "cannot read $1"
}

# Sends a request with the current subscription's certificate:
#   importd_curl METHOD PATH [BODY-FILE]
# "?api-version=2021-01-01" is added unless PATH has a query. Prints the
# HTTP status; the body is in $T/resp. Extra curl options in
# $IMPORTD_CURL_OPTS (e.g. to use another certificate).
importd_curl() {
	m=$1 p=$2
	case $p in *\?*) ;; *) p="$p?api-version=2021-01-01" ;; esac
	set -- -s -o "$T/resp" -w '%{http_code}' -X "$m" \
	    --cacert "$DS_IMPORTD_CA" --cert "$DS_IMPORTD_CERT" \
	    --key "$DS_IMPORTD_KEY" ${3:+-H 'Content-Type: application/json'} \
	    ${3:+--data-binary @"$3"} ${IMPORTD_CURL_OPTS:-} \
	    "$DS_IMPORTD_URL$p"
	curl "$@" || echo "curl-failed-$?"
}

# Path of job $1 in the current subscription (resource group $2 or "rg").
importd_job_path() {
	echo "/subscriptions/$DS_IMPORTD_SUBSCRIPTION/resourceGroups/${2:-rg}/providers/Microsoft.ImportExport/jobs/$1"
}

# Operator moves: importd_job_state JOB STATE [--force] [--percent N];
# importd_drive_state JOB DRIVE STATE [options of 'drive set-state'].
importd_job_state() {
	j=$1 s=$2; shift 2
	"$DISKSEED_IMPORTD" job set-state --dir "$DS_IMPORTD_DIR" --job "$j" \
	    "$@" "$s" || fail "job set-state $j $s"
}
importd_drive_state() {
	j=$1 d=$2 s=$3; shift 3
	"$DISKSEED_IMPORTD" drive set-state --dir "$DS_IMPORTD_DIR" --job "$j" \
	    --drive "$d" "$@" "$s" || fail "drive set-state $j $d $s"
}

# Writes an import job body to file $1: importd_job_body FILE [DRIVES]
# [EXTRA-PROPERTIES-JSON] [DRIVE-ID-PREFIX]. Drives are SER1..SERn.
importd_job_body() {
	f=$1 n=${2:-1} extra=${3:-} pfx=${4:-SER}
	drives="" i=1
	while [ "$i" -le "$n" ]; do
		[ -z "$drives" ] || drives="$drives,"
		drives="$drives{\"driveId\":\"$pfx$i\",\"bitLockerKey\":\"key-$pfx$i\",\"manifestFile\":\"\\\\m$i.manifest\",\"manifestHash\":\"0A1B2C\",\"driveHeaderHash\":\"0:512:ABCD\"}"
		i=$((i + 1))
	done
	cat >"$f" <<EOJ
{"location":"$DS_IMPORTD_LOCATION","properties":{"storageAccountId":"/subscriptions/$DS_IMPORTD_SUBSCRIPTION/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/$DS_IMPORTD_ACCOUNT","jobType":"Import","driveList":[$drives]${extra:+,$extra}}}
EOJ
}

# A complete return address and delivery package, for EXTRA above.
IMPORTD_RETURN='"returnAddress":{"recipientName":"Ada","streetAddress1":"Via Roma 1","streetAddress2":"Scala B","city":"Torino","stateOrProvince":"TO","postalCode":"10100","countryOrRegion":"Italy","phone":"0110000000","email":"ada@example.org"},"returnShipping":{"carrierName":"FedEx","carrierAccountNumber":"123"}'
importd_package() {
	echo "\"deliveryPackage\":{\"carrierName\":\"FedEx\",\"trackingNumber\":\"$1\",\"driveCount\":${2:-1},\"shipDate\":\"2026-11-25\"}"
}

# Fails unless the last answer ($T/resp) had status $1 ($2 = what curl
# printed) and, when $3 is given, error code $3.
importd_expect() {
	[ "$2" = "$1" ] || { cat "$T/resp" >&2; fail "expected HTTP $1, got $2${3:+ ($3)}"; }
	[ -z "${3:-}" ] || grep -q "\"code\":\"$3\"" "$T/resp" ||
	    { cat "$T/resp" >&2; fail "expected error code $3"; }
}
