# Loop devices over image files for the wizard's tests; source after
# tests/lib/common.sh. mkloop IMAGE SIZE prints the device and detaches
# it at exit; skips when loop devices cannot be made here.
mkloop() {
	truncate -s "$2" "$1" || fail "truncate $1"
	dev=$(losetup -f --show "$1" 2>/dev/null) ||
	    skip "losetup is not permitted here"
	ds_at_exit "losetup -d $dev"
	echo "$dev"
}
