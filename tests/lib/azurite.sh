# SPDX-License-Identifier: MIT
# Azurite, Microsoft's Blob storage emulator, for the ingest tests.
# Source it after common.sh:
#   . "$top_srcdir/tests/lib/azurite.sh"
#   azurite_start            # sets AZ_PORT, AZ_ENDPOINT, AZ_PID
#   ...                      # AZ_ACCOUNT / AZ_KEY: the emulator's account
#   azurite_stop; azurite_start_again   # same port, same data
# Azurite is installed by `./quickstart check` (npm, azurite@3.35.0) in
# $top_srcdir/.cache/azurite, or where DS_AZURITE_DIR says (make
# distcheck's source tree is a fresh tarball: .ci/run points it at the
# clone's); without it (or node) the test skips.

AZ_ACCOUNT=devstoreaccount1
# The emulator's well-known, public development key (not a secret).
AZ_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
AZ_BIN="${DS_AZURITE_DIR:-$top_srcdir/.cache/azurite}/node_modules/.bin/azurite-blob"
AZ_PID=""
AZ_PORT=""
AZ_ENDPOINT=""
AZ_DIR="$T/azurite"
# The debug log (request counts); a benchmark sets AZ_NO_DEBUG=1.
AZ_LOG="$T/azurite.debug.log"
[ -z "${AZ_NO_DEBUG:-}" ] || AZ_LOG=""

[ -x "$AZ_BIN" ] || skip "Azurite is not installed (run ./quickstart check)"
command -v node >/dev/null || skip "node is not installed"
command -v curl >/dev/null || skip "curl is not installed"

# A port nobody listens on now (the start retries if it is taken later).
az_free_port() {
	while :; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return
		fi
	done
}

# Starts Azurite on AZ_PORT (a new free one when empty) and waits until it
# answers HTTP. Returns non-zero when it did not come up.
az_launch() {
	mkdir -p "$AZ_DIR"
	"$AZ_BIN" --blobHost 127.0.0.1 --blobPort "$AZ_PORT" \
	    --disableTelemetry --skipApiVersionCheck --silent \
	    --location "$AZ_DIR" ${AZ_LOG:+--debug "$AZ_LOG"} \
	    >>"$T/azurite.out" 2>&1 &
	AZ_PID=$!
	i=0
	while [ $i -lt 300 ]; do
		if ! kill -0 "$AZ_PID" 2>/dev/null; then
			wait "$AZ_PID" 2>/dev/null || :
			AZ_PID=""
			return 1
		fi
		code=$(curl -s -o /dev/null -w '%{http_code}' \
		    "http://127.0.0.1:$AZ_PORT/$AZ_ACCOUNT?comp=list" || true)
		case $code in [1-5]??) return 0 ;; esac
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}

azurite_start() {
	tries=0
	while [ $tries -lt 5 ]; do
		AZ_PORT=$(az_free_port)
		if az_launch; then
			AZ_ENDPOINT="http://127.0.0.1:$AZ_PORT/$AZ_ACCOUNT"
			ds_at_exit azurite_stop
			return 0
		fi
		azurite_stop
		tries=$((tries + 1))
	done
	cat "$T/azurite.out" >&2
	fail "Azurite did not start"
}

# Stops Azurite (TERM, then KILL if it lingers); its data stays in AZ_DIR.
azurite_stop() {
	[ -n "$AZ_PID" ] || return 0
	kill "$AZ_PID" 2>/dev/null || :
	i=0
	while kill -0 "$AZ_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$AZ_PID" 2>/dev/null || :
	wait "$AZ_PID" 2>/dev/null || :
	AZ_PID=""
}

# Starts Azurite again on the same port over the same data.
azurite_start_again() {
	i=0
	while [ $i -lt 50 ]; do
		if az_launch; then return 0; fi
		i=$((i + 1))
		sleep 0.2
	done
	fail "Azurite did not start again on port $AZ_PORT"
}

# Counts the requests of METHOD on paths containing PATH in the debug log.
azurite_count() {
	# Azurite writes its debug log after it answers: wait until the log
	# stops growing (polled, 5 s at most) so no request is missed.
	az_prev=-1 az_i=0
	while [ $az_i -lt 25 ]; do
		az_size=$(stat -c %s "$AZ_LOG" 2>/dev/null || echo 0)
		[ "$az_size" = "$az_prev" ] && break
		az_prev=$az_size az_i=$((az_i + 1))
		sleep 0.2
	done
	grep -c "RequestMethod=$1 RequestURL=[^ ]*$2" "$AZ_LOG" || true
}
