#!/bin/sh
# SPDX-License-Identifier: MIT
# Generates configure and the Makefile templates from a git checkout.
set -e
cd "$(dirname "$0")"
autoreconf -fi
# automake copies test-driver but not always the TAP driver we use.
if [ ! -f build-aux/tap-driver.sh ]; then
	for d in /usr/share/automake-*; do
		[ -f "$d/tap-driver.sh" ] && cp "$d/tap-driver.sh" build-aux/ && break
	done
fi
