#!/bin/sh
# SPDX-License-Identifier: MIT
# The systemd files as make install puts them: absolute paths, a unit
# that systemd-analyze verify accepts and security rates at most 2.0 (on
# both units), sysusers.d and tmpfiles.d files that make the user and the
# state directory; and serve's readiness through $NOTIFY_SOCKET when it
# is built with libsystemd.
. "$top_srcdir/tests/lib/common.sh"
command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
mk() { make -s -C "$top_builddir" "$@" >"$T/make.out" 2>&1 ||
    { cat "$T/make.out" >&2; fail "make $*"; }; }
R=$T/root
# Only the targets of these files: a whole make install would run in po/
# while make check may build there.
mk install-systemdsystemunitDATA install-sbinPROGRAMS install-man \
    install-dist_sysusersDATA install-dist_tmpfilesDATA DESTDIR="$R"
units=$(find "$R" -name 'diskseed-importd*.service' | sort)
[ "$(echo "$units" | wc -l)" = 2 ] || fail "make install: units: $units"
man=$(find "$R" -name diskseed-importd.8)
[ -n "$man" ] || fail "make install put no diskseed-importd.8"
MANPATH=$(dirname "$(dirname "$man")"); export MANPATH

for u in $units; do
	name=$(basename "$u")
	grep -n '\$[{(]\|@[A-Za-z_]*@' "$u" && fail "$name: unexpanded"
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$u")
	case $exe in /*) ;; *) fail "$name: ExecStart=$exe is not absolute" ;; esac
	[ -x "$R$exe" ] || fail "$name: $exe is not what make install put"
	grep -q '^LimitNOFILE=' "$u" || fail "$name: no LimitNOFILE"

	# verify needs the program where the unit names it: a copy of the
	# unit naming the one installed under $R. A template is checked as
	# one of its instances.
	case $name in *@.service) v=${name%@.service}@seed1.service ;;
	*) v=$name ;; esac
	mkdir -p "$T/v"
	sed "s|^ExecStart=$exe|ExecStart=$R$exe|" "$u" > "$T/v/$v"
	systemd-analyze verify "$T/v/$v" >"$T/verify.out" 2>&1 ||
	    { cat "$T/verify.out" >&2; fail "$name: systemd-analyze verify"; }
	[ ! -s "$T/verify.out" ] ||
	    { cat "$T/verify.out" >&2; fail "$name: verify complains"; }

	systemd-analyze security --offline=true "$T/v/$v" >"$T/sec.out" 2>&1 ||
	    { cat "$T/sec.out" >&2; fail "$name: systemd-analyze security"; }
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
	    "$T/sec.out")
	[ -n "$level" ] || { cat "$T/sec.out" >&2; fail "$name: no level"; }
	awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' || {
		grep '✗' "$T/sec.out" >&2
		fail "$name: exposure $level, more than 2.0"
	}
	echo "$name: exposure $level"
done

# The user, then its state directory owned by it and private.
sysusers=$(find "$R" -path '*sysusers.d/diskseed-importd.conf')
tmpfiles=$(find "$R" -path '*tmpfiles.d/diskseed-importd.conf')
if [ -z "$sysusers" ] || [ -z "$tmpfiles" ]; then
	fail "make install: sysusers.d '$sysusers', tmpfiles.d '$tmpfiles'"
fi
S=$T/sysroot
mkdir -p "$S/etc"
if command -v systemd-sysusers >/dev/null; then
	systemd-sysusers --root="$S" "$sysusers" >"$T/su.out" 2>&1 ||
	    { cat "$T/su.out" >&2; fail "systemd-sysusers"; }
	grep -q '^diskseed:' "$S/etc/passwd" || fail "no diskseed user made"
	if command -v systemd-tmpfiles >/dev/null; then
		systemd-tmpfiles --root="$S" --create "$tmpfiles" \
		    >"$T/tf.out" 2>&1 ||
		    { cat "$T/tf.out" >&2; fail "systemd-tmpfiles"; }
		uid=$(awk -F: '$1 == "diskseed" { print $3 }' "$S/etc/passwd")
		[ "$(stat -c '%u %a' "$S/var/lib/diskseed-importd")" = \
		    "$uid 700" ] || fail "state directory: $(stat -c \
		    '%u %a' "$S/var/lib/diskseed-importd"), want $uid 700"
	fi
fi

# Readiness: READY=1 once serve listens, STOPPING=1 when it stops.
grep -q '^#define HAVE_LIBSYSTEMD 1' "$top_builddir/config.h" || {
	ok "systemd files (built without libsystemd: no readiness)"
	exit 0
}
command -v python3 >/dev/null || skip "no python3 (the test's listener)"
. "$top_srcdir/tests/lib/importd.sh"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "ab", 0)
while True:
    out.write(s.recv(4096) + b"\n")
' "$T/notify" "$T/notify.out" &
listener=$!
ds_at_exit "kill $listener 2>/dev/null"
i=0
until [ -S "$T/notify" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "no listener"; sleep 0.1
done
importd_init
IMPORTD_WRAP="env NOTIFY_SOCKET=$T/notify" importd_start
i=0
until grep -q '^READY=1$' "$T/notify.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "serve sent no READY=1"; sleep 0.1
done
grep -q "^STATUS=listening on port $DS_IMPORTD_PORT\$" "$T/notify.out" ||
    fail "no STATUS with the port: $(cat "$T/notify.out")"
importd_stop
i=0
until grep -q '^STOPPING=1$' "$T/notify.out"; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "serve sent no STOPPING=1"; sleep 0.1
done
ok "systemd files, readiness"
