# SPDX-License-Identifier: MIT
# Helpers of the ingest tests (tests/ingest/receive*.sh): Azurite, a test
# diskseed-importd whose storage account points at it, the client set up
# against that service, and a prepared, shipped job. Source after
# common.sh.
. "$top_srcdir/tests/lib/azurite.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
command -v python3 >/dev/null || skip "python3 not found"

export AZ_KEY
BT="$top_builddir/tests/ingest/test-blobtool"
bt() { "$BT" "$AZ_ENDPOINT" "$AZ_ACCOUNT" "$@"; }

# ingest_setup: Azurite, importd (serving), the client, and importd.conf's
# account on Azurite with 64 KiB blocks (so that files of a few hundred
# KiB go up as several blocks).
ingest_setup() {
	azurite_start
	client_setup
	mkaddress
	python3 - "$DS_IMPORTD_DIR/importd.conf" "$AZ_ENDPOINT" <<'EOP' ||
import json, sys
path, endpoint = sys.argv[1], sys.argv[2]
conf = json.load(open(path))
for a in conf["storageAccounts"]:
    if a["name"] == "devstoreaccount1":
        a["blobEndpoint"] = endpoint
        a["blockSize"] = 65536
json.dump(conf, open(path, "w"), indent=2)
EOP
	    fail "cannot point importd.conf at Azurite"
}

# prep_ship JOB STAGING SIZE D...: prep image drives D (made SIZE each)
# with 64 KiB chunks, create the job (container "backups") and ship it.
prep_ship() {
	job=$1 staging=$2 size=$3; shift 3
	drv="" ids=""
	for d in "$@"; do
		mkimage "$d" "$size"
		drv="$drv --drive $d"
		ids="$ids${ids:+,}$(basename "$d")"
	done
	# shellcheck disable=SC2086
	"$DISKSEED" prep --staging "$staging" --job "$job" $drv \
	    --confirm "$ids" --chunk-size 64K -q >"$T/prep.out" 2>&1 ||
	    { cat "$T/prep.out" >&2; fail "prep $job"; }
	track=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	create_ship "$job" "1Z$track"
}

# account_grant ACCOUNT: the current subscription may use ACCOUNT.
account_grant() {
	"$DISKSEED_IMPORTD" account grant --dir "$DS_IMPORTD_DIR" \
	    "$1" "$DS_IMPORTD_SUBSCRIPTION" || fail "account grant $1"
}

# create_ship JOB TRACKING: create job JOB of the drives prepped
# (container "backups") and ship it.
create_ship() {
	account_grant "$DS_IMPORTD_ACCOUNT"
	"$DISKSEED" job create --job "$1" \
	    --storage-account "$DS_IMPORTD_ACCOUNT" \
	    --location "$DS_IMPORTD_LOCATION" --container backups \
	    --return-address "$T/ra.json" >"$T/create.out" 2>&1 ||
	    { cat "$T/create.out" >&2; fail "job create $1"; }
	"$DISKSEED" ship --job "$1" --carrier FedEx --tracking "$2" \
	    --return-address "$T/ra.json" --yes >"$T/ship.out" 2>&1 ||
	    { cat "$T/ship.out" >&2; fail "ship $1"; }
}

# dirstore_account: adds the directory storage account "demostore" at
# $T/store to importd.conf and restarts importd.
dirstore_account() {
	python3 - "$DS_IMPORTD_DIR/importd.conf" "$T/store" <<'EOP' ||
import json, sys
conf = json.load(open(sys.argv[1]))
conf["storageAccounts"].append({"name": "demostore", "directory": sys.argv[2]})
json.dump(conf, open(sys.argv[1], "w"), indent=2)
EOP
	    fail "conf"
	importd_restart
}

# dirstore_setup: importd (serving), the client, and the directory
# account "demostore", the one the jobs made next use.
dirstore_setup() {
	client_setup
	mkaddress
	dirstore_account
	DS_IMPORTD_ACCOUNT=demostore
}

# receive_paused N SYNC ARGS...: starts receive ARGS in the background
# (output in $T/rp.out, $T/rp.err; pid in $rpid), paused after its N-th
# stored file until SYNC.go exists; returns once it waits.
receive_paused() { receive_held AFTER "$@"; }

