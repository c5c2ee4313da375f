#!/bin/sh
# SPDX-License-Identifier: MIT
# A killed ingest resumes without sending again what is stored; an ingest
# whose storage goes away mid-upload retries and completes once it is
# back.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/ingest.sh"
ingest_setup
importd_need_hooks

mkdir -p "$T/st"
i=0
while [ $i -lt 8 ]; do
	head -c $((150000 + i * 10000)) /dev/urandom >"$T/st/f$i.bin"
	i=$((i + 1))
done
prep_ship jobk "$T/st" 8M "$T/k1.img"

# Killed (SIGKILL) right after the 3rd file is stored, before it is
# recorded: the worst moment.
DISKSEED_IMPORTD_CRASH_AFTER=3 expect_rc 137 receive --job jobk "$T/k1.img"
expect_rc 0 "$DISKSEED" status --job jobk
grep_q "$T/out" "State: +Transferring"
grep_q "$T/out" "Drive k1\.img: Transferring"
bt list backups >"$T/l1" 2>/dev/null || fail "list"
# Up to uploadConnections (4) files are in flight when the kill comes.
n=$(wc -l <"$T/l1")
[ "$n" -ge 3 ] && [ "$n" -le 7 ] || fail "$n blobs stored before the kill"

expect_rc 0 receive --job jobk "$T/k1.img"
grep_q "$T/out" "jobk: $((8 - n)) file\(s\) uploaded in this run, 0 request"
expect_rc 0 "$DISKSEED" status --job jobk
grep_q "$T/out" "State: +Completed"
grep_q "$T/out" "Drive k1\.img: Completed, 100%"
container_matches "$T/st"
# No duplicate work: each file committed once, no block stored twice.
for f in "$T"/st/*.bin; do
	b=$(basename "$f")
	c=$(azurite_count PUT "backups/$b?comp=blocklist")
	[ "$c" = 1 ] || fail "$b committed $c times"
	want=$(( ($(stat -c %s "$f") + 65535) / 65536 ))
	got=$(azurite_count PUT "backups/$b?comp=block&")
	# A block in flight at the kill may be sent again, no other.
	[ "$got" -ge "$want" ] && [ "$got" -le $((want + 1)) ] ||
	    fail "$b: $got blocks sent, $want expected"
	# Nothing left uncommitted once the job is complete.
	bt uncommitted backups "$b" >"$T/unc" || fail "uncommitted $b"
	[ ! -s "$T/unc" ] || fail "$b: uncommitted blocks left"
done
ok "killed mid-ingest, restarted: completed, nothing uploaded twice"

# Azurite stops after the 2nd file and comes back: retried, completed.
mkdir -p "$T/st2"
i=0
while [ $i -lt 5 ]; do
	head -c $((200000 + i * 10000)) /dev/urandom >"$T/st2/g$i.bin"
	i=$((i + 1))
done
prep_ship jobz "$T/st2" 8M "$T/z1.img"
python3 - "$DS_IMPORTD_DIR/importd.conf" <<'EOP' || fail "conf"
import json, sys
conf = json.load(open(sys.argv[1]))
for a in conf["storageAccounts"]:
    a["retries"] = 40
json.dump(conf, open(sys.argv[1], "w"), indent=2)
EOP
receive_paused 2 "$T/sync" --job jobz "$T/z1.img"
# Meanwhile a second ingest of the same job is refused.
expect_rc 1 receive --job jobz "$T/z1.img"
grep_q "$T/err" "another ingest of this job is running"
azurite_stop
touch "$T/sync.go"
# The ingest polls for sync.go every 20 ms; Azurite needs far longer to
# come back, so the next upload meets a refused connection first.
azurite_start_again
wait $rpid || { cat "$T/rp.out" "$T/rp.err" >&2; fail "receive failed across the outage"; }
grep_q "$T/rp.out" "job jobz: Completed"
grep_q "$T/rp.out" "jobz: 5 file\\(s\\) uploaded in this run, [1-9][0-9]* request\\(s\\) retried"
expect_rc 0 "$DISKSEED" status --job jobz
grep_q "$T/out" "State: +Completed"
bt list backups 0 g >"$T/lz" 2>/dev/null || fail "list"
[ "$(wc -l <"$T/lz")" = 5 ] || fail "not all 5 blobs after the outage"
for f in "$T"/st2/*.bin; do
	b=$(basename "$f")
	bt get backups "$b" "$T/blob" 2>/dev/null || fail "get $b"
	[ "$(sha "$T/blob")" = "$(sha "$f")" ] || fail "$b differs"
done
ok "storage stopped mid-upload: retried, completed once back"
