# SPDX-License-Identifier: MIT
# Set-up shared by the wizard's end-to-end tests; source after
# tests/lib/common.sh. wiz_setup starts a diskseed-importd with one
# subscription, makes a staging folder ($STAGING, 36 MiB that does not
# compress), two 40 MiB loop devices ($L1, $L2) and an image ($IMG3) a
# test may attach while the wizard runs (its device in $T/d3.dev), and
# exports what the expect scripts read. mkloop VAR IMAGE SIZE sets VAR to a new loop
# device over IMAGE, detached at exit; tests skip when loop devices
# cannot be made.
. "$top_srcdir/tests/lib/importd.sh"
command -v expect >/dev/null || skip "expect not installed"

mkloop() {
	truncate -s "$3" "$2" || fail "truncate $2"
	dev=$(losetup -f --show "$2" 2>/dev/null) ||
	    skip "losetup is not permitted here"
	ds_at_exit "losetup -d $dev"
	eval "$1=\$dev"
}

wiz_setup() {
	[ "$(id -u)" = 0 ] || skip "loop devices need root"
	importd_init
	importd_start
	importd_subscription alice
	mkdir -p "$T/staging/sub"
	head -c 30M /dev/urandom >"$T/staging/big.bin"
	head -c 6M /dev/urandom >"$T/staging/sub/mid.bin"
	echo hello >"$T/staging/hello.txt"
	ln -s hello.txt "$T/staging/link"
	mkloop L1 "$T/d1.img" 40M
	mkloop L2 "$T/d2.img" 40M
	# An image the test plugs in (as a loop device) while the wizard runs.
	truncate -s 40M "$T/d3.img"
	IMG3=$T/d3.img
	ds_at_exit '[ ! -s "$T/d3.dev" ] || losetup -d "$(cat "$T/d3.dev")"'
	PS=$DS_IMPORTD_PUBLISHSETTINGS
	CA=$DS_IMPORTD_CA
	STAGING=$T/staging
	DISKSEED_DRIVE_MIN_SIZE=1M
	export PS CA L1 L2 IMG3 STAGING DISKSEED_DRIVE_MIN_SIZE
}
