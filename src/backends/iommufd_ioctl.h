/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iommufd ioctls both iommufd backends make (the selftest mock's and
 * a real device's): each returns 0 or -errno and, on failure, sets *failed
 * to the step's name ("IOMMU_IOAS_MAP"), the one-line error of the caller.
 */
#ifndef DIRTYSCOPE_IOMMUFD_IOCTL_H
#define DIRTYSCOPE_IOMMUFD_IOCTL_H

#include <stdbool.h>
#include <stdint.h>

/* Any ioctl on fd, failing as step. */
int iommufd_ioctl(int fd, unsigned long req, void *arg, const char *step,
		  const char **failed);
int iommufd_ioas_alloc(int fd, uint32_t *ioas, const char **failed);
/* A HWPT that can track dirty pages, for dev_id on pt_id. */
int iommufd_hwpt_alloc_dirty(int fd, uint32_t dev_id, uint32_t pt_id,
			     uint32_t *hwpt, const char **failed);
/* Map len bytes at buf, readable and writeable, at exactly iova. */
int iommufd_map_fixed(int fd, uint32_t ioas, uint64_t iova, void *buf,
		      uint64_t len, const char **failed);
int iommufd_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len,
		  const char **failed);
int iommufd_set_dirty(int fd, uint32_t hwpt, bool enable, const char **failed);
/* GET_DIRTY_BITMAP: flags 0 (read and clear) or NO_CLEAR; bits of
 * page_size pages ORed into bitmap. */
int iommufd_get_dirty(int fd, uint32_t hwpt, uint32_t flags, uint64_t iova,
		      uint64_t len, uint64_t page_size, uint64_t *bitmap,
		      const char **failed);
/* Destroy object *id (nothing if 0) and zero it; step names the object. */
int iommufd_destroy(int fd, uint32_t *id, const char *step,
		    const char **failed);

#endif
