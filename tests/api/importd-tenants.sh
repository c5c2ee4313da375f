#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: tenants never cross. Two subscriptions, alice and bob, each
# granted its own storage account: neither can name the other's account
# (nor one it was not granted), the container is fixed from Shipping on,
# a job name used by both is two jobs (API and admin commands), a job
# made again under a deleted name gets a new id, a tracking number of
# the other tenant tells nothing, no cancel in Shipping, and subscription
# ids in any case.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
J=$top_builddir/tests/api/importd-json

importd_init
# Two more accounts, owned by nobody yet.
sed 's|"storageAccounts": \[|&{"name": "alicestore", "directory": "'"$T"'/a"}, {"name": "bobstore", "directory": "'"$T"'/b"},|' \
    "$DS_IMPORTD_DIR/importd.conf" >"$T/conf" &&
    cat "$T/conf" >"$DS_IMPORTD_DIR/importd.conf" || fail "conf"
importd_start
DS_IMPORTD_ACCOUNT=alicestore importd_subscription alice
A_SUB=$DS_IMPORTD_SUBSCRIPTION A_CERT=$DS_IMPORTD_CERT A_KEY=$DS_IMPORTD_KEY
DS_IMPORTD_ACCOUNT=bobstore importd_subscription bob
B_SUB=$DS_IMPORTD_SUBSCRIPTION B_CERT=$DS_IMPORTD_CERT B_KEY=$DS_IMPORTD_KEY
as() {
	case $1 in
	alice) DS_IMPORTD_SUBSCRIPTION=$A_SUB DS_IMPORTD_CERT=$A_CERT
	    DS_IMPORTD_KEY=$A_KEY DS_IMPORTD_ACCOUNT=alicestore ;;
	bob) DS_IMPORTD_SUBSCRIPTION=$B_SUB DS_IMPORTD_CERT=$B_CERT
	    DS_IMPORTD_KEY=$B_KEY DS_IMPORTD_ACCOUNT=bobstore ;;
	esac
}
put() { importd_curl PUT "$(importd_job_path "$1")" "$2"; }
patch() { echo "$2" >"$T/p.json"; importd_curl PATCH "$(importd_job_path "$1")" "$T/p.json"; }
get() { importd_curl GET "$(importd_job_path "$1")"; }
# body FILE [ACCOUNT] [EXTRA]: a one-drive job on ACCOUNT (default: own).
body() {
	importd_job_body "$1" 1 "${3:-}"
	[ -z "${2:-}" ] ||
	    sed -i "s|/storageAccounts/[a-z0-9]*\"|/storageAccounts/$2\"|" "$1"
}
admin() { "$DISKSEED_IMPORTD" "$@" --dir "$DS_IMPORTD_DIR"; }
upper() { echo "$1" | tr a-f A-F; }
field() { $J get "$T/out" "$1"; }	# of admin's output

# 1. Accounts: only one's own. Another tenant's account and an account
# the service does not have get the same 403, naming nobody.
as bob
body "$T/b.json" alicestore
importd_expect 403 "$(put tjob "$T/b.json")" AuthorizationFailed
grep_q "$T/resp" '"target":"properties.storageAccountId"'
grep -qi -e "$A_SUB" -e alice\" -e "$T/a" "$T/resp" &&
    fail "the 403 tells of alice"
sed 's/alicestore/ACCOUNT/' "$T/resp" >"$T/foreign"
body "$T/b.json" nosuchstore
importd_expect 403 "$(put tjob "$T/b.json")" AuthorizationFailed
sed 's/nosuchstore/ACCOUNT/' "$T/resp" >"$T/unknown"
cmp -s "$T/foreign" "$T/unknown" ||
    fail "another tenant's account and no account answer differently"
# The default account belongs to nobody until granted.
body "$T/b.json" devstoreaccount1
importd_expect 403 "$(put tjob "$T/b.json")" AuthorizationFailed
# A grant counts at the next request of the running service; a revoke
# too.
expect_rc 0 admin account grant alicestore "$B_SUB"
body "$T/b.json" alicestore
importd_expect 201 "$(put tjob "$T/b.json")"
expect_rc 0 admin account revoke alicestore "$B_SUB"
importd_expect 403 "$(put tjob "$T/b.json")" AuthorizationFailed
importd_expect 200 "$(importd_curl DELETE "$(importd_job_path tjob)")"
expect_rc 0 admin account list
grep_q "$T/out" "^alicestore  $A_SUB\$"
grep_q "$T/out" "^bobstore  $B_SUB\$"
expect_rc 1 admin account grant nosuchstore "$B_SUB"
expect_rc 1 admin account grant bobstore 00000000-0000-0000-0000-000000000000
expect_rc 2 admin account grant bobstore not-a-guid
# subscription add --account: an unknown account makes nothing.
expect_rc 1 admin subscription add --account nosuchstore carol
grep_q "$T/err" "no storage account nosuchstore"
expect_rc 0 admin subscription list
grep -q carol "$T/out" && fail "carol made for an unknown account"

# 2. Same job name in both tenants: two jobs, each sees its own.
as alice
body "$T/a.json" "" '"backupDriveManifest":false'
sed -i 's|^{|{"tags":{"container":"alicedata"},|' "$T/a.json"
importd_expect 201 "$(put shared "$T/a.json")"
as bob
body "$T/b.json"
importd_expect 201 "$(put shared "$T/b.json")"
case $($J get "$T/resp" /properties/storageAccountId) in
*/bobstore) ;; *) fail "bob's job is not bob's" ;; esac
as alice
importd_expect 200 "$(get shared)"
case $($J get "$T/resp" /properties/storageAccountId) in
*/alicestore) ;; *) fail "alice's job is not alice's" ;; esac
importd_expect 200 "$(importd_curl GET "/subscriptions/$A_SUB/providers/Microsoft.ImportExport/jobs")"
[ "$($J get "$T/resp" /value/0/properties/storageAccountId | sed 's|.*/||')" = alicestore ] ||
    fail "alice's list"
