// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/tdx_emu: the emulator's controls for shell scripts.
 *
 *   report   read: state, per-leaf SEAMCALL counts, the last configuration
 *            and its TDMRs (report.rs)
 *   inject   write "LEAF NTH status 0xSTATUS" | "LEAF NTH vmfail" |
 *            "LEAF NTH ud", each optionally followed by "xTIMES": the NTH
 *            (1 = next) call of LEAF and the TIMES - 1 after it fail so
 *   mode     write 0 (normal), 1 (every call VMfailInvalid), 2 (every call #UD)
 *   reset    write anything: back to the state at load
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "glue.h"

static struct dentry *tdx_emu_dir;

/* Room for the leaves and a line for each of 64 TDMRs. */
#define REPORT_SIZE (4 * PAGE_SIZE)

static ssize_t report_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	char *buf = kzalloc(REPORT_SIZE, GFP_KERNEL);
	ssize_t ret;
	u64 len;

	if (!buf)
		return -ENOMEM;
	len = tdx_emu_report(buf, REPORT_SIZE);
	ret = simple_read_from_buffer(ubuf, count, ppos, buf, len);
	kfree(buf);
	return ret;
}

/* Copies a short user string, NUL-terminated, newline stripped. */
static int get_line(const char __user *ubuf, size_t count, char *line,
		    size_t size)
{
	if (count == 0 || count >= size)
		return -EINVAL;
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';
	strim(line);
	return 0;
}

/*
 * "LEAF NTH KIND [0xSTATUS] [xTIMES]": KIND is status (with a status), vmfail
 * or ud; TIMES consecutive calls from the NTH on fail so (default 1).
 */
static ssize_t inject_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char line[80], kind[16], rest[32] = "", times_s[16] = "";
	unsigned int leaf, nth, times = 1;
	u64 status = 0;
	u32 fault;
	int ret, n;

	ret = get_line(ubuf, count, line, sizeof(line));
	if (ret)
		return ret;
	n = sscanf(line, "%u %u %15s %31s %15s", &leaf, &nth, kind, rest,
		   times_s);
	if (n < 3 || leaf > U16_MAX)
		return -EINVAL;
	if (!strcmp(kind, "status")) {
		if (n < 4 || kstrtou64(rest, 16, &status))
			return -EINVAL;
		fault = TDX_EMU_FAULT_STATUS;
	} else if (!strcmp(kind, "vmfail") || !strcmp(kind, "ud")) {
		if (n == 5)
			return -EINVAL;
		strscpy(times_s, rest);
		fault = strcmp(kind, "ud") ? TDX_EMU_FAULT_VMFAILINVALID :
					     TDX_EMU_FAULT_UD;
	} else {
		return -EINVAL;
	}
	if (times_s[0] && (times_s[0] != 'x' || kstrtouint(times_s + 1, 10, &times)))
		return -EINVAL;
	ret = tdx_emu_inject(leaf, nth, times, fault, status);
	return ret ? ret : count;
}

static ssize_t mode_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	u32 mode;
	int ret = kstrtou32_from_user(ubuf, count, 0, &mode);

	if (ret)
		return ret;
	ret = tdx_emu_set_mode(mode);
	return ret ? ret : count;
}

static ssize_t reset_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	tdx_emu_reset();
	return count;
}

/*
 * 1 arms the allocation failure after the last TDH.SYS.TDMR.INIT, 0
 * disarms; reads 0 (off), 1 (armed) or 2 (fired).
 */
static int fail_alloc_get(void *data, u64 *val)
{
	*val = tdx_emu_fail_alloc_state();
	return 0;
}

static int fail_alloc_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	return tdx_emu_fail_alloc_after_init(val);
}
DEFINE_DEBUGFS_ATTRIBUTE(fail_alloc_fops, fail_alloc_get, fail_alloc_set, "%llu\n");

static int pamt_free_get(void *data, u64 *val)
{
	long n = tdx_emu_pamt_free_pages();

	if (n < 0)
		return n;
	*val = n;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pamt_free_fops, pamt_free_get, NULL, "%llu\n");

static const struct file_operations report_fops = {
	.owner = THIS_MODULE,
	.read = report_read,
	.llseek = default_llseek,
};

static const struct file_operations inject_fops = {
	.owner = THIS_MODULE,
	.write = inject_write,
};

static const struct file_operations mode_fops = {
	.owner = THIS_MODULE,
	.write = mode_write,
};

static const struct file_operations reset_fops = {
	.owner = THIS_MODULE,
	.write = reset_write,
};

void tdx_emu_debugfs_create(void)
{
	tdx_emu_dir = debugfs_create_dir("tdx_emu", NULL);
	debugfs_create_file("report", 0400, tdx_emu_dir, NULL, &report_fops);
	debugfs_create_file("inject", 0200, tdx_emu_dir, NULL, &inject_fops);
	debugfs_create_file("mode", 0200, tdx_emu_dir, NULL, &mode_fops);
	debugfs_create_file("reset", 0200, tdx_emu_dir, NULL, &reset_fops);
	debugfs_create_file_unsafe("fail_alloc_after_init", 0600, tdx_emu_dir,
				   NULL, &fail_alloc_fops);
	debugfs_create_file_unsafe("pamt_free_pages", 0400, tdx_emu_dir, NULL,
				   &pamt_free_fops);
}

void tdx_emu_debugfs_remove(void)
{
	debugfs_remove_recursive(tdx_emu_dir);
}
