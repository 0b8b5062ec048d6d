# SPDX-License-Identifier: GPL-2.0
#
# Sourced by check.sh: contention(), the initialization against stray
# SEAMCALLs on the other CPUs, with no injected status: the emulator's
# try-locks give the busy statuses, and the host's retry must get through.

contention() {
	local log=$out/busy.log rc=0 storm state
	boot busy busy.sh 4,sockets=2,cores=2 || return 1
	tr -d '\r' < "$log" | grep -E '^guest: (FAIL|busy)|tdx_rs_busy_storm:'
	grep -q '^guest: BUSY DONE' "$log" || { echo "busy: the guest did not finish"; rc=1; }
	guest_steps "$log" || rc=1
	storm=$(tr -d '\r' < "$log" | sed -n 's/^guest: busy storm: //p')
	state=$(tr -d '\r' < "$log" | sed -n 's/^guest: busy state: //p')
	[ "$storm" = ok ] || { echo "busy: the storm module failed: $storm"; rc=1; }
	[ "$state" = initialized ] || { echo "busy: state '$state', not initialized"; rc=1; }
	tests_passed=$((tests_passed + (rc == 0)))
	tests_failed=$((tests_failed + (rc != 0)))
	"$here/splats.sh" "$log" || rc=1
	return $rc
}
