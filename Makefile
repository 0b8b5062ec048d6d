# SPDX-License-Identifier: GPL-2.0
#
# tdx_host_rs: user-facing targets. Kbuild (the file next to this one) is
# what the kernel build reads; this Makefile only drives it.
#
#   make run     bootstrap, build, boot QEMU, load the emulator and the module,
#                call each SEAMCALL trampoline and print what happened
#   make check   every test: host cargo tests, lint, builds, KUnit, fault sweep and
#                kselftests in QEMU, upstream diff; one summary at the end
#   make bench   TDH.VP.ENTER's path per exit type counted in the built
#                objects, next to upstream 6.16's; TDMR planning at scale
#                (build/bench/)
#   make fresh-check
#                `make run` and `make check` in a pristine Debian 12 root, as a
#                new user meets them (root; about half an hour)
#   make htmldocs
#                Documentation/ as HTML with Sphinx into build/htmldocs/,
#                every warning an error
#   make preflight
#                build/tdx-preflight, the administrator's pre-flight check
#                (tools/tdx_preflight/; run it as root on a TDX host)
#   make host-kernel
#                the TDX host kernel (scripts/config/host.config) that make check
#                boots, in the cache
#   make host-deb [BASE_CONFIG=/boot/config-$(uname -r)]
#                Debian packages of a TDX host kernel: BASE_CONFIG + host.config,
#                LLVM=1, bindeb-pkg, into build/host-deb/ (hours on 2 cores)
#   make         build the modules against the test kernel (KDIR= to override)

SHELL := /bin/bash
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: all modules run check bench fresh-check clean bootstrap kernel preflight host-kernel host-deb htmldocs

all: modules

bootstrap:
	@$(ROOT)/scripts/bootstrap.sh

kernel:
	@$(ROOT)/scripts/kernel.sh

host-kernel:
	@$(ROOT)/scripts/kernel.sh host

host-deb:
	@BASE_CONFIG=$(BASE_CONFIG) $(ROOT)/scripts/host_deb.sh

modules:
	@$(ROOT)/scripts/modules.sh

run:
	@$(ROOT)/scripts/run.sh

check:
	@$(ROOT)/scripts/check.sh

bench:
	@$(ROOT)/scripts/bench.sh

fresh-check:
	@$(ROOT)/scripts/fresh_check.sh

htmldocs:
	@$(ROOT)/scripts/htmldocs.sh

preflight:
	@$(ROOT)/scripts/preflight.sh build

clean:
	@. $(ROOT)/scripts/env.sh; \
	if kernel_dirs 2>/dev/null && [ -d "$$KDIR_TEST" ]; then \
		$(MAKE) -C "$$KDIR_TEST" M=$(ROOT) "$${KMAKE_VARS[@]}" clean; \
	fi
	rm -rf $(ROOT)/build $(ROOT)/rust/target
