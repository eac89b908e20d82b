// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "probe_table.h"

/*
 * Every function probe of bpf/trace.bpf.c, the kernel's (fentry/fexit) and
 * QEMU's (uprobes). A new kernel that renames a
 * function gets its new name added in front; the old name stays for the
 * kernels that still have it.
 */
static const struct probe_target probe_targets[] = {
	/* iommufd: the dirty ioctls' handlers */
	{ "get_dirty", { "iommufd_hwpt_get_dirty_bitmap" } },
	{ "set_tracking", { "iommufd_hwpt_set_dirty_tracking" } },
	/* VFIO type1 and the device's own dirty log (vfio-pci variants) */
	{ "type1_ioctl", { "vfio_iommu_type1_ioctl" } },
	{ "type1_user_bitmap", { "update_user_bitmap" } },
	{ "device_log", { "vfio_device_log_read_and_clear" } },
	/* one dirty IOPTE reported (optional: per IOPTE) */
	{ "bitmap_set", { "iova_bitmap_set" } },
	/* map and unmap as calls, for their IOTLB flushes */
	{ "map_call", { "iommu_map" } },
	{ "unmap_call", { "iommu_unmap" } },
	{ "unmap_fast", { "iommu_unmap_fast" } },
	/* The drivers' read_and_clear_dirty walks. 7.x: VT-d second stage,
	 * AMD v1 and the iommufd mock use the generic page table (its
	 * x86_64 format has no dirty ops there). */
	{ "walk_mock",
	  { "pt_iommu_amdv1_mock_read_and_clear_dirty",
	    "mock_domain_read_and_clear_dirty" } },
	{ "walk_intel",
	  { "pt_iommu_vtdss_read_and_clear_dirty",
	    "intel_iommu_read_and_clear_dirty" } },
	{ "walk_amd",
	  { "pt_iommu_amdv1_read_and_clear_dirty",
	    "amd_iommu_read_and_clear_dirty" } },
	{ "walk_arm", { "arm_smmu_read_and_clear_dirty" } },
	/* the 2021 HWDBM series' walks */
	{ "walk_rfc_sync", { "iommu_sync_dirty_log" } },
	{ "walk_rfc_clear", { "iommu_clear_dirty_log" } },
	/* The drivers' IOTLB flush ops. Not the 7.x mock's iotlb_sync: it
	 * only frees page-table pages, the mock has no IOTLB. */
	{ "flush_intel", { "intel_iommu_tlb_sync" } },
	{ "flush_intel_all", { "intel_flush_iotlb_all" } },
	{ "flush_amd", { "amd_iommu_iotlb_sync" } },
	{ "flush_amd_all", { "amd_iommu_flush_iotlb_all" } },
	{ "flush_arm", { "arm_smmu_iotlb_sync" } },
	{ "flush_arm_all", { "arm_smmu_flush_iotlb_all" } },
	/* Intel: one submission to the invalidation queue */
	{ "qi_submit", { "qi_submit_sync" } },
	/* QEMU's functions, uprobes on trace -p PID's binary (10.x exports
	 * them; bpf/qemu.bpf.h says what each is) */
	{ "qemu_log_start", { "memory_global_dirty_log_start" } },
	{ "qemu_log_stop", { "memory_global_dirty_log_stop" } },
	{ "qemu_sync", { "migration_bitmap_sync_precopy" } },
	{ "qemu_log_sync", { "memory_global_dirty_log_sync" } },
	{ "qemu_vfio_read", { "vfio_get_dirty_bitmap" } },
	{ "qemu_vfio_tracking", { "vfio_container_set_dirty_page_tracking" } },
	{ "qemu_iommufd_read", { "iommufd_backend_get_dirty_bitmap" } },
	{ "qemu_iommufd_tracking", { "iommufd_backend_set_dirty_tracking" } },
};

const struct probe_target *probe_target_find(const char *prog_name)
{
	static const char *const halves[] = { "_enter", "_exit" };
	size_t len = strlen(prog_name), i, h, n;

	for (i = 0; i < sizeof(probe_targets) / sizeof(*probe_targets); i++) {
		const char *p = probe_targets[i].probe;

		n = strlen(p);
		if (len < n || strncmp(prog_name, p, n))
			continue;
		if (!prog_name[n])
			return &probe_targets[i];
		for (h = 0; h < 2; h++)
			if (!strcmp(prog_name + n, halves[h]))
				return &probe_targets[i];
	}
	return NULL;
}

size_t probe_target_nfuncs(const struct probe_target *pt)
{
	size_t n = 0;

	while (n < PROBE_ALTS_MAX && pt->funcs[n])
		n++;
	return n;
}
