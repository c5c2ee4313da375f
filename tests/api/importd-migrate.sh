#!/bin/sh
# SPDX-License-Identifier: MIT
# importd: a service directory whose importd.db predates job ids and
# per-subscription tracking numbers still works once serve opens it: the
# jobs are there, each with an id, and a tracking number may be used by
# two subscriptions.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/importd.sh"
command -v curl >/dev/null || skip "curl not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
J=$top_builddir/tests/api/importd-json
put() { importd_curl PUT "$(importd_job_path "$1")" "$2"; }

importd_init
importd_start
importd_subscription alice
A_SUB=$DS_IMPORTD_SUBSCRIPTION A_CERT=$DS_IMPORTD_CERT A_KEY=$DS_IMPORTD_KEY
importd_subscription bob
B_SUB=$DS_IMPORTD_SUBSCRIPTION B_CERT=$DS_IMPORTD_CERT B_KEY=$DS_IMPORTD_KEY
as_alice() {
	DS_IMPORTD_SUBSCRIPTION=$A_SUB DS_IMPORTD_CERT=$A_CERT
	DS_IMPORTD_KEY=$A_KEY
}
as_alice
importd_job_body "$T/b.json" 1 "$(importd_package TRK-1 1)"
importd_expect 201 "$(put old1 "$T/b.json")"
importd_job_body "$T/b.json" 1
importd_expect 201 "$(put old2 "$T/b.json")"
importd_stop

# The jobs table as it was: no uid, one tracking number per service.
sqlite3 "$DS_IMPORTD_DIR/importd.db" <<'EOS' || fail "old schema"
BEGIN;
DROP INDEX IF EXISTS jobs_uid;
CREATE TABLE jobs_old (
 id INTEGER PRIMARY KEY AUTOINCREMENT,
 subscription TEXT NOT NULL COLLATE NOCASE,
 rg TEXT NOT NULL COLLATE NOCASE,
 name TEXT NOT NULL COLLATE NOCASE,
 state TEXT NOT NULL,
 tracking TEXT UNIQUE COLLATE NOCASE,
 doc TEXT NOT NULL,
 UNIQUE (subscription, rg, name));
INSERT INTO jobs_old (id, subscription, rg, name, state, tracking, doc)
 SELECT id, subscription, rg, name, state, tracking, doc FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_old RENAME TO jobs;
COMMIT;
EOS
sqlite3 "$DS_IMPORTD_DIR/importd.db" "SELECT sql FROM sqlite_master" |
    grep -q uid && fail "the old schema has uid"

importd_start
importd_expect 200 "$(importd_curl GET "$(importd_job_path old2)")"
for j in old1 old2; do
	expect_rc 0 "$DISKSEED_IMPORTD" job show --dir "$DS_IMPORTD_DIR" \
	    --job $j
	$J get "$T/out" /uid | grep -Eq '^[0-9a-f]{32}$' || fail "$j: no id"
done
# Bob may use alice's tracking number now; alice still may not.
DS_IMPORTD_SUBSCRIPTION=$B_SUB DS_IMPORTD_CERT=$B_CERT DS_IMPORTD_KEY=$B_KEY
importd_job_body "$T/b.json" 1 "$(importd_package trk-1 1)"
importd_expect 201 "$(put new1 "$T/b.json")"
as_alice
importd_job_body "$T/b.json" 1 "$(importd_package trk-1 1)"
importd_expect 409 "$(put new1 "$T/b.json")" DuplicateTrackingNumber
# Row ids go on after the old ones: the list keeps its order.
importd_job_body "$T/b.json" 1
importd_expect 201 "$(put new2 "$T/b.json")"
importd_expect 200 "$(importd_curl GET "/subscriptions/$A_SUB/providers/Microsoft.ImportExport/jobs")"
[ "$($J get "$T/resp" /value/2/name)" = new2 ] || fail "list order"
ok "importd migrates an old database"
