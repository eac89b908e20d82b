/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel offers dirtyscope, beyond its BPF programs: BTF,
 * the bpf() syscall, tracefs events, and the iommufd / VFIO uAPI. One check
 * function per feature kind; each is read-only and leaves nothing behind
 * (every fd closed, every object it creates destroyed).
 *
 * Not "features.h": that name is glibc's, which every libc header includes,
 * and -Iinclude would put this file in its place.
 */
#ifndef DIRTYSCOPE_DS_FEATURES_H
#define DIRTYSCOPE_DS_FEATURES_H

enum feat_status {
	FEAT_AVAILABLE, /* present (and usable, where that was tried) */
	FEAT_MISSING,	/* the kernel does not have it; detail says why */
	FEAT_DENIED,	/* present, but this user may not use it */
	FEAT_UNKNOWN,	/* could not tell; detail says why */
};

#define FEAT_DETAIL_MAX 96

struct feat_result {
	enum feat_status status;
	char detail[FEAT_DETAIL_MAX];
};

struct feature {
	const char *name; /* "iommu:map", "/dev/iommu" */
	void (*check)(const struct feature *f, struct feat_result *r);
	/* What provides it, added to a "missing" detail:
	 * "CONFIG_IOMMUFD_TEST". NULL: nothing to add. */
	const char *hint;
};

/* Both tables end with an entry whose name is NULL. */
extern const struct feature features_kernel[];
extern const struct feature features_uapi[];

/* "available", "missing", "denied", "unknown" */
const char *feat_status_name(enum feat_status s);
/* Run f's check into r, with the hint added when it is missing. */
void feature_check(const struct feature *f, struct feat_result *r);

/* The checks. f->name is only read by feat_tracepoint ("system:event"). */
void feat_btf(const struct feature *f, struct feat_result *r);
void feat_bpf_syscall(const struct feature *f, struct feat_result *r);
void feat_tracepoint(const struct feature *f, struct feat_result *r);
void feat_iommufd(const struct feature *f, struct feat_result *r);
void feat_iommufd_get_dirty_bitmap(const struct feature *f,
				   struct feat_result *r);
void feat_iommufd_set_dirty_tracking(const struct feature *f,
				     struct feat_result *r);
void feat_iommufd_mock(const struct feature *f, struct feat_result *r);
void feat_vfio_container(const struct feature *f, struct feat_result *r);
void feat_vfio_type1v2(const struct feature *f, struct feat_result *r);
void feat_vfio_manual_clear(const struct feature *f, struct feat_result *r);
void feat_vfio_device_cdev(const struct feature *f, struct feat_result *r);

#endif
