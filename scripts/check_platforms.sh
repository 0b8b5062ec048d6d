# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/check.sh: the stages on real platforms ("platforms in
# QEMU") and the LP count ("LP count in QEMU"). They use check.sh's boot(),
# guest_steps(), count_tests() and its counters.

# profile_boot PROFILE SMP [platforms.py options]: upstream's tdx_enable()
# and ours, each on a fresh emulated TDX module, on PROFILE's platform
# (scripts/guest/platform.sh); scripts/platforms.py judges the console.
profile_boot() {
	local profile=$1 smp=$2 name=platform-$1 rc=0
	local log=$out/$name.log
	shift 2
	TDX_RS_PLATFORM=$profile boot "$name" platform.sh "$smp" || return 1
	grep -E '^guest: (FAIL|platform (upstream|ours):)' "$log"
	# The planner's dry run (debugfs tdx_host_rs/plan) before and after.
	tr -d '\r' < "$log" | grep -E '^ours-plan-(before|after): (state|plan|error):'
	grep -q '^guest: PLATFORM DONE' "$log" || { echo "$name: the guest did not finish"; rc=1; }
	guest_steps "$log" || rc=1
	python3 "$here/platforms.py" "$profile" "$log" "$@" | tee "$out/$name.txt"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	count_tests "$out/$name.txt" '^platforms: [0-9]+ passed'
	"$here/splats.sh" "$log" || rc=1
	return $rc
}

# The real machines QEMU reproduces (the window of their profile), and the
# 2-node one where PAMT placement by node can be checked. On emr-2s-fcp
# upstream must fail as it did on the real machine (canonical/tdx#135).
platforms() {
	local rc=0
	rm -f "$out"/platform-*.txt "$out/platforms.log"
	profile_boot emr-2s-fcp 2,sockets=2 --upstream-fails "reserved areas exhausted" || rc=1
	profile_boot emr-2s-1tib 2,sockets=2 || rc=1
	profile_boot qemu-q35-numa 2,sockets=2 --numa || rc=1
	{ python3 "$here/platforms.py" header
	  cat "$out"/platform-*.txt 2>/dev/null | grep -v '^platforms: '; } > "$out/platforms.log"
	cat "$out/platforms.log"
	return $rc
}

# The LP count: QEMU runs 4 CPUs and the emulated TDX module counts them all
# (as a real one counts every BIOS-enabled LP), but the kernel boots with
# nr_cpus=2. tdx_rs_enable() must fail, and the console must say what to do.
lp_count() {
	local log=$out/lps.log rc=0 enable state lp_inits configs config says
	TDX_RS_PLATFORM=qemu-q35 boot lps lps.sh 4,sockets=2,cores=2 nr_cpus=2 || return 1
	grep -E '^guest: (FAIL|lps)|^tdx_host_rs: ' "$log"
	grep -q '^guest: LPS DONE' "$log" || { echo "lps: the guest did not finish"; rc=1; }
	guest_steps "$log" || rc=1
	enable=$(tr -d '\r' < "$log" | sed -n 's/^guest: lps enable: //p')
	state=$(tr -d '\r' < "$log" | sed -n 's/^guest: lps state: //p')
	lp_inits=$(tr -d '\r' < "$log" | sed -n 's/^lps-report: leaf 35 TDH.SYS.LP.INIT //p')
	configs=$(tr -d '\r' < "$log" | sed -n 's/^lps-report: leaf 45 TDH.SYS.CONFIG //p')
	config=$(tr -d '\r' < "$log" | sed -n 's/^lps-report: config: //p')
	# The TDX module refused the one TDH.SYS.CONFIG: nothing configured.
	if [ "$enable" != ok ] && [ "$state" = failed ] && [ "$lp_inits" = 2 ] &&
		[ "$configs" = 1 ] && [ "$config" = none ]; then
		echo "lps: ok   tdx_rs_enable() fails: TDH.SYS.CONFIG refused after TDH.SYS.LP.INIT on the kernel's 2 CPUs of 4 LPs"
		tests_passed=$((tests_passed + 1))
	else
		echo "lps: FAIL tdx_rs_enable(): '$enable', state '$state', TDH.SYS.LP.INIT calls '$lp_inits', TDH.SYS.CONFIG calls '$configs', configured '$config'"
		tests_failed=$((tests_failed + 1)); rc=1
	fi
	says=$(tr -d '\r' < "$log" | grep '^tdx_host_rs: ' | grep 'nr_cpus' | grep 'LP.INIT')
	if [ -n "$says" ]; then
		echo "lps: ok   the console says what to do: $says"
		tests_passed=$((tests_passed + 1))
	else
		echo "lps: FAIL no tdx_host_rs line names nr_cpus and LP.INIT"
		tests_failed=$((tests_failed + 1)); rc=1
	fi
	"$here/splats.sh" "$log" || rc=1
	return $rc
}
