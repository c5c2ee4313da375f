#!/bin/sh
# SPDX-License-Identifier: MIT
# diskseed job create after a real prep on image files: the driveList
# carries each drive's id, key, manifest and hashes from the prep; the
# datacenter address, carriers and deadline are printed; bad names and
# missing prep are refused before any call.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
client_setup
mkaddress

# Before prep: nothing to create a job from.
expect_rc 1 "$DISKSEED" job create --job job-real \
	--storage-account "$DS_IMPORTD_ACCOUNT" --location "$DS_IMPORTD_LOCATION"
grep_q "$T/err" "no prepared drives|prepare the drives first"

# Names checked before anything is read or sent.
expect_rc 2 "$DISKSEED" job create --job job-real --storage-account Bad_Account
grep_q "$T/err" "storage account 'Bad_Account'"
expect_rc 2 "$DISKSEED" job create --job job-real \
	--storage-account "$DS_IMPORTD_ACCOUNT" --container "a--b"
grep_q "$T/err" "container 'a--b'"
expect_rc 2 "$DISKSEED" job create --job 9job --storage-account abc
expect_rc 2 "$DISKSEED" job create --job job-real --storage-account abc \
	--location "West/US"
expect_rc 2 "$DISKSEED" job create --job job-real

# Prep two drives of a small staging folder (spanning both).
mkdir -p "$T/stage/sub"
head -c 300000 /dev/urandom > "$T/stage/sub/big.bin"
echo hello > "$T/stage/a.txt"
mkimage "$T/d1.img" 64M
mkimage "$T/d2.img" 64M
"$DISKSEED" prep --staging "$T/stage" --job job-real --drive "$T/d1.img" \
	--drive "$T/d2.img" --confirm d1.img,d2.img -q \
	>"$T/prep.out" 2>&1 || { cat "$T/prep.out" >&2; fail "prep"; }
D=$T/state/diskseed/jobs/job-real/drives.json
[ -f "$D" ] || fail "no drives.json"

# Several locations: one must be chosen (none is stored for the job yet).
expect_rc 2 "$DISKSEED" job create --job job-real \
	--storage-account "$DS_IMPORTD_ACCOUNT"
grep_q "$T/err" "choose a location"

# A return address missing a field is refused before the call.
cat > "$T/ra-bad.json" <<'EOA'
{"recipientName": "Ada Rossi", "streetAddress1": "Via Roma 1",
 "city": "Milano", "postalCode": "20100", "countryOrRegion": "Italy",
 "phone": "+39 02 1234"}
EOA
expect_rc 2 "$DISKSEED" job create --job job-real \
	--storage-account "$DS_IMPORTD_ACCOUNT" --return-address "$T/ra-bad.json" \
	--location "$DS_IMPORTD_LOCATION"
grep_q "$T/err" "has no email"

# An account not granted to the subscription: the service's refusal
# (403 AuthorizationFailed) is said as such, not as a certificate
# problem.
"$DISKSEED_IMPORTD" account revoke --dir "$DS_IMPORTD_DIR" \
	"$DS_IMPORTD_ACCOUNT" "$DS_IMPORTD_SUBSCRIPTION" || fail "revoke"
expect_rc 6 "$DISKSEED" job create --job job-real \
	--storage-account "$DS_IMPORTD_ACCOUNT" --location "$DS_IMPORTD_LOCATION" \
	--container backups --return-address "$T/ra.json"
grep_q "$T/err" "not available to this subscription"
grep -q "refused the certificate" "$T/err" && fail "told as a certificate problem"
"$DISKSEED_IMPORTD" account grant --dir "$DS_IMPORTD_DIR" \
	"$DS_IMPORTD_ACCOUNT" "$DS_IMPORTD_SUBSCRIPTION" || fail "grant"

expect_rc 0 "$DISKSEED" job create --job job-real \
	--storage-account "$DS_IMPORTD_ACCOUNT" --location "$DS_IMPORTD_LOCATION" \
	--container backups --return-address "$T/ra.json"
grep_q "$T/out" "Created import job job-real with [12] drive"
grep_q "$T/out" "2045 Lafayette Street"
grep_q "$T/out" "Supported carriers: FedEx"
grep_q "$T/out" "deleted after 14 days \([0-9]{4}-[0-9]{2}-[0-9]{2}\)"
no_secret_in "$T/out"
if grep -Eq "[0-9]{6}-[0-9]{6}-[0-9]{6}" "$T/out"; then fail "key printed"; fi
grep_q "$T/state/diskseed/jobs/job-real/importjob.json" '"container": "backups"'

# What the service holds matches the prep record, field for field.
expect_rc 0 "$DISKSEED" job show --job job-real --json
cp "$T/out" "$T/job.json"
python3 - "$D" "$T/job.json" <<'EOP' || fail "driveList differs from the prep"
import json, sys
prep = json.load(open(sys.argv[1]))
job = json.load(open(sys.argv[2]))
got = {d["driveId"]: d for d in job["driveList"]}
assert len(got) == len(prep["drives"]) >= 1, (len(got), len(prep["drives"]))
for d in prep["drives"]:
    g = got[d["driveId"]]
    assert g["manifestFile"] == d["manifestFile"]
    assert g["manifestHash"] == d["manifestHash"]
    assert g["driveHeaderHash"] == d["headerHash"]
    assert "bitLockerKey" not in g
assert job["container"] == "backups"
assert job["storageAccountId"].endswith("/storageAccounts/devstoreaccount1")
EOP
code=$(importd_curl POST "$(importd_job_path job-real diskseed)/listBitLockerKeys")
[ "$code" = 200 ] || fail "listBitLockerKeys: $code"
python3 - "$D" "$T/resp" <<'EOP' || fail "keys differ from the prep"
import json, sys
prep = json.load(open(sys.argv[1]))
keys = {k["driveId"]: k["bitLockerKey"] for k in json.load(open(sys.argv[2]))["value"]}
for d in prep["drives"]:
    assert keys[d["driveId"]] == d["recoveryKey"], d["driveId"]
EOP

# Creating it again while Creating is accepted (the PUT is idempotent).
expect_rc 0 "$DISKSEED" job create --job job-real \
	--storage-account "$DS_IMPORTD_ACCOUNT" --location "$DS_IMPORTD_LOCATION" \
	--container backups --return-address "$T/ra.json"
ok "job create"
