// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>
#include "iommufd_ioctl.h"

int iommufd_ioctl(int fd, unsigned long req, void *arg, const char *step,
		  const char **failed)
{
	if (ioctl(fd, req, arg) == 0)
		return 0;
	*failed = step;
	return -errno;
}

int iommufd_ioas_alloc(int fd, uint32_t *ioas, const char **failed)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	int ret = iommufd_ioctl(fd, IOMMU_IOAS_ALLOC, &a, "IOMMU_IOAS_ALLOC",
				failed);

	if (!ret)
		*ioas = a.out_ioas_id;
	return ret;
}

int iommufd_hwpt_alloc_dirty(int fd, uint32_t dev_id, uint32_t pt_id,
			     uint32_t *hwpt, const char **failed)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	int ret = iommufd_ioctl(fd, IOMMU_HWPT_ALLOC, &a,
				"IOMMU_HWPT_ALLOC (dirty tracking)", failed);

	if (!ret)
		*hwpt = a.out_hwpt_id;
	return ret;
}

int iommufd_map_fixed(int fd, uint32_t ioas, uint64_t iova, void *buf,
		      uint64_t len, const char **failed)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)buf,
		.length = len,
		.iova = iova,
	};

	return iommufd_ioctl(fd, IOMMU_IOAS_MAP, &map, "IOMMU_IOAS_MAP",
			     failed);
}

int iommufd_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len,
		  const char **failed)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return iommufd_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap, "IOMMU_IOAS_UNMAP",
			     failed);
}

int iommufd_set_dirty(int fd, uint32_t hwpt, bool enable, const char **failed)
{
	struct iommu_hwpt_set_dirty_tracking set = {
		.size = sizeof(set),
		.flags = enable ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return iommufd_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set,
			     "IOMMU_HWPT_SET_DIRTY_TRACKING", failed);
}

int iommufd_get_dirty(int fd, uint32_t hwpt, uint32_t flags, uint64_t iova,
		      uint64_t len, uint64_t page_size, uint64_t *bitmap,
		      const char **failed)
{
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = iova,
		.length = len,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};

	return iommufd_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get,
			     "IOMMU_HWPT_GET_DIRTY_BITMAP", failed);
}

int iommufd_destroy(int fd, uint32_t *id, const char *step, const char **failed)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = *id };
	int ret;

	if (!*id)
		return 0;
	ret = iommufd_ioctl(fd, IOMMU_DESTROY, &d, step, failed);
	*id = 0;
	return ret;
}
