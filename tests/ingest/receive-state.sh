#!/bin/sh
# SPDX-License-Identifier: MIT
# The ingest's state belongs to the job, not to its name: a PATCH
# answered while receive runs is kept (receive changes only its own
# fields of the stored job), a job deleted and made again under the same
# name starts fresh, and --subscription/--resource-group pick among jobs
# of one name.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
. "$top_srcdir/tests/lib/ingest.sh"
dirstore_setup
importd_need_hooks

mkdir -p "$T/st"
for i in 0 1 2 3 4; do head -c $((1000 + i)) /dev/urandom >"$T/st/f$i"; done
prep_ship jobp "$T/st" 8M "$T/p1.img"

# A tags PATCH while receive waits after its first file.
receive_paused 1 "$T/sync" --job jobp "$T/p1.img"
echo '{"tags":{"container":"backups","note":"kept"}}' >"$T/patch.json"
code=$(importd_curl PATCH "$(importd_job_path jobp diskseed)" "$T/patch.json")
importd_expect 200 "$code"
touch "$T/sync.go"
wait $rpid || { cat "$T/rp.out" "$T/rp.err" >&2; fail "receive failed"; }
grep_q "$T/rp.out" "job jobp: Completed"
code=$(importd_curl GET "$(importd_job_path jobp diskseed)")
importd_expect 200 "$code"
grep_q "$T/resp" '"note": *"kept"'
grep_q "$T/resp" '"state": *"Completed"'
ok "a PATCH answered while receive runs is kept"

# The same name again, after a delete: nothing of the old job is reused.
expect_rc 0 "$DISKSEED" job delete --job jobp
rm -rf "$T/store/backups"
create_ship jobp 1Zagain1
expect_rc 0 receive --job jobp "$T/p1.img"
grep_q "$T/out" "jobp: 5 file\(s\) uploaded in this run"
for i in 0 1 2 3 4; do
	cmp -s "$T/st/f$i" "$T/store/backups/f$i" || fail "f$i not stored again"
done
ok "a job made again under a deleted job's name starts fresh"

# Two jobs named jobp (resource groups diskseed and rg2): receive asks which.
importd_job_body "$T/body.json" 1 "$IMPORTD_RETURN"
code=$(importd_curl PUT "$(importd_job_path jobp rg2)" "$T/body.json")
importd_expect 201 "$code"
expect_rc 1 receive --job jobp "$T/p1.img"
grep_q "$T/err" "several jobs have this name"
for g in diskseed:Completed rg2:Creating; do
	expect_rc 1 receive --job jobp --subscription "$DS_IMPORTD_SUBSCRIPTION" \
	    --resource-group "${g%:*}" "$T/p1.img"
	grep_q "$T/err" "job jobp is ${g#*:}: drives are received once"
done
ok "--subscription and --resource-group pick among jobs of one name"
