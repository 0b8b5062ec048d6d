// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel services for tdx_host_rs' Rust side (see kernel.h): memory,
 * caches and the KeyID MSR, each a thin use of what Linux exports to modules.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/numa.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/smp.h>
#include <linux/page_ref.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include "kernel.h"

#ifdef TDX_HOST_RS_EMU_SEAM
#include <linux/tdx_emu.h>
MODULE_IMPORT_NS(TDX_EMU);
#endif

int tdx_rs_k_keyid_partitioning(u32 *nr_mktme, u32 *nr_tdx)
{
#ifdef TDX_HOST_RS_EMU_SEAM
	/*
	 * Test builds only, and the only place the emulator reaches into this
	 * module: when the emulated TDX module answers SEAMCALL, its platform
	 * stands in for the KeyID partitioning MSR (QEMU's reads zero).
	 */
	typeof(&tdx_emu_keyid_partitioning) get;

	get = symbol_get(tdx_emu_keyid_partitioning);
	if (get) {
		get(nr_mktme, nr_tdx);
		symbol_put(tdx_emu_keyid_partitioning);
		return 0;
	}
#endif
	if (rdmsr_safe(MSR_IA32_MKTME_KEYID_PARTITIONING, nr_mktme, nr_tdx))
		return -ENODEV;
	return 0;
}

void *tdx_rs_k_alloc_buf(u64 size)
{
	return alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO);
}

void tdx_rs_k_free_buf(void *va, u64 size)
{
	free_pages_exact(va, size);
}

u64 tdx_rs_k_virt_to_phys(void *va)
{
	return virt_to_phys(va);
}

/*
 * Whether alloc_contig_range() may take [start, end): every page online,
 * neither reserved nor huge, all in one zone no higher than ZONE_NORMAL (as
 * upstream's alloc_contig_pages() with GFP_KERNEL: ZONE_MOVABLE's pages must
 * stay movable, and a PAMT never moves). Returns @end if so; otherwise
 * where the next try must end: at the highest page in the way, or at the
 * start of its memory section (offline) or of its zone (too high).
 */
static unsigned long contig_try_end(unsigned long start, unsigned long end)
{
	struct zone *zone = NULL;
	unsigned long pfn;

	for (pfn = end; pfn-- > start;) {
		struct page *page = pfn_to_online_page(pfn);

		if (!page)
			return ALIGN_DOWN(pfn, PAGES_PER_SECTION);
		if (!zone) {
			zone = page_zone(page);
			if (zone_idx(zone) > ZONE_NORMAL)
				return zone->zone_start_pfn;
		}
		if (page_zone(page) != zone || PageReserved(page) ||
		    PageHuge(page))
			return pfn;
	}
	return end;
}

/*
 * @nr_pages physically contiguous pages inside [lo, hi) (page aligned), as
 * high as they can be: the module cannot use alloc_contig_pages(), so it
 * tries the top of the window, then right below each page in the way, and
 * a request lower each time alloc_contig_range() cannot migrate what is in
 * the range. The Rust side chooses the windows (rust/init/tdmr/placement.rs).
 * Returns the physical address, or 0.
 */
u64 tdx_rs_k_alloc_contig_in(u64 lo, u64 hi, u64 nr_pages)
{
	unsigned long lo_pfn = PHYS_PFN(lo), end = PHYS_PFN(hi);

	while (nr_pages && end >= lo_pfn + nr_pages) {
		unsigned long start = end - nr_pages;
		unsigned long next = contig_try_end(start, end);

		cond_resched();
		if (next != end) {
			end = next;
			continue;
		}
		if (!alloc_contig_range(start, end, MIGRATE_MOVABLE,
					GFP_KERNEL | __GFP_NOWARN))
			return PFN_PHYS(start);
		end = start;
	}
	return 0;
}

void tdx_rs_k_free_contig(u64 pa, u64 nr_pages)
{
	free_contig_range(PHYS_PFN(pa), nr_pages);
}

/*
 * Clear memory the TDX module may have written with its private KeyID:
 * MOVDIR64B stores whole cache lines without reading them first, so a line
 * left poisoned by a partial write is never consumed.
 */
void tdx_rs_k_clear_phys(u64 pa, u64 size)
{
	static const u8 zero_line[64] __aligned(64);
	void *va = phys_to_virt(pa);
	u64 off;

	if (!boot_cpu_has(X86_FEATURE_MOVDIR64B)) {
		memset(va, 0, size);
		return;
	}
	for (off = 0; off < size; off += sizeof(zero_line))
		movdir64b(va + off, zero_line);
	/* MOVDIR64B is weakly ordered. */
	mb();
}

