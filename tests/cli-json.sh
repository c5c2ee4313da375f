#!/bin/sh
# SPDX-License-Identifier: MIT
# --json of both programs: each output is one valid JSON document whose
# keys are all camelCase, with the values the text output has; verify and
# restore keep their exit status with --json (4 on damage) and name the
# damage in it; settings show --json never carries the private key.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
command -v jq >/dev/null || skip "jq not installed"
DSIMG="perl $top_srcdir/tests/lib/dsimg"

# json_ok FILE: FILE is one JSON document (python3's parser as well as
# jq's) and every object key in it is camelCase.
json_ok() {
	if command -v python3 >/dev/null; then
		python3 -m json.tool "$1" >/dev/null ||
			fail "not JSON: $(head -c 400 "$1")"
	fi
	jq -e . "$1" >/dev/null || fail "not JSON: $(head -c 400 "$1")"
	bad=$(jq -r '[paths | .[] | strings |
	    select(test("^[a-z][a-zA-Z0-9]*$") | not)] | unique | join(" ")' \
	    "$1")
	[ -z "$bad" ] || fail "keys not in camelCase in $1: $bad"
}

mkdir "$T/st"
randfile "$T/st/only.bin" 2M
echo "a small note" > "$T/st/note.txt"
mkimage "$T/good.img" 8M
prep 0 "$T/st" jsn "$T/good.img"

expect_rc 0 "$DISKSEED" verify -q --json "$T/good.img"
json_ok "$T/out"
# Two regular files (a folder is no file): counted as such, bytes too.
jq -e '.intact == true and .filesOk == 2 and .bytesOk == 2097165 and
    .filesFailed == 0 and .problems == [] and .missingDrives == []' \
    "$T/out" >/dev/null || fail "verify --json: $(cat "$T/out")"
if grep -q "intact" "$T/err"; then fail "verify --json: text on stderr"; fi

expect_rc 0 "$DISKSEED" restore -q -j --to "$T/r0" "$T/good.img"
json_ok "$T/out"
jq -e '.intact == true and .filesOk == 2 and .bytesOk == 2097165 and
    .problems == []' "$T/out" \
    >/dev/null || fail "restore --json: $(cat "$T/out")"
cmp -s "$T/st/only.bin" "$T/r0/only.bin" || fail "restore --json: file"

# Damage: exit 4 as without --json, the chunk and file in the report.
$DSIMG hdr "$T/good.img" > "$T/hdr" || fail "dsimg hdr"
cs=$(sed -n 's/^chunk_size=//p' "$T/hdr")
doff=$(sed -n 's/^data_off=//p' "$T/hdr")
cp "$T/good.img" "$T/bad.img"
flip "$T/bad.img" $((doff + 12 * cs + cs / 2))
expect_rc 4 "$DISKSEED" verify -q --json "$T/bad.img"
json_ok "$T/out"
jq -e '.intact == false and
    any(.problems[]; .drive == 0 and .chunk == 12) and
    any(.problems[]; .path == "only.bin")' "$T/out" >/dev/null ||
	fail "verify --json of damage: $(cat "$T/out")"
expect_rc 4 "$DISKSEED" restore -q --json --to "$T/r1" "$T/bad.img"
json_ok "$T/out"
jq -e '.intact == false and any(.problems[]; .path == "only.bin")' \
    "$T/out" >/dev/null || fail "restore --json of damage: $(cat "$T/out")"

# A drive of two never given: missingDrives.
mkdir "$T/big"
for f in x y z; do randfile "$T/big/$f.bin" 8M; done
mkdrives 3 12M
# shellcheck disable=SC2086
prep 0 "$T/big" span $DRIVES
expect_rc 4 "$DISKSEED" restore -q --json --to "$T/r2" "$T/d1.img" \
    "$T/d3.img"
json_ok "$T/out"
jq -e '.intact == false and .missingDrives == [1]' "$T/out" >/dev/null ||
	fail "restore --json of a missing drive: $(cat "$T/out")"

expect_rc 0 "$DISKSEED" inspect --json "$T/good.img"
json_ok "$T/out"
jq -e '.job == "jsn" and .complete == true' "$T/out" >/dev/null ||
	fail "inspect --json: $(cat "$T/out")"
expect_rc 0 "$DISKSEED" drives --show "$T/good.img" --json
json_ok "$T/out"
jq -e '.confirmId == "good.img" and .contents.diskseed.setId != null and
    .contents.diskseed.jobState == "prepared"' "$T/out" >/dev/null ||
	fail "drives --show --json: $(cat "$T/out")"

# settings show --json: the imported settings, never the key.
. "$top_srcdir/tests/lib/importd.sh"
importd_init
importd_subscription alice
expect_rc 0 "$DISKSEED" settings import "$DS_IMPORTD_PUBLISHSETTINGS" \
	--ca-file "$DS_IMPORTD_CA" --proxy http://127.0.0.1:9
expect_rc 0 "$DISKSEED" settings set retries 2
expect_rc 0 "$DISKSEED" settings show --json
json_ok "$T/out"
jq -e --arg id "$DS_IMPORTD_SUBSCRIPTION" --arg ca "$DS_IMPORTD_CA" '
    .subscriptionId == $id and .subscriptionName == "alice" and
    (.serviceUrl | startswith("https://")) and .caFile == $ca and
    .proxy == "http://127.0.0.1:9" and .retries == 2 and
    .connectTimeout == 10 and .timeout == 60 and
    .certificate.expired == false and
    (.certificate.notAfter | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")) and
    (.certificate.thumbprint | test("^[0-9A-F]{40}$"))' "$T/out" \
    >/dev/null || fail "settings show --json: $(cat "$T/out")"
if grep -q "PRIVATE\|BEGIN" "$T/out"; then
	fail "settings show --json prints key material"
fi
expect_rc 0 "$DISKSEED" settings set proxy ""
expect_rc 0 "$DISKSEED" settings show --json
jq -e '.proxy == null' "$T/out" >/dev/null ||
	fail "unset proxy not null: $(cat "$T/out")"

# diskseed-importd's lists.
expect_rc 0 "$DISKSEED_IMPORTD" subscription list --dir "$DS_IMPORTD_DIR" \
	--json
json_ok "$T/out"
jq -e 'length == 1 and .[0].name == "alice"' "$T/out" >/dev/null ||
	fail "subscription list --json: $(cat "$T/out")"
expect_rc 0 "$DISKSEED_IMPORTD" account list --dir "$DS_IMPORTD_DIR" --json
json_ok "$T/out"
expect_rc 0 "$DISKSEED_IMPORTD" job list --dir "$DS_IMPORTD_DIR" --json
json_ok "$T/out"
ok "json"
