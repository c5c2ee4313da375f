#!/bin/sh
# SPDX-License-Identifier: MIT
# The tarball carries exactly the release: every file in git except the
# ones excluded below (each with its reason), plus what autotools
# generate; nothing a build leaves behind (.o, .deps, test programs,
# logs). A file added to git but not to EXTRA_DIST (or an exclusion)
# fails here, and so does a file the tarball carries that git does not.
. "$top_srcdir/tests/lib/common.sh"
command -v git >/dev/null || skip "no git"
# The top of a checkout (make distcheck unpacks inside one: not that).
[ "$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)" = \
    "$(realpath "$top_srcdir")" ] ||
    skip "not a git checkout (a tarball has no list to compare with)"

# In git, not in the tarball (shell patterns).
excluded() {
	case $1 in
	.ci/*) ;;		# CI of a git clone (it clones the tree)
	.gitignore|*/.gitignore) ;;	# git's own
	tests/fuzz/pending/*) ;;	# crashes of bugs not yet fixed
	*) return 1 ;;
	esac
}
# In the tarball, not in git: made by autogen.sh, configure's gettext
# and make dist.
generated() {
	case $1 in
	ABOUT-NLS|aclocal.m4|configure|config.h.in|Makefile.in) ;;
	build-aux/*|m4/*) ;;
	po/Makefile.in.in|po/Rules-quot|po/*.sed|po/*.sin|po/*.header) ;;
	po/*.gmo|po/diskseed.pot|po/stamp-po) ;;
	*) return 1 ;;
	esac
}

# make distdir into $T: the tarball's contents, without the tarball.
pkg=$(realpath --relative-to="$top_builddir" "$T/pkg") || fail "realpath"
make -s -C "$top_builddir" distdir distdir="$pkg" top_distdir="$pkg" \
    >"$T/distdir.out" 2>&1 || { cat "$T/distdir.out" >&2; fail "distdir"; }
(cd "$T/pkg" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort) \
    >"$T/tar"
(cd "$top_srcdir" && git ls-files --cached --others --exclude-standard) |
    LC_ALL=C sort -u >"$T/git"
if [ ! -s "$T/git" ] || [ ! -s "$T/tar" ]; then fail "empty lists"; fi

bad=0
LC_ALL=C comm -23 "$T/git" "$T/tar" >"$T/only-git"
while IFS= read -r f; do
	excluded "$f" && continue
	[ -e "$top_srcdir/$f" ] || continue	# deleted, not yet committed
	echo "$f: in git, not in the tarball (EXTRA_DIST, or an" \
	    "exclusion in tests/dist.sh)" >&2
	bad=1
done <"$T/only-git"
LC_ALL=C comm -13 "$T/git" "$T/tar" >"$T/only-tar"
while IFS= read -r f; do
	generated "$f" && continue
	echo "$f: in the tarball, not in git" >&2
	bad=1
done <"$T/only-tar"
# An excluded file must really be left out.
while IFS= read -r f; do
	excluded "$f" && { echo "$f: excluded, yet in the tarball" >&2; bad=1; }
done <"$T/tar"
[ $bad = 0 ] || fail "the tarball's contents differ from git's"
ok "tarball: $(wc -l <"$T/tar") files, every git file but the exclusions"
