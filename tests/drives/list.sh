#!/bin/sh
# SPDX-License-Identifier: MIT
# diskseed drives under umockdev: every disk of tests/drives/*.umockdev
# listed with the right fields and reasons, the --json shape, and every
# ineligible disk refused by the gate (and by prep, once it exists) with
# nothing written. /proc/self/mountinfo and /proc/swaps are the test
# bed's (tests/drives/mountinfo, tests/drives/swaps).
: "${top_srcdir:?run through make check}"
D="$top_srcdir/tests/drives"
if [ -z "${UMOCKDEV_DIR:-}" ]; then
	command -v umockdev-run >/dev/null 2>&1 ||
		{ echo "SKIP: umockdev-run is not installed" >&2; exit 77; }
	command -v jq >/dev/null 2>&1 ||
		{ echo "SKIP: jq is not installed" >&2; exit 77; }
	devs=""
	for f in "$D"/*.umockdev; do devs="$devs -d $f"; done
	# shellcheck disable=SC2086
	exec umockdev-run $devs -- sh "$0"
fi
set -eu
. "$top_srcdir/tests/lib/common.sh"
GATE="$top_builddir/tests/drives/test-gate-open"
unset DISKSEED_DRIVE_MIN_SIZE DISKSEED_DRIVE_MAX_SIZE
mkdir -p "$UMOCKDEV_DIR/proc/self"
cp "$D/mountinfo" "$UMOCKDEV_DIR/proc/self/mountinfo"
cp "$D/swaps" "$UMOCKDEV_DIR/proc/swaps"

# The text list: eligible first, virtual disks hidden.
expect_rc 0 "$DISKSEED" drives
cp "$T/out" "$T/list"
order=$(awk 'NR > 1 { sub("/dev/", "", $1); printf "%s ", $1 }' "$T/list")
[ "$order" = "nvme0n1 sda sdb sdc sdd sde sdf sdg sdh sdi sdj " ] ||
	fail "order: $order"
line() { grep "^/dev/$1 " "$T/list" || fail "no $1 in the list"; }
line sda | grep -q "3.6 TiB SATA .*WDC WD40EFRX-68N32N0 *WD-WCC7K1234567 *eligible$" ||
	fail "sda: $(line sda)"
line sdb | grep -q "SATA behind a USB bridge .*Elements 25A3 .*eligible; warning: behind a USB bridge" ||
	fail "sdb: $(line sdb)"
line sdc | grep -q "another drive has the same serial.*confirm with: usb-JMicron_Generic_0123456789ABCDEF-0:0$" ||
	fail "sdc: $(line sdc)"
line sdd | grep -q "confirm with: usb-JMicron_Generic_0123456789ABCDEF-0:1$" ||
	fail "sdd: $(line sdd)"
line nvme0n1 | grep -q "NVMe .*Samsung SSD 970 EVO Plus 1TB S4EWNX0R123456 *eligible$" ||
	fail "nvme0n1: $(line nvme0n1)"
line sde | grep -q "not eligible: holds the root or boot filesystem (/ on sde2)" ||
	fail "sde: $(line sde)"
line sdf | grep -q "not eligible: has a mounted filesystem (/srv/data set on sdf1)$" ||
	fail "sdf: $(line sdf)"
line sdg | grep -q "not eligible: has active swap (/dev/sdg1)$" ||
	fail "sdg: $(line sdg)"
line sdh | grep -q "not eligible: is in use by LVM, MD RAID or dm-crypt (sdh1 held by dm-0)$" ||
	fail "sdh: $(line sdh)"
line sdi | grep -q "not eligible: is read-only$" || fail "sdi: $(line sdi)"
line sdj | grep -q "not eligible: is larger than the maximum drive size (12.0 TB > 10.0 TB)$" ||
	fail "sdj: $(line sdj)"
grep -Eq "^/dev/(loop0|dm-0) " "$T/list" && fail "virtual disks listed without --all"
ok "text list"

# --all shows the loop device (and the LVM volume), after the real disks.
expect_rc 0 "$DISKSEED" drives --all
grep_q "$T/out" "^/dev/loop0 +100.0 MiB loop device .*eligible.*confirm with: loop0$"
grep_q "$T/out" "^/dev/dm-0 "
ok "--all"

# --json: one object per disk, the documented keys, exact values.
expect_rc 0 "$DISKSEED" drives --json --all
J="$T/out"
jq -e 'type == "array" and length == 13' "$J" >/dev/null || fail "json: not 13 disks"
jq -e 'all(.[]; keys == ["bus","busText","byId","byIds","confirmId","devnum","diskseed","driveId","eligible","logicalSectorSize","model","name","path","physicalSectorSize","readOnly","reasons","removable","rotational","serial","size","vendor","virtual","warnings"])' "$J" >/dev/null ||
	fail "json keys: $(jq -c '.[0] | keys' "$J")"
q() { jq -r ".[] | select(.name == \"$1\") | $2" "$J"; }
[ "$(q sda '[.size, .logicalSectorSize, .physicalSectorSize, .rotational, .byId, .devnum] | @csv')" = \
    '4000787030016,512,4096,true,"ata-WDC_WD40EFRX-68N32N0_WD-WCC7K1234567","8:0"' ] ||
	fail "sda: $(q sda .)"
[ "$(q sdb '[.bus, .busText, .vendor, .confirmId, .driveId, (.warnings | map(.code) | join(","))] | @csv')" = \
    '"usb","SATA behind a USB bridge","WD","57583131413132333435","57583131413132333435","usb-bridge"' ] ||
	fail "sdb: $(q sdb .)"
[ "$(q sdc '[.confirmId, .driveId, (.warnings | map(.code) | join(","))] | @csv')" = \
    '"usb-JMicron_Generic_0123456789ABCDEF-0:0","0123456789ABCDEF","usb-bridge,duplicate-serial"' ] ||
	fail "sdc: $(q sdc .)"
[ "$(q nvme0n1 '[.bus, .model, .serial, .rotational, .size] | @csv')" = \
    '"nvme","Samsung SSD 970 EVO Plus 1TB","S4EWNX0R123456",false,1000204886016' ] ||
	fail "nvme0n1: $(q nvme0n1 .)"
for want in "sde system,mounted" "sdf mounted" "sdg swap" "sdh holders" \
    "sdi read-only" "sdj too-large" "sda " "loop0 "; do
	set -- $want
	got=$(q "$1" '.reasons | map(.code) | join(",")')
	[ "$got" = "${2:-}" ] || fail "$1: reasons $got, want ${2:-none}"
	el=$(q "$1" .eligible)
	[ "$el" = "$([ -n "${2:-}" ] && echo false || echo true)" ] ||
		fail "$1: eligible $el"
done
[ "$(q sde '.reasons[0].detail')" = "/ on sde2" ] || fail "sde detail"
[ "$(q sdi '.readOnly')" = true ] || fail "sdi readOnly"
[ "$(q loop0 '[.virtual, .bus, .size] | @csv')" = 'true,"loop",104857600' ] ||
	fail "loop0: $(q loop0 .)"
ok "--json"

# --show names the disk and what to type; image files work too.
expect_rc 0 "$DISKSEED" drives --show /dev/sdc
grep_q "$T/out" "^To confirm, type: +usb-JMicron_Generic_0123456789ABCDEF-0:0$"
grep_q "$T/out" "^Bus: +SATA behind a USB bridge$"
expect_rc 0 "$DISKSEED" drives --show sda --json
jq -e '.drive.serial == "WD-WCC7K1234567" and .confirmId == "WD-WCC7K1234567" and .contents.partitions == []' "$T/out" >/dev/null ||
	fail "--show --json: $(cat "$T/out")"
expect_rc 1 "$DISKSEED" drives --show /dev/nonexistent
expect_rc 2 "$DISKSEED" drives --watch --show sda
expect_rc 2 "$DISKSEED" drives extra
ok "--show"

# The gate refuses every ineligible disk, confirmed or not; nothing written.
for dev in sde:S3Z1NB0K000001 sdf:ZFL0AAAA sdg:ZFL0BBBB sdh:ZGY0CCCC \
    sdi:Y7DDDDDD sdj:5QGEEEEE sde1:S3Z1NB0K000001; do
	name=${dev%%:*}
	expect_rc 1 "$GATE" "/dev/$name" "${dev#*:}" --write
	grep_q "$T/out" "^INELIGIBLE /dev/$name[: ]"
	[ ! -s "$UMOCKDEV_DIR/dev/$name" ] || fail "$name was written"
done
expect_rc 1 "$GATE" /dev/sdc 0123456789ABCDEF --write
grep_q "$T/out" "^NOTCONFIRMED /dev/sdc: confirm it with --confirm usb-JMicron_Generic_0123456789ABCDEF-0:0$"
[ ! -s "$UMOCKDEV_DIR/dev/sdc" ] || fail "sdc was written"
ok "gate refuses"

# prep goes through the same gate: once the engine's prep exists, it must
# refuse each of them (exit 5) and write nothing.
if "$DISKSEED" prep --help 2>/dev/null | grep -q -- "--confirm"; then
	mkdir -p "$T/staging"
	echo data > "$T/staging/f"
	for dev in sde:S3Z1NB0K000001 sdf:ZFL0AAAA sdg:ZFL0BBBB \
	    sdh:ZGY0CCCC sdi:Y7DDDDDD sdj:5QGEEEEE; do
		name=${dev%%:*}
		expect_rc 5 "$DISKSEED" prep --staging "$T/staging" \
		    --job "job-$name" --drive "/dev/$name" \
		    --confirm "${dev#*:}" -q
		[ ! -s "$UMOCKDEV_DIR/dev/$name" ] || fail "prep wrote $name"
	done
	ok "prep refuses"
else
	echo "prep is not built in this tree yet; the gate was tested directly"
fi
ok "drives list"
