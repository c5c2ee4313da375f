#!/bin/sh
# SPDX-License-Identifier: MIT
# The plain-directory storage target (the demo's default) and drives
# that never arrive: one drive of two is received, the other is marked
# NeverReceived; the job completes, the file spanning both is named as
# lost, every other file is stored with its mode and time.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
. "$top_srcdir/tests/lib/ingest.sh"
dirstore_setup

mkdir -p "$T/st/sub"
head -c 300000 /dev/urandom >"$T/st/a.bin"
echo note >"$T/st/sub/b.txt"
chmod 640 "$T/st/sub/b.txt"
touch -d '2024-03-01 12:00:00' "$T/st/sub/b.txt"
head -c 9M /dev/urandom >"$T/st/z-span.bin"
prep_ship jobn "$T/st" 8M "$T/n1.img" "$T/n2.img"

expect_rc 0 receive --job jobn "$T/n1.img"
expect_rc 0 "$DISKSEED" status --job jobn
grep_q "$T/out" "State: +Transferring"
grep_q "$T/out" "Drive n2\.img: Specified"
[ -e "$T/store/backups/z-span.bin" ] && fail "spanning file stored early"

# A drive not in the job, or already received, cannot be written off.
expect_rc 1 "$DISKSEED_IMPORTD" never-received --dir "$DS_IMPORTD_DIR" \
    --job jobn nosuch.img
grep_q "$T/err" "job jobn has no drive nosuch\.img"
expect_rc 1 "$DISKSEED_IMPORTD" never-received --dir "$DS_IMPORTD_DIR" \
    --job jobn n1.img
grep_q "$T/err" "drive n1\.img is (Transferring|Received) already"

# Account keys in importd.conf: refused while others can read it.
cp "$DS_IMPORTD_DIR/importd.conf" "$T/conf.saved"
python3 - "$DS_IMPORTD_DIR/importd.conf" <<'EOP' || fail "conf"
import json, sys
conf = json.load(open(sys.argv[1]))
conf["storageAccounts"].append({"name": "keyed", "key": "c2VjcmV0",
    "blobEndpoint": "http://127.0.0.1:9/keyed"})
json.dump(conf, open(sys.argv[1], "w"), indent=2)
EOP
chmod 644 "$DS_IMPORTD_DIR/importd.conf"
expect_rc 1 "$DISKSEED_IMPORTD" never-received --dir "$DS_IMPORTD_DIR" \
    --job jobn n2.img
grep_q "$T/err" "importd\.conf is readable by other users"
cp "$T/conf.saved" "$DS_IMPORTD_DIR/importd.conf"
chmod 600 "$DS_IMPORTD_DIR/importd.conf"

expect_rc 3 "$DISKSEED_IMPORTD" never-received --dir "$DS_IMPORTD_DIR" \
    --job jobn n2.img
expect_rc 0 "$DISKSEED" status --job jobn
grep_q "$T/out" "State: +Completed"
grep_q "$T/out" "Drive n2\.img: NeverReceived"
grep_q "$T/out" "Drive n1\.img: CompletedMoreInfo"
grep_q "$T/store/waimportexport/jobn/n1.img_error.log" \
    "^z-span\.bin: not copied: incomplete: part of it is on a drive that was never received"
for f in a.bin sub/b.txt; do
	cmp -s "$T/st/$f" "$T/store/backups/$f" || fail "$f not stored whole"
done
[ ! -e "$T/store/backups/z-span.bin" ] || fail "a lost file was stored"
[ "$(stat -c %a "$T/store/backups/sub/b.txt")" = 640 ] || fail "mode"
[ "$(stat -c %Y "$T/store/backups/sub/b.txt")" = \
    "$(stat -c %Y "$T/st/sub/b.txt")" ] || fail "mtime"
ok "directory target; NeverReceived drive; job completed"

# receive --target: the job's files straight into a folder, the logs in
# the service directory.
mkdir -p "$T/st3/d"
echo one >"$T/st3/d/one.txt"
head -c 100000 /dev/urandom >"$T/st3/two.bin"
prep_ship jobt "$T/st3" 8M "$T/t1.img"
expect_rc 0 receive --job jobt --target "$T/flat" "$T/t1.img"
(cd "$T/st3" && find . -type f | sort | xargs sha256sum) >"$T/a"
(cd "$T/flat" && find . -type f | sort | xargs sha256sum) >"$T/b"
cmp -s "$T/a" "$T/b" || { diff "$T/a" "$T/b" >&2; fail "--target folder differs"; }
grep_q "$DS_IMPORTD_DIR/diagnostics/waimportexport/jobt/t1.img_verbose.log" \
    "^two\.bin: copied, 100000 bytes"
expect_rc 0 "$DISKSEED" status --job jobt
grep_q "$T/out" "Verbose log: +file://$DS_IMPORTD_DIR/diagnostics/waimportexport/jobt/t1\.img_verbose\.log"
ok "receive --target FOLDER"
