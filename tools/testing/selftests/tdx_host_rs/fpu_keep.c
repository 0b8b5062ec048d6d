// SPDX-License-Identifier: GPL-2.0
/*
 * fpu_keep: this task's XMM0-15 survive TD entries the kernel makes in its
 * own context (tdx_rs_fpu_probe's /sys/kernel/debug/tdx_rs_fpu/enter, which
 * enters a TD through the KVM-shaped consumer). The TDX module initializes
 * the live extended state at every TD exit; only the host's FPU save keeps
 * the task's registers.
 *
 * Pinned to the vCPU's CPU, it loads a pattern into XMM0-15, makes the
 * write(2) itself (the raw instruction: nothing between touches an XMM
 * register) and stores XMM0-15 back, all in one asm statement. A write that
 * returns -EAGAIN (the registers were not live, or another CPU) proves
 * nothing and is retried. Exit 0 after ENTRIES good entries kept the
 * pattern; 1 when one did not, or on any other error; 4 (skip) without the
 * probe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DIR		"/sys/kernel/debug/tdx_rs_fpu"
#define ENTRIES		32
#define TRIES		1000
#define KSFT_SKIP	4

static long enter_once(int fd, const unsigned char *in, unsigned char *out)
{
	static const char one = '1';
	long ret;

	asm volatile("movdqu 0x00(%[in]), %%xmm0\n\tmovdqu 0x10(%[in]), %%xmm1\n\t"
		     "movdqu 0x20(%[in]), %%xmm2\n\tmovdqu 0x30(%[in]), %%xmm3\n\t"
		     "movdqu 0x40(%[in]), %%xmm4\n\tmovdqu 0x50(%[in]), %%xmm5\n\t"
		     "movdqu 0x60(%[in]), %%xmm6\n\tmovdqu 0x70(%[in]), %%xmm7\n\t"
		     "movdqu 0x80(%[in]), %%xmm8\n\tmovdqu 0x90(%[in]), %%xmm9\n\t"
		     "movdqu 0xa0(%[in]), %%xmm10\n\tmovdqu 0xb0(%[in]), %%xmm11\n\t"
		     "movdqu 0xc0(%[in]), %%xmm12\n\tmovdqu 0xd0(%[in]), %%xmm13\n\t"
		     "movdqu 0xe0(%[in]), %%xmm14\n\tmovdqu 0xf0(%[in]), %%xmm15\n\t"
		     "syscall\n\t"
		     "movdqu %%xmm0, 0x00(%[out])\n\tmovdqu %%xmm1, 0x10(%[out])\n\t"
		     "movdqu %%xmm2, 0x20(%[out])\n\tmovdqu %%xmm3, 0x30(%[out])\n\t"
		     "movdqu %%xmm4, 0x40(%[out])\n\tmovdqu %%xmm5, 0x50(%[out])\n\t"
		     "movdqu %%xmm6, 0x60(%[out])\n\tmovdqu %%xmm7, 0x70(%[out])\n\t"
		     "movdqu %%xmm8, 0x80(%[out])\n\tmovdqu %%xmm9, 0x90(%[out])\n\t"
		     "movdqu %%xmm10, 0xa0(%[out])\n\tmovdqu %%xmm11, 0xb0(%[out])\n\t"
		     "movdqu %%xmm12, 0xc0(%[out])\n\tmovdqu %%xmm13, 0xd0(%[out])\n\t"
		     "movdqu %%xmm14, 0xe0(%[out])\n\tmovdqu %%xmm15, 0xf0(%[out])"
		     : "=a" (ret)
		     : "a" ((long)SYS_write), "D" ((long)fd), "S" (&one), "d" (1L),
		       [in] "r" (in), [out] "r" (out)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		       "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
		       "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

int main(void)
{
	unsigned char in[256], out[256];
	int fd, cpu, good = 0, tries;
	cpu_set_t set;
	FILE *f;

	f = fopen(DIR "/cpu", "r");
	if (!f) {
		printf("# no %s: tdx_rs_fpu_probe is not loaded\n", DIR);
		return KSFT_SKIP;
	}
	if (fscanf(f, "%d", &cpu) != 1 || cpu < 0) {
		printf("# %s/cpu: no CPU\n", DIR);
		return 1;
	}
	fclose(f);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		printf("# cannot run on CPU %d: %s\n", cpu, strerror(errno));
		return 1;
	}
	fd = open(DIR "/enter", O_WRONLY);
	if (fd < 0) {
		printf("# %s/enter: %s\n", DIR, strerror(errno));
		return 1;
	}
	for (tries = 0; tries < TRIES && good < ENTRIES; tries++) {
		long ret;
		int i;

		for (i = 0; i < 256; i++)
			in[i] = (unsigned char)(0x5a ^ i ^ tries);
		memset(out, 0, sizeof(out));
		ret = enter_once(fd, in, out);
		if (ret == -EAGAIN)
			continue;
		if (ret != 1) {
			printf("# enter: %ld\n", ret);
			return 1;
		}
		for (i = 0; i < 16; i++) {
			if (memcmp(in + 16 * i, out + 16 * i, 16)) {
				printf("# XMM%d changed by TD entry %d: %02x.. instead of %02x..\n",
				       i, good, out[16 * i], in[16 * i]);
				return 1;
			}
		}
		good++;
	}
	printf("# %d TD entries on CPU %d kept XMM0-15 (%d tries)\n", good, cpu, tries);
	return good == ENTRIES ? 0 : 1;
}
