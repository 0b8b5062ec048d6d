#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# splats.sh LOG: print every report of the kernel's bug detectors in a console
# log (KASAN, UBSAN, lockdep, kmemleak, WARN, BUG, oops, panic, stalls) and
# exit with their count, 0 when the log is clean.
set -euo pipefail

pattern='BUG: |WARNING: |UBSAN: |Oops|general protection fault|kernel BUG at'
pattern+='|Kernel panic|unreferenced object|Call Trace:|INFO: (possible|task|rcu)'
pattern+='|rcu: INFO|detected stalls|hung_task|kmemleak: [0-9]+ new suspected'

n=$(grep -c -E "$pattern" "$1" || true)
if [ "$n" -gt 0 ]; then
	grep -n -E "$pattern" "$1" | head -40
fi
echo "splats: $n"
exit $((n > 0 ? 1 : 0))