# receive_held WHERE N SYNC ARGS...: as receive_paused, paused where
# DISKSEED_IMPORTD_PAUSE_WHERE=N says: AFTER, after its N-th stored
# file; BYTE, once a file's bytes streamed reach N.
receive_held() {
	where=$1 n=$2 sync=$3; shift 3
	env "DISKSEED_IMPORTD_PAUSE_$where=$n" DISKSEED_IMPORTD_PAUSE_SYNC="$sync" \
	    "$DISKSEED_IMPORTD" receive --dir "$DS_IMPORTD_DIR" "$@" \
	    >"$T/rp.out" 2>"$T/rp.err" &
	rpid=$!
	ds_at_exit "kill $rpid 2>/dev/null || :"
	i=0
	until [ -e "$sync.paused" ]; do
		i=$((i + 1)); [ $i -lt 1200 ] || fail "receive never paused"
		kill -0 $rpid 2>/dev/null ||
		    { cat "$T/rp.err" >&2; fail "receive ended early"; }
		sleep 0.05
	done
}

# receive ARGS...: diskseed-importd receive --dir ... ARGS
receive() {
	"$DISKSEED_IMPORTD" receive --dir "$DS_IMPORTD_DIR" "$@"
}

# container_matches STAGING [EXCEPT-FILE]: every regular file of STAGING
# (but the relative paths listed in EXCEPT-FILE) is a blob of "backups"
# with the same size and SHA-256 (of the content read back and of the
# metadata), and no other blob is there.
container_matches() {
	staging=$1 except=${2:-/dev/null}
	(cd "$staging" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) |
	    grep -vxF -f "$except" >"$T/want.names" || :
	bt list backups 2 >"$T/list" 2>"$T/list.err" ||
	    { cat "$T/list.err" >&2; fail "list backups"; }
	cut -f1 "$T/list" | LC_ALL=C sort >"$T/got.names"
	cmp -s "$T/want.names" "$T/got.names" ||
	    { diff "$T/want.names" "$T/got.names" >&2; fail "blob names differ"; }
	while IFS= read -r name; do
		size=$(stat -c %s "$staging/$name")
		sum=$(sha "$staging/$name")
		grep -Fq "$name	$size	" "$T/list" || fail "$name: size"
		line=$(grep -F "$name	$size	" "$T/list")
		case $line in *"sha256=$sum"*) ;; *) fail "$name: sha256 metadata" ;; esac
		case $line in *"mode="*"owner="*"mtime="*) ;; *) fail "$name: metadata" ;; esac
		bt get backups "$name" "$T/blob" 2>"$T/get.err" ||
		    { cat "$T/get.err" >&2; fail "get $name"; }
		[ "$(sha "$T/blob")" = "$sum" ] || fail "$name: content differs"
	done <"$T/want.names"
}

# evil_job JOB RG ACCOUNT IMAGE KEYHEX: job JOB in resource group RG of
# the current subscription, storing into ACCOUNT (container "backups"),
# with the drive IMAGE (made by mkevil; its key KEYHEX as the recovery
# key), then moved to Shipping: a drive the service takes as genuine.
evil_job() {
	"$DISKSEED" inspect --json "$4" >"$T/inspect.json" ||
	    fail "inspect $4"
	account_grant "$3"
	python3 - "$T/inspect.json" "$5" "$(basename "$4")" \
	    "$DS_IMPORTD_LOCATION" "$DS_IMPORTD_SUBSCRIPTION" "$2" "$3" \
	    >"$T/evil-body.json" <<'EOP' || fail "job body"
import json, sys
info = json.load(open(sys.argv[1]))
key = bytes.fromhex(sys.argv[2])
# The recovery key's text form (src/format.c, ds_rkey_format).
rkey = "-".join("%06u" % ((key[2 * g] | key[2 * g + 1] << 8) * 11)
                for g in range(16))
loc, sub, rg, acct = sys.argv[4:8]
print(json.dumps({"location": loc, "tags": {"container": "backups"},
    "properties": {
        "storageAccountId": "/subscriptions/%s/resourceGroups/%s/providers/"
        "Microsoft.Storage/storageAccounts/%s" % (sub, rg, acct),
        "jobType": "Import",
        "returnAddress": json.load(open(sys.argv[1].replace(
            "inspect.json", "ra.json"))),
        "returnShipping": {"carrierName": "FedEx",
                           "carrierAccountNumber": "123"},
        "driveList": [{"driveId": sys.argv[3], "bitLockerKey": rkey,
                       "manifestFile": info["manifestFile"],
                       "manifestHash": info["manifestHash"],
                       "driveHeaderHash": info["headerHash"]}]}}))
EOP
	code=$(importd_curl PUT "$(importd_job_path "$1" "$2")" \
	    "$T/evil-body.json")
	importd_expect 201 "$code"
	track=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	echo "{\"properties\":{\"state\":\"Shipping\",$(importd_package \
	    "1Z$track")}}" >"$T/evil-ship.json"
	code=$(importd_curl PATCH "$(importd_job_path "$1" "$2")" \
	    "$T/evil-ship.json")
	importd_expect 200 "$code"
}
