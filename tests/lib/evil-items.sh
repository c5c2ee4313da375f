# SPDX-License-Identifier: MIT
# The hostile drive of issue 12's attack classes, one list for restore
# and verify --deep (tests/engine/evil.sh) and for receive
# (tests/ingest/receive-evil.sh): items of tests/lib/mkevil (its header
# documents them), each archive entry and manifest row lying to the
# other. Source after common.sh.
#
#   evil_host            makes $T/host.txt (HOSTSECRET, a host file the
#                        drive points at) and $T/outside (a folder a
#                        symbolic link of the drive points at)
#   evil_items EXTRA...  prints the items, one a line: the honest ok.txt,
#                        every lie, EXTRA, the honest zz.txt last
#   evil_names           the paths (extended regexes) a run must name as
#                        damage
#   evil_lost            the paths that must be neither restored nor
#                        stored

evil_host() {
	mkdir -p "$T/outside"
	echo HOSTSECRET >"$T/host.txt"
}

evil_items() {
	huge=4611686018427387904	# 2^62
	printf '%s\n' "f:ok.txt:fine" \
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
	    "r:hardlink:hl2:" "a:f:abs:x" "r:file:$T/abs:size=1" \
	    "a:f:part:abcdefgh" "r:file:part:size=4,len=4,off=2,last=0" \
	    "$@" "f:zz.txt:end"
}

evil_names='leak L/through\.txt L/\.\./\.\./X ghost dev zero big huge fifo hl hl2 [^[:space:]]*/abs part'
evil_lost='leak dev zero big huge fifo hl hl2 part'
