#!/bin/sh
# SPDX-License-Identifier: MIT
# The ingest's state belongs to the job, not to its name: a PATCH
# answered while receive runs is kept (receive changes only its own
# fields of the stored job), a cancel while receive runs stops it and
# stays, a job deleted and made again under the same name starts fresh,
# and --subscription/--resource-group pick among jobs of one name.
set -eu
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

# cancel_held JOB SYNC: the operator cancels JOB while receive is held
# at SYNC; receive, let go, stops (exit 1) and says so.
cancel_held() {
	expect_rc 0 "$DISKSEED_IMPORTD" job set-state --dir "$DS_IMPORTD_DIR" \
	    --job "$1" --force Canceled
	# Past the once-a-second save of progress, so the next one saves.
	sleep 1.2
	touch "$2.go"
	rc=0; wait $rpid || rc=$?
	[ $rc = 1 ] ||
	    { cat "$T/rp.out" "$T/rp.err" >&2; fail "receive: exit $rc"; }
	grep_q "$T/rp.err" "job $1 was cancelled while it was received: stopped"
}

# A cancel while receive runs. The API refuses it once the job has
# shipped (spec/importexport/NOTES.md); the operator's job set-state
# --force Canceled is answered, and receive stops at its next save,
# leaving the job Canceled and what it stored whole.
mkdir -p "$T/sc"
for i in $(seq 10 39); do head -c $((500 + i)) /dev/urandom >"$T/sc/c$i"; done
prep_ship jobc "$T/sc" 8M "$T/c1.img"
receive_paused 1 "$T/csync" --job jobc "$T/c1.img"
echo '{"properties":{"cancelRequested":true}}' >"$T/cancel.json"
code=$(importd_curl PATCH "$(importd_job_path jobc diskseed)" "$T/cancel.json")
importd_expect 409 "$code"
cancel_held jobc "$T/csync"
code=$(importd_curl GET "$(importd_job_path jobc diskseed)")
importd_expect 200 "$code"
grep_q "$T/resp" '"state": *"Canceled"'
grep -q '"state": *"Completed"' "$T/resp" && fail "a drive completed"
n=0
for f in "$T/store/backups"/c*; do
	[ -e "$f" ] || continue
	cmp -s "$f" "$T/sc/${f##*/}" || fail "${f##*/} not whole"
	n=$((n + 1))
done
[ $n -ge 1 ] && [ $n -lt 30 ] || fail "$n files stored, not stopped"
expect_rc 1 receive --job jobc "$T/c1.img"
grep_q "$T/err" "job jobc is Canceled"
ok "a cancel while receive runs stops it and is kept"

# A cancel in the middle of one large file: noticed while its bytes
# stream, not once it is stored.
mkdir -p "$T/sb"
head -c 3000000 /dev/urandom >"$T/sb/big.bin"
prep_ship jobb "$T/sb" 8M "$T/b1.img"
receive_held BYTE 1000000 "$T/bsync" --job jobb "$T/b1.img"
cancel_held jobb "$T/bsync"
[ ! -e "$T/store/backups/big.bin" ] || fail "big.bin stored after the cancel"
[ -z "$(ls -A "$T/store/backups" | grep big)" ] ||
    fail "left in the store: $(ls -A "$T/store/backups")"
ok "a cancel in the middle of a large file stops it there"

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