void tdx_rs_k_cond_resched(void)
{
	cond_resched();
}

struct ram_walk {
	tdx_rs_ram_func_t cb;
	void *ctx;
};

/*
 * The node of the memory at @pa: its page's node when it is online, else
 * the firmware's (ACPI SRAT) node for the address, which is where memory
 * added but not yet online will go.
 */
static int ram_nid(u64 pa)
{
	struct page *page = pfn_to_online_page(PHYS_PFN(pa));

	return page ? page_to_nid(page) : memory_add_physaddr_to_nid(pa);
}

/*
 * Hands one System RAM range to the walk's callback cut where its node
 * changes, each piece once with its node. The node is looked up once per
 * 2 MiB (a pageblock: zones, and so nodes, do not change inside one), so a
 * TiB takes half a million lookups. Node spans are not used: a node's span
 * runs from its lowest to its highest page and may hold another node's
 * memory (a DIMM, device memory or CXL memory added above it).
 */
static int ram_walk_one(struct resource *res, void *arg)
{
	struct ram_walk *walk = arg;
	u64 pos = res->start, end = res->end + 1;

	while (pos < end) {
		int nid = ram_nid(pos), ret;
		u64 next = pos;

		do {
			next = min(end, ALIGN(next + 1, SZ_2M));
			if (!(next & (SZ_1G - 1)))
				cond_resched();
		} while (next < end && ram_nid(next) == nid);
		ret = walk->cb(pos, next, nid, walk->ctx);
		if (ret)
			return ret;
		pos = next;
	}
	return 0;
}

/* Calls @cb for every System RAM range in ascending order, cut at nodes. */
int tdx_rs_k_walk_ram(tdx_rs_ram_func_t cb, void *ctx)
{
	struct ram_walk walk = { .cb = cb, .ctx = ctx };

	return walk_iomem_res_desc(IORES_DESC_NONE,
				   IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				   0, U64_MAX, &walk, ram_walk_one);
}

/* From now on the TDX module holds this module's memory: never unload. */
void tdx_rs_k_pin_module(void)
{
	__module_get(THIS_MODULE);
}

/*
 * The page references tdx_host_rs holds for the TDX module: atomic context
 * is fine for all of these (KVM makes the memory SEAMCALLs under its
 * mmu_lock). A page's reference lives in its folio.
 */
bool tdx_rs_k_try_get_page(struct page *page)
{
	return folio_try_get(page_folio(page));
}

void tdx_rs_k_put_page(struct page *page)
{
	put_page(page);
}

bool tdx_rs_k_put_page_unless_last(struct page *page)
{
	/* Drops one reference unless it is the last one: never frees. */
	return folio_ref_add_unless(page_folio(page), -1, 1);
}

u64 tdx_rs_k_page_to_phys(struct page *page)
{
	return page_to_phys(page);
}

struct page *tdx_rs_k_phys_to_page(u64 pa)
{
	unsigned long pfn = PHYS_PFN(pa);

	return pfn_valid(pfn) ? pfn_to_page(pfn) : NULL;
}

/*
 * Before a page goes to the TDX module: none of its lines may sit dirty
 * in a cache under KeyID 0 (upstream does it whatever CLFLUSH_BEFORE_ALLOC
 * says, and so does this).
 */
void tdx_rs_k_clflush_page(struct page *page)
{
	clflush_cache_range(page_to_virt(page), PAGE_SIZE);
}

/* The KeyID bits of a physical address start here (mk_keyed_paddr()). */
u32 tdx_rs_k_phys_bits(void)
{
	u32 bits = boot_cpu_data.x86_phys_bits;
#ifdef TDX_HOST_RS_EMU_SEAM
	/*
	 * Test builds: the kernel found no TME (QEMU has none), so it did not
	 * take the KeyID bits off x86_phys_bits; the emulated platform's
	 * IA32_TME_ACTIVATE says how many there are.
	 */
	typeof(&tdx_emu_tme_keyid_bits) get = symbol_get(tdx_emu_tme_keyid_bits);

	if (get) {
		bits -= get();
		symbol_put(tdx_emu_tme_keyid_bits);
	}
#endif
	return bits;
}
