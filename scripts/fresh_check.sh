#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make fresh-check: the README's two commands as a new user meets them, in a
# pristine Debian 12 root (mmdebstrap --variant=minbase, plus make and git),
# built from this machine's configured apt sources. The root gets the host's
# local CA certificates (the network's trust: the registries may be reached
# through a TLS proxy) and nothing else of the host's software; the project
# is cloned into it at the current commit, with an empty home and an empty
# kernel cache. /proc, /sys and /dev are bound in. `make run` and then
# `make check` run inside as root; for each, the exit status, the wall time
# and the last line are printed. The last line sums both:
# "fresh-check: P passed, F failed", where `make run` counts as one case and
# `make check` adds the cases of its own last line (one failure if it has
# none). The root is removed after a clean pass and kept for a look after a
# failure, until the next run.
#
# For a developer: TDX_RS_FRESH_COMMIT picks another commit to clone, and
# TDX_RS_FRESH_CMDS other commands (default "make run;make check").
set -euo pipefail
. "$(dirname "$0")/env.sh"

say() { printf 'fresh-check: %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || { say "needs root (mmdebstrap, chroot, mounts)" >&2; exit 1; }

work=${TDX_RS_FRESH:-$TDX_RS_CACHE/fresh}
root=$work/root
mounts=(proc sys dev)

unmount_all() {
	local m
	for m in "${mounts[@]}"; do
		if mountpoint -q "$root/$m"; then
			umount "$root/$m" || umount -l "$root/$m"
		fi
	done
}
# remove_root: only once nothing of the host is mounted inside it.
remove_root() {
	unmount_all
	if [ -d "$root" ] && [ -n "$(findmnt -rn -o TARGET | grep -F "$root/" || true)" ]; then
		say "something is still mounted under $root: not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$root"
}
trap unmount_all EXIT

if ! command -v mmdebstrap >/dev/null; then
	say "installing mmdebstrap (on this machine, to build the root)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi

# The machine's configured Debian sources, and its apt settings for reaching
# them (Acquire:: options such as proxies). Sources of other archives are
# left out: their keyrings are not in a pristine root.
sources=() aptopts=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -s "$f" ] || continue
	grep -qE '^[^#]*bookworm' "$f" || continue
	if grep -qiE '^[^#]*signed-by' "$f" && ! grep -qiE '^[^#]*signed-by:? *=?/usr/share/keyrings/debian-archive-keyring' "$f"; then
		continue
	fi
	sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { say "no Debian 12 apt sources configured on this machine" >&2; exit 1; }
for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
	[ -f "$f" ] && grep -q '^[[:space:]]*Acquire::' "$f" && aptopts+=("--aptopt=$f")
done

commit=$(git -C "$TDX_RS_ROOT" rev-parse "${TDX_RS_FRESH_COMMIT:-HEAD}")
IFS=';' read -r -a cmds <<<"${TDX_RS_FRESH_CMDS:-make run;make check}"
if [ -n "$(git -C "$TDX_RS_ROOT" status --porcelain --untracked-files=no)" ]; then
	say "note: uncommitted changes are not part of the check, which clones commit $commit"
fi

remove_root
mkdir -p "$work"
say "building a pristine Debian 12 root in $root from ${sources[*]}"
start=$(date +%s)
mmdebstrap --quiet --variant=minbase --include=ca-certificates,make,git \
	${aptopts[@]+"${aptopts[@]}"} bookworm "$root" "${sources[@]}"
say "root ready in $(($(date +%s) - start)) s"

# The network's trust: the host's local CA certificates, and its resolver.
if compgen -G '/usr/local/share/ca-certificates/*' >/dev/null; then
	mkdir -p "$root/usr/local/share/ca-certificates"
	cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
[ -f /etc/resolv.conf ] && cp -L /etc/resolv.conf "$root/etc/resolv.conf"

for m in "${mounts[@]}"; do
	mount --bind "/$m" "$root/$m"
done
chroot "$root" update-ca-certificates >/dev/null 2>&1 ||
	{ say "update-ca-certificates failed in the root" >&2; exit 1; }

git clone --quiet --no-local "$TDX_RS_ROOT" "$root/root/tdx_host_rs"
git -C "$root/root/tdx_host_rs" checkout --quiet --detach "$commit"
say "cloned $commit into /root/tdx_host_rs; home and kernel cache empty"

# inside CMD: CMD in the project's clone, as root with a login's environment
# and nothing of this one.
inside() {
	chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb \
		LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "cd /root/tdx_host_rs && $1"
}

passed=0 failed=0 results=()
for cmd in "${cmds[@]}"; do
	log=$work/${cmd// /_}.log
	say "$cmd (output: $log)"
	start=$(date +%s)
	rc=0
	inside "$cmd" > "$log" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	last=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
	results+=("$(printf '  %-10s exit %d  %5d s  last line: %s' "$cmd" "$rc" "$secs" "$last")")
	counts=$(sed -nE 's/^check: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' <<<"$last")
	if [ "$cmd" = "make check" ] && [ -n "$counts" ]; then
		passed=$((passed + ${counts% *}))
		failed=$((failed + ${counts#* }))
		[ "$rc" -eq 0 ] || [ "${counts#* }" -gt 0 ] || failed=$((failed + 1))
	elif [ "$cmd" = "make check" ]; then
		tail -n 30 "$log"
		say "make check printed no summary"
		failed=$((failed + 1))
	elif [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		tail -n 30 "$log"
		failed=$((failed + 1))
	fi
done

say "in a pristine Debian 12 root, commit $commit:"
printf '%s\n' "${results[@]}"
if [ $failed -eq 0 ]; then
	remove_root
else
	unmount_all
	say "the root stays in $root for a look"
fi
echo "fresh-check: $passed passed, $failed failed"
[ $failed -eq 0 ]
