#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make htmldocs: Documentation/ as HTML in build/htmldocs/, with Sphinx
# (Debian's python3-sphinx, which scripts/bootstrap.sh installs). Every
# warning is an error (-W), all of them are reported (--keep-going), every
# cross-reference must resolve (-n), and every page is read and written
# anew each time (-E -a), so a warning is never hidden by an earlier build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/htmldocs

if ! command -v sphinx-build >/dev/null; then
	echo "htmldocs: no sphinx-build: run scripts/bootstrap.sh (Debian's python3-sphinx)" >&2
	exit 1
fi
mkdir -p "$out"
sphinx-build -q -E -a -W --keep-going -n -b html \
	-d "$root/build/htmldocs-doctrees" "$root/Documentation" "$out"
echo "htmldocs: $out/index.html"
