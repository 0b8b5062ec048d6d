// SPDX-License-Identifier: GPL-2.0
/*
 * The TD life-cycle API (include/linux/tdx_host_rs.h), exported GPL in
 * namespace TDX_HOST_RS: thin shims over the Rust side (rust/td/), which
 * checks the arguments, makes the SEAMCALL and keeps the page references
 * the ownership rules ask for. What stays here is the export, which the
 * kernel crate of Linux 6.12 cannot do.
 */
#include <linux/export.h>
#include "kernel.h"

u64 tdx_rs_mng_create(struct tdx_rs_td *td, u16 hkid)
{
	return tdx_rs_rs_mng_create(td, hkid);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mng_create, TDX_HOST_RS);

u64 tdx_rs_mng_addcx(struct tdx_rs_td *td, struct page *tdcs_page)
{
	return tdx_rs_rs_mng_addcx(td, tdcs_page);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mng_addcx, TDX_HOST_RS);

u64 tdx_rs_mng_key_config(struct tdx_rs_td *td)
{
	return tdx_rs_rs_mng_key_config(td);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mng_key_config, TDX_HOST_RS);

u64 tdx_rs_mng_init(struct tdx_rs_td *td, u64 td_params, u64 *extended_err)
{
	return tdx_rs_rs_mng_init(td, td_params, extended_err);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mng_init, TDX_HOST_RS);

u64 tdx_rs_mng_rd(struct tdx_rs_td *td, u64 field, u64 *data)
{
	return tdx_rs_rs_mng_rd(td, field, data);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mng_rd, TDX_HOST_RS);

u64 tdx_rs_mng_vpflushdone(struct tdx_rs_td *td)
{
	return tdx_rs_rs_mng_vpflushdone(td);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mng_vpflushdone, TDX_HOST_RS);

u64 tdx_rs_mng_key_freeid(struct tdx_rs_td *td)
{
	return tdx_rs_rs_mng_key_freeid(td);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mng_key_freeid, TDX_HOST_RS);

u64 tdx_rs_vp_create(struct tdx_rs_td *td, struct tdx_rs_vp *vp)
{
	return tdx_rs_rs_vp_create(td, vp);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_vp_create, TDX_HOST_RS);

u64 tdx_rs_vp_addcx(struct tdx_rs_vp *vp, struct page *tdcx_page)
{
	return tdx_rs_rs_vp_addcx(vp, tdcx_page);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_vp_addcx, TDX_HOST_RS);

u64 tdx_rs_vp_init(struct tdx_rs_vp *vp, u64 initial_rcx, u32 x2apicid)
{
	return tdx_rs_rs_vp_init(vp, initial_rcx, x2apicid);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_vp_init, TDX_HOST_RS);

u64 tdx_rs_vp_rd(struct tdx_rs_vp *vp, u64 field, u64 *data)
{
	return tdx_rs_rs_vp_rd(vp, field, data);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_vp_rd, TDX_HOST_RS);

u64 tdx_rs_vp_wr(struct tdx_rs_vp *vp, u64 field, u64 data, u64 mask)
{
	return tdx_rs_rs_vp_wr(vp, field, data, mask);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_vp_wr, TDX_HOST_RS);

u64 tdx_rs_vp_flush(struct tdx_rs_vp *vp)
{
	return tdx_rs_rs_vp_flush(vp);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_vp_flush, TDX_HOST_RS);

u64 tdx_rs_mem_sept_add(struct tdx_rs_td *td, u64 gpa, int level,
			struct page *page, u64 *ext_err1, u64 *ext_err2)
{
	return tdx_rs_rs_mem_sept_add(td, gpa, level, page, ext_err1, ext_err2);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mem_sept_add, TDX_HOST_RS);

u64 tdx_rs_mem_page_add(struct tdx_rs_td *td, u64 gpa, struct page *page,
			struct page *source, u64 *ext_err1, u64 *ext_err2)
{
	return tdx_rs_rs_mem_page_add(td, gpa, page, source, ext_err1,
				      ext_err2);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mem_page_add, TDX_HOST_RS);

u64 tdx_rs_mem_page_aug(struct tdx_rs_td *td, u64 gpa, int level,
			struct page *page, u64 *ext_err1, u64 *ext_err2)
{
	return tdx_rs_rs_mem_page_aug(td, gpa, level, page, ext_err1, ext_err2);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mem_page_aug, TDX_HOST_RS);

u64 tdx_rs_mem_range_block(struct tdx_rs_td *td, u64 gpa, int level,
			   u64 *ext_err1, u64 *ext_err2)
{
	return tdx_rs_rs_mem_range_block(td, gpa, level, ext_err1, ext_err2);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mem_range_block, TDX_HOST_RS);

u64 tdx_rs_mem_track(struct tdx_rs_td *td)
{
	return tdx_rs_rs_mem_track(td);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mem_track, TDX_HOST_RS);

u64 tdx_rs_mem_page_remove(struct tdx_rs_td *td, u64 gpa, u64 level,
			   u64 *ext_err1, u64 *ext_err2)
{
	return tdx_rs_rs_mem_page_remove(td, gpa, level, ext_err1, ext_err2);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mem_page_remove, TDX_HOST_RS);

u64 tdx_rs_mr_extend(struct tdx_rs_td *td, u64 gpa, u64 *ext_err1,
		     u64 *ext_err2)
{
	return tdx_rs_rs_mr_extend(td, gpa, ext_err1, ext_err2);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mr_extend, TDX_HOST_RS);

u64 tdx_rs_mr_finalize(struct tdx_rs_td *td)
{
	return tdx_rs_rs_mr_finalize(td);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_mr_finalize, TDX_HOST_RS);

u64 tdx_rs_phymem_page_reclaim(struct page *page, u64 *tdx_pt, u64 *tdx_owner,
			       u64 *tdx_size)
{
	return tdx_rs_rs_phymem_page_reclaim(page, tdx_pt, tdx_owner, tdx_size);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_phymem_page_reclaim, TDX_HOST_RS);

u64 tdx_rs_phymem_cache_wb(bool resume)
{
	return tdx_rs_rs_phymem_cache_wb(resume);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_phymem_cache_wb, TDX_HOST_RS);

u64 tdx_rs_phymem_page_wbinvd_tdr(struct tdx_rs_td *td)
{
	return tdx_rs_rs_phymem_page_wbinvd_tdr(td);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_phymem_page_wbinvd_tdr, TDX_HOST_RS);

u64 tdx_rs_phymem_page_wbinvd_hkid(u64 hkid, struct page *page)
{
	return tdx_rs_rs_phymem_page_wbinvd_hkid(hkid, page);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_phymem_page_wbinvd_hkid, TDX_HOST_RS);

u64 tdx_rs_leaked_pages(void)
{
	return tdx_rs_rs_leaked_pages();
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_leaked_pages, TDX_HOST_RS);
