#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile drives (tests/lib/mkevil: valid key, tags and manifest, but
# archive entries and manifest rows that lie to each other), one per
# attack class of issue 12, against restore and verify --deep: nothing
# written outside the target, no host file read, no device or FIFO made
# or opened, output bounded, every run within its time limit, each
# damage named, the honest files restored.
. "$top_srcdir/tests/lib/engine.sh"

mkdir -p "$T/outside" "$T/staging"
echo HOSTSECRET > "$T/host.txt"
echo fine > "$T/staging/ok.txt"
echo end > "$T/staging/zz.txt"
huge=4611686018427387904	# 2^62
evil "$T/e.img" "f:ok.txt:fine" \
    "a:l:leak:$T/host.txt" "r:file:leak:size=11" \
    "a:l:L:$T/outside" "r:symlink:L:" "f:L/through.txt:bad" \
    "r:file:L/../../X:size=3,seg=9" "r:file:ghost:size=3,ord=90" \
    "a:b:dev:7,0" "r:file:dev:size=10,len=5,last=0" \
    "a:f:dev:AAAAA" "r:file:dev:size=10,off=5,len=5" \
    "a:c:zero:1,5" "r:file:zero:size=100" \
    "a:n:big:8000000" "r:file:big:size=5" \
    "a:f:huge:hi" "r:file:huge:size=$huge" \
    "a:p:fifo:" "r:file:fifo:size=4" "a:p:fifo2:" "r:other:fifo2:" \
    "a:c:null:1,3" "r:other:null:" \
    "a:h:hl:$T/host.txt" "r:hardlink:hl:" "a:h:hl2:nothere" \
    "r:hardlink:hl2:" "a:d:.:" "r:dir:.:" "a:f:abs:x" "r:file:$T/abs:size=1" \
    "a:f:part:abcdefgh" "r:file:part:size=4,len=4,off=2,last=0" \
    "f:zz.txt:end"
names='leak L/through\.txt L/\.\./\.\./X ghost dev zero big huge fifo hl hl2 [^[:space:]]*/abs part'

# run WHAT TIMEOUT CMD...: runs CMD under timeout, expecting exit 4.
run() {
	what=$1
	shift
	expect_rc 4 timeout 20 "$@"
	cat "$T/out" "$T/err" > "$T/all.$what"
	for n in $names; do
		grep -Eq "(^|[ :])$n:" "$T/all.$what" ||
		    fail "$what: $n not named: $(cat "$T/all.$what")"
	done
	grep_q "$T/all.$what" "fifo2: not restored"
	grep_q "$T/all.$what" "null: not restored"
	grep -Eq '^drive 0: \.:' "$T/all.$what" || fail "$what: '.' not named"
}

mkdir -p "$T/r"
chmod 700 "$T/r"
run restore "$DISKSEED" restore --to "$T/r" "$T/e.img"
[ -z "$(ls -A "$T/outside")" ] || fail "written outside: $(ls -A "$T/outside")"
[ ! -e "$T/X" ] && [ ! -e "$T/abs" ] || fail "a path outside the target"
[ "$(cat "$T/host.txt")" = HOSTSECRET ] || fail "the host file changed"
! grep -rq HOSTSECRET "$T/r" || fail "a host file's content was restored"
[ -z "$(find "$T/r" \( -type b -o -type c -o -type p -o -type s \) )" ] ||
    fail "a device or FIFO was made: $(find "$T/r" ! -type f ! -type d)"
[ "$(stat -c %a "$T/r")" = 700 ] || fail "the target folder's mode changed"
used=$(du -sk "$T/r" | cut -f1)
[ "$used" -lt 1024 ] || fail "restore wrote $used KiB"
[ "$(cat "$T/r/ok.txt")" = fine ] && [ "$(cat "$T/r/zz.txt")" = end ] ||
    fail "the honest files were not restored"
[ -L "$T/r/L" ] || fail "the link itself was not restored"
for f in leak dev zero big huge fifo hl hl2 part; do
	[ ! -e "$T/r/$f" ] || fail "$f was restored"
done
ok "restore: each lie named, nothing outside, nothing from the host"

run verify "$DISKSEED" verify --deep "$T/staging" "$T/e.img"
[ "$(cat "$T/host.txt")" = HOSTSECRET ] || fail "the host file changed"
ok "verify --deep: each lie named"
