#!/bin/sh
# SPDX-License-Identifier: MIT
# Authentication: a certificate the service does not know, an expired
# one, and a service certificate the client does not trust all fail
# with a clear message and exit 6.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/apiclient.sh"
client_setup
expect_rc 0 "$DISKSEED" locations

# A certificate the service never registered: 403 AuthenticationFailed.
mkmgmt stranger 30
mkpublish2 "$T/stranger.publishsettings" "$DS_IMPORTD_URL" \
	"$DS_IMPORTD_SUBSCRIPTION:Stranger:stranger"
export XDG_STATE_HOME=$T/state-stranger XDG_CONFIG_HOME=$T/config-stranger
expect_rc 0 "$DISKSEED" settings import "$T/stranger.publishsettings" \
	--ca-file "$DS_IMPORTD_CA"
expect_rc 6 "$DISKSEED" status
grep_q "$T/err" "refused the certificate.*403 AuthenticationFailed"
expect_rc 6 "$DISKSEED" locations
grep_q "$T/err" "403 AuthenticationFailed"

# The registered certificate, expired since the import (the settings'
# certificate is replaced by one of the same subject that expired
# yesterday, signed by the service's CA when the helper can).
export XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
S=$T/config/diskseed/settings.json
openssl req -new -key "$DS_IMPORTD_KEY" -subj "/CN=alice" -out "$T/alice.csr" \
	2>/dev/null || fail "csr"
openssl x509 -req -in "$T/alice.csr" -key "$DS_IMPORTD_KEY" -days -1 \
	-out "$T/alice-old.pem" 2>/dev/null || fail "expired cert"
python3 - "$S" "$T/alice-old.pem" <<'EOP' 2>/dev/null ||
import json, sys
s = json.load(open(sys.argv[1]))
s["certificate"] = open(sys.argv[2]).read()
json.dump(s, open(sys.argv[1], "w"))
EOP
	skip "python3 not found"
chmod 600 "$S"
expect_rc 6 "$DISKSEED" locations
grep_q "$T/err" "403 AuthenticationFailed.*has expired: import new publish"
expect_rc 0 "$DISKSEED" settings show
grep_q "$T/out" "EXPIRED"

# A service the client cannot verify (no --ca-file): TLS refused, no
# fallback to an unverified connection.
export XDG_STATE_HOME=$T/state-noca XDG_CONFIG_HOME=$T/config-noca
expect_rc 0 "$DISKSEED" settings import "$DS_IMPORTD_PUBLISHSETTINGS"
expect_rc 6 "$DISKSEED" locations
grep_q "$T/err" "secure connection to the import service failed"
ok "auth"
