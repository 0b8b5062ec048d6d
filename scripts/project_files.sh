#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# project_files.sh: the files a kernel build of the project needs (Kbuild,
# Kconfig, include/, rust/, tools/ and scripts/td_image.py, which test builds
# run), as the work tree has them; not the host test crates nor the
# pre-flight program. For copying the project into a scratch or kernel tree.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -co --exclude-standard -- Kbuild Kconfig include rust tools \
		scripts/td_image.py |
	grep -v '^\(rust\|tools/testing/tdx_emu\)/\(Cargo\|core_tests.rs\)' |
	grep -v '^tools/tdx_preflight/\|^rust/preflight_api.rs$' |
	while read -r f; do
		[ -f "$f" ] && echo "$f"
	done