$J get "$T/resp" /value/1 >/dev/null 2>&1 && fail "alice lists bob's job"
# Bob's certificate on alice's path: refused.
DS_IMPORTD_CERT=$B_CERT DS_IMPORTD_KEY=$B_KEY
importd_expect 403 "$(get shared)"
as alice

# The admin commands pick among same-named jobs by subscription (in any
# case) and resource group.
expect_rc 1 admin job show --job shared
grep_q "$T/err" "several jobs have this name"
expect_rc 0 admin job show --job shared --subscription "$(upper "$B_SUB")"
case $(field /properties/storageAccountId) in
*/bobstore) ;; *) fail "job show --subscription bob" ;; esac
expect_rc 0 admin job show --job shared --subscription "$A_SUB" \
    --resource-group rg
case $(field /properties/storageAccountId) in
*/alicestore) ;; *) fail "job show --subscription alice" ;; esac
a_uid=$(field /uid)
expect_rc 0 admin job set-state --job shared --subscription "$B_SUB" \
    --force Received
expect_rc 0 admin drive set-state --job shared --subscription "$A_SUB" \
    --drive SER1 --percent 7 Received
expect_rc 0 admin job show --job shared --subscription "$B_SUB"
[ "$(field /properties/state)" = Received ] || fail "bob's job moved"
[ "$(field /properties/driveList/0/state)" = Specified ] ||
    fail "alice's drive move reached bob's job"
[ "$(field /uid)" != "$a_uid" ] || fail "two jobs, one id"
expect_rc 0 admin job show --job shared --subscription "$A_SUB"
[ "$(field /properties/state)" = Creating ] ||
    fail "bob's move reached alice's job"
[ "$(field /properties/driveList/0/state)" = Received ] ||
    fail "alice's drive did not move"
[ "$(field /uid)" = "$a_uid" ] || fail "a job's id changed"
expect_rc 0 admin drive set-state --job shared --subscription "$A_SUB" \
    --drive SER1 Specified

# 3. The container: changeable while Creating, fixed from Shipping on.
importd_expect 200 "$(patch shared '{"tags":{"container":"alicenew"}}')"
importd_expect 200 "$(patch shared "{\"properties\":{\"state\":\"Shipping\",$IMPORTD_RETURN,$(importd_package TRK-X 1)}}")"
[ "$($J get "$T/resp" /properties/state)" = Shipping ] || fail "Shipping"
importd_expect 409 "$(patch shared '{"tags":{"container":"bobdata"}}')" InvalidJobState
grep_q "$T/resp" '"target":"tags.container"'
# Without the tag the job's name would be the container: refused too.
importd_expect 409 "$(patch shared '{"tags":{"k":"v"}}')" InvalidJobState
# The same container, another tag: fine (the case is receive's).
importd_expect 200 "$(patch shared '{"tags":{"container":"AliceNew","k":"v"}}')"
importd_expect 409 "$(put shared "$T/a.json")" InvalidJobState
importd_expect 200 "$(get shared)"
[ "$($J get "$T/resp" /tags/container)" = AliceNew ] || fail "container"

# 4. No cancel from Shipping on.
importd_expect 409 "$(patch shared '{"properties":{"cancelRequested":true}}')" InvalidJobState
importd_expect 200 "$(get shared)"
[ "$($J get "$T/resp" /properties/state)" = Shipping ] || fail "canceled"

# 5. Tracking numbers: within one subscription a duplicate is refused
# as before; alice's number used by bob tells bob nothing (accepted).
body "$T/c.json" "" "$(importd_package trk-x 1)"
importd_expect 409 "$(put other "$T/c.json")" DuplicateTrackingNumber
as bob
body "$T/c.json" "" "$(importd_package trk-x 1)"
importd_expect 201 "$(put other "$T/c.json")"
importd_expect 409 "$(put other2 "$T/c.json")" DuplicateTrackingNumber
as alice

# 6. A job deleted and made again under its name is a new job: a new id.
body "$T/c.json"
importd_expect 201 "$(put again "$T/c.json")"
expect_rc 0 admin job show --job again
uid1=$(field /uid)
printf '%s\n' "$uid1" | grep -Eq '^[0-9a-f]{32}$' || fail "id $uid1"
importd_expect 200 "$(patch again '{"properties":{"logLevel":"Verbose"}}')"
importd_expect 200 "$(put again "$T/c.json")"
expect_rc 0 admin job show --job again
[ "$(field /uid)" = "$uid1" ] || fail "an update changed the job's id"
importd_expect 200 "$(importd_curl DELETE "$(importd_job_path again)")"
importd_expect 201 "$(put again "$T/c.json")"
expect_rc 0 admin job show --job again
[ "$(field /uid)" != "$uid1" ] || fail "a re-created job kept its id"

# 7. Subscription ids in any case: the path's upper-case id is alice's.
DS_IMPORTD_SUBSCRIPTION=$(upper "$A_SUB")
[ "$DS_IMPORTD_SUBSCRIPTION" != "$A_SUB" ] || fail "no letters in $A_SUB"
importd_expect 200 "$(get shared)"
body "$T/c.json"
importd_expect 201 "$(put upper "$T/c.json")"
[ "$($J get "$T/resp" /id)" = "/subscriptions/$A_SUB/resourceGroups/rg/providers/Microsoft.ImportExport/jobs/upper" ] ||
    fail "the job's id keeps the upper-case subscription"
as alice
importd_expect 200 "$(get upper)"
ok "importd tenants"
