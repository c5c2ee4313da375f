#!/bin/sh
# SPDX-License-Identifier: MIT
# The publish-settings screen: a missing file, bad XML, an expired
# certificate (refused in place, nothing saved), Tab completion, two
# subscriptions listed with expiry, the chosen one imported (0600); then
# the status screen says the service cannot be reached.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
command -v expect >/dev/null || skip "expect not installed"

A=0a1b2c3d-0000-4000-8000-00000000000a
B=0b1b2c3d-0000-4000-8000-00000000000b
mkmgmt good 30
mkmgmt old -1
mkdir "$T/ps"
mkpublish2 "$T/ps/two.publishsettings" https://127.0.0.1:1 \
	"$A:First:good" "$B:Second:good"
mkpublish2 "$T/ps/old.publishsettings" https://127.0.0.1:1 "$A:Old:old"
printf '<PublishData><PublishProfile>' > "$T/ps/bad.publishsettings"
cp "$T/good.pem" "$T/ps/ca.pem"
PS=$T/ps
export PS A B
expect -f "$top_srcdir/tests/wizard/settings-run.exp" || fail "settings.exp"
ST=$T/config/diskseed
[ "$(stat -c %a "$ST/settings.json")" = 600 ] || fail "settings.json mode"
grep -q "$B" "$ST/settings.json" || fail "not the chosen subscription"
grep -q "$PS/ca.pem" "$ST/settings.json" || fail "CA file not kept"
ok "settings screen"
