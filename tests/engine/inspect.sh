#!/bin/sh
# SPDX-License-Identifier: MIT
# inspect reads a drive without any key; its manifest hash and header hash
# are the ones doc/format.md defines (computed here from the bytes), the
# same prep printed and kept in jobs/NAME/drives.json; the manifests hold
# every file's SHA-256, right for every regular file of staging.
set -eu
. "$top_srcdir/tests/lib/engine.sh"
DSIMG="perl $top_srcdir/tests/lib/dsimg"

mkcorpus -n 200 -b 9M -r 1M -s 2M "$T/st"
mkdrives 3 8M
# shellcheck disable=SC2086
prep 0 "$T/st" insp $DRIVES
cp "$T/out" "$T/prep.out"
# shellcheck disable=SC2086
set -- $(used_drives $DRIVES)
[ $# -ge 2 ] || fail "want at least 2 drives, got $#"
last=$(eval echo "\${$#}")
cp -a "$XDG_STATE_HOME" "$T/state-prep"
export XDG_STATE_HOME="$T/nokeys"

i=0
for d; do
	b=$(basename "$d")
	hashes=$($DSIMG hashes "$d") || fail "no trailer on $b"
	mh=${hashes%% *} hh=${hashes#* }
	expect_rc 0 "$DISKSEED" inspect "$d"
	grep_q "$T/out" "insp"
	grep_q "$T/out" "$mh"
	grep_q "$T/out" "$hh"
	expect_rc 0 "$DISKSEED" inspect --json "$d"
	islast=0
	[ "$d" = "$last" ] && islast=1
	MH=$mh HH=$hh I=$i L=$islast perl -MJSON::PP -0ne '
	    $j = decode_json($_);
	    die "manifestHash\n" unless $j->{manifestHash} eq $ENV{MH};
	    die "headerHash\n" unless $j->{headerHash} eq $ENV{HH};
	    die "index\n" unless $j->{index} == $ENV{I};
	    die "job\n" unless $j->{job} eq "insp";
	    die "complete\n" unless $j->{complete};
	    die "last\n" unless ($j->{last} ? 1 : 0) == $ENV{L};' \
	    < "$T/out" 2> "$T/why" || fail "inspect --json of $b: $(cat "$T/why")"
	# What prep printed and kept for the import job.
	grep_q "$T/prep.out" "$b.*$mh"
	grep_q "$T/prep.out" "$b.*$hh"
	grep_q "$T/state-prep/diskseed/jobs/insp/drives.json" "$mh"
	grep_q "$T/state-prep/diskseed/jobs/insp/drives.json" "$hh"
	$DSIMG manifest "$d" > "$T/m$i.json"
	i=$((i + 1))
done
ok "inspect without keys; hashes as defined"

# Every regular file of staging (each hard-linked file once) has its
# SHA-256 in a manifest.
cat "$T"/m*.json | perl -MJSON::PP -ne 'next unless /\S/;
	$m = decode_json($_);
	for $f (@{$m->{files}}) {
		next unless $f->{type} eq "file" && defined $f->{sha256};
		$p = $f->{path};
		utf8::encode($p);
		$p = pack("H*", $f->{pathHex}) if defined $f->{pathHex};
		print unpack("H*", $p), " $f->{sha256}\n";
	}' | sort > "$T/manifest.sha"
(cd "$T/st" && find . -type f -links 1 -printf '%P\0') |
    ST=$T/st perl -0 -MDigest::SHA -ne 'chomp;
	print unpack("H*", $_), " ",
	    Digest::SHA->new(256)->addfile("$ENV{ST}/$_")->hexdigest, "\n"' |
    sort > "$T/staging.sha"
n=$(wc -l < "$T/staging.sha")
[ "$n" -gt 200 ] || fail "only $n files in staging"
missing=$(join -v 1 "$T/staging.sha" "$T/manifest.sha" | head -n 5)
[ -z "$missing" ] || fail "files without their SHA-256 in a manifest: $missing"
ok "$n file hashes in the manifests"
