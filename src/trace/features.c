// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel and uAPI feature checks for 'dirtyscope probes'.
 *
 * The ioctl checks ask a question whose answer tells "the kernel knows this
 * command" apart from "it does not" without changing anything: an object id
 * that cannot exist, a size the dispatcher rejects, an extension query on a
 * fresh container. What each errno proves is written next to each check.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "ds_features.h"
#include "iommufd_mock_abi.h"
#include "kernel_btf.h"
#include "log.h"
#include "vfio_manual_clear.h"

#define IOMMUFD_PATH	  "/dev/iommu"
#define VFIO_PATH	  "/dev/vfio/vfio"
#define VFIO_DEVICES_PATH "/dev/vfio/devices"
#define TRACEFS_PATH	  "/sys/kernel/tracing"
#define TRACEFS_DEBUG	  "/sys/kernel/debug/tracing"

const struct feature features_kernel[] = {
	{ KERNEL_BTF_PATH, feat_btf, "CONFIG_DEBUG_INFO_BTF" },
	{ "bpf-syscall", feat_bpf_syscall, "CONFIG_BPF_SYSCALL" },
	{ "iommu:map", feat_tracepoint, "CONFIG_IOMMU_API" },
	{ "iommu:unmap", feat_tracepoint, "CONFIG_IOMMU_API" },
	{ "intel_iommu:qi_submit", feat_tracepoint, "CONFIG_INTEL_IOMMU" },
	/* The 2021 HWDBM series' tracepoints: never merged upstream. */
	{ "iommu:switch_dirty_log", feat_tracepoint,
	  "2021 HWDBM, never upstream" },
	{ "iommu:sync_dirty_log", feat_tracepoint,
	  "2021 HWDBM, never upstream" },
	{ "iommu:clear_dirty_log", feat_tracepoint,
	  "2021 HWDBM, never upstream" },
	{},
};

const struct feature features_uapi[] = {
	{ IOMMUFD_PATH, feat_iommufd, "CONFIG_IOMMUFD" },
	{ "IOMMU_HWPT_GET_DIRTY_BITMAP", feat_iommufd_get_dirty_bitmap,
	  "iommufd of Linux 6.7+" },
	{ "IOMMU_HWPT_SET_DIRTY_TRACKING", feat_iommufd_set_dirty_tracking,
	  "iommufd of Linux 6.7+" },
	{ "IOMMU_TEST_CMD", feat_iommufd_mock, "CONFIG_IOMMUFD_TEST" },
	{ VFIO_PATH, feat_vfio_container, "CONFIG_VFIO_CONTAINER" },
	{ "VFIO_TYPE1v2_IOMMU", feat_vfio_type1v2, "CONFIG_VFIO_IOMMU_TYPE1" },
	{ "VFIO_DIRTY_LOG_MANUAL_CLEAR", feat_vfio_manual_clear,
	  "2021 series, never upstream" },
	{ VFIO_DEVICES_PATH, feat_vfio_device_cdev, "CONFIG_VFIO_DEVICE_CDEV" },
	{},
};

const char *feat_status_name(enum feat_status s)
{
	switch (s) {
	case FEAT_AVAILABLE:
		return "available";
	case FEAT_MISSING:
		return "missing";
	case FEAT_DENIED:
		return "denied";
	case FEAT_UNKNOWN:
		break;
	}
	return "unknown";
}

static void set(struct feat_result *r, enum feat_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set(struct feat_result *r, enum feat_status s, const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

void feature_check(const struct feature *f, struct feat_result *r)
{
	size_t len;

	set(r, FEAT_UNKNOWN, "not checked");
	f->check(f, r);
	len = strlen(r->detail);
	if (r->status == FEAT_MISSING && f->hint)
		snprintf(r->detail + len, sizeof(r->detail) - len, " (%s)",
			 f->hint);
}

void feat_btf(const struct feature *f, struct feat_result *r)
{
	struct stat st;

	(void)f;
	if (stat(KERNEL_BTF_PATH, &st)) {
		if (errno == ENOENT)
			set(r, FEAT_MISSING, "not found");
		else
			set(r, FEAT_UNKNOWN, "%s", strerror(errno));
		return;
	}
	if (access(KERNEL_BTF_PATH, R_OK)) {
		set(r, FEAT_DENIED, "not readable");
		return;
	}
	set(r, FEAT_AVAILABLE, "%lld KiB", (long long)st.st_size / 1024);
}

/* The smallest thing the bpf() syscall can do: create a one-entry array
 * map, then close it, which frees it. */
void feat_bpf_syscall(const struct feature *f, struct feat_result *r)
{
	int fd;

	(void)f;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ds_probe", 4, 4, 1, NULL);
	if (fd >= 0) {
		close(fd);
		set(r, FEAT_AVAILABLE, "array map created");
		return;
	}
	/* libbpf returns -errno. */
	switch (-fd) {
	case EPERM:
	case EACCES:
		set(r, FEAT_DENIED, "no permission (needs root or CAP_BPF)");
		break;
	case ENOSYS:
		set(r, FEAT_MISSING, "no BPF");
		break;
	default:
		set(r, FEAT_UNKNOWN, "creating a map: %s", strerror(-fd));
	}
}

/*
 * 1: tracefs at root has the event, 0: it does not, -errno: could not look
 * (-ENOENT: no tracefs mounted at root).
 */
static int tracefs_has_event(const char *root, const char *sys,
			     const char *event)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events", root);
	if (stat(path, &st))
		return -errno;
	snprintf(path, sizeof(path), "%s/events/%s/%s", root, sys, event);
	if (!stat(path, &st))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

/*
 * tracefs is mounted nowhere: look through a mount of our own, made in a
 * child's private mount namespace. It vanishes with the child, so the
 * system's mounts never change. Needs CAP_SYS_ADMIN; same return values as
 * tracefs_has_event().
 */
static int private_tracefs_has_event(const char *sys, const char *event)
{
	int st, ret;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Exit 0: present, 1: absent, 2 + errno: could not look. */
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tracefs", TRACEFS_PATH, "tracefs",
			  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
			_exit(errno + 2 > 255 ? 255 : errno + 2);
		ret = tracefs_has_event(TRACEFS_PATH, sys, event);
		_exit(ret == 1 ? 0 : ret == 0 ? 1 : 2 - ret);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	if (!WIFEXITED(st))
		return -EINTR;
	ret = WEXITSTATUS(st);
	return ret == 0 ? 1 : ret == 1 ? 0 : -(ret - 2);
}

/* f->name is "system:event". */
void feat_tracepoint(const struct feature *f, struct feat_result *r)
{
	static const char *const roots[] = { TRACEFS_PATH, TRACEFS_DEBUG };
	char sys[64], *event;
	bool unreadable = false;
	size_t i;
	int ret;

	snprintf(sys, sizeof(sys), "%s", f->name);
	event = strchr(sys, ':');
	if (!event) {
		set(r, FEAT_UNKNOWN, "bad tracepoint name");
		return;
	}
	*event++ = '\0';

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		ret = tracefs_has_event(roots[i], sys, event);
		if (ret == 1) {
			set(r, FEAT_AVAILABLE, "in %s", roots[i]);
			return;
		}
		if (ret == 0) {
			set(r, FEAT_MISSING, "not in tracefs");
			ds_debug("%s: not in %s/events", f->name, roots[i]);
			return;
		}
		if (ret == -EACCES || ret == -EPERM)
			unreadable = true;
	}
	/* Mounted but hidden from us: a private mount would be too. */
	if (unreadable) {
		set(r, FEAT_UNKNOWN, "tracefs not readable (needs root)");
		return;
	}
	ret = private_tracefs_has_event(sys, event);
	if (ret == 1)
		set(r, FEAT_AVAILABLE, "in a private tracefs mount");
	else if (ret == 0)
		set(r, FEAT_MISSING, "not in tracefs");
	else if (ret == -ENODEV || ret == -ENOENT)
		set(r, FEAT_MISSING, "the kernel has no tracefs");
	else if (ret == -EPERM || ret == -EACCES)
		set(r, FEAT_UNKNOWN, "tracefs not mounted (needs root)");
	else
		set(r, FEAT_UNKNOWN, "mounting tracefs: %s", strerror(-ret));
}

/* Open path read-write; on failure, say so in r (status by errno) and
 * return -1. Opening /dev/iommu or /dev/vfio/vfio creates a private context
 * that close() frees. */
static int open_dev(const char *path, struct feat_result *r)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		set(r, FEAT_MISSING, "no %s", path);
	else if (errno == EACCES || errno == EPERM)
		set(r, FEAT_DENIED, "cannot open %s: %s", path,
		    strerror(errno));
	else
		set(r, FEAT_UNKNOWN, "cannot open %s: %s", path,
		    strerror(errno));
	return -1;
}

/* For a command behind an open: denied to open means we cannot tell. */
static int open_dev_for_ioctl(const char *path, struct feat_result *r)
{
	int fd = open_dev(path, r);

	if (fd < 0 && r->status == FEAT_DENIED)
		r->status = FEAT_UNKNOWN;
	return fd;
}

/* 0 if the ioctl succeeded, else its errno. */
static int ioctl_errno(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? errno : 0;
}

void feat_iommufd(const struct feature *f, struct feat_result *r)
{
	int fd;

	(void)f;
	fd = open_dev(IOMMUFD_PATH, r);
	if (fd < 0)
		return;
	close(fd);
	set(r, FEAT_AVAILABLE, "opened");
}

/*
 * What an iommufd ioctl's errno proves, for an argument struct of the right
 * size naming object id 0 (ids start at 1, and a fresh context has no
 * objects, so the lookup always fails and nothing is touched):
 *  ENOENT      the command's handler ran and looked the object up: known.
 *  EOPNOTSUPP  the handler ran and refused a flag: known.
 *  EINVAL      the dispatcher found the command but refused the size: known.
 *  ENOTTY      no command with this number (the kernel predates it).
 * Anything else (EFAULT, E2BIG) proves nothing either way.
 */
static void iommufd_ioctl_known(struct feat_result *r, unsigned long req,
				void *arg)
{
	int fd, err;

	fd = open_dev_for_ioctl(IOMMUFD_PATH, r);
	if (fd < 0)
		return;
	err = ioctl_errno(fd, req, arg);
	close(fd);
	ds_debug("ioctl %#lx on object 0: %s", req, strerror(err));
	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
	case EINVAL:
		set(r, FEAT_AVAILABLE, "known (%s for object 0)",
		    strerrorname_np(err));
		break;
	case ENOTTY:
		set(r, FEAT_MISSING, "unknown ioctl");
		break;
	case 0:
		/* Cannot happen with id 0; say it plainly if it does. */
		set(r, FEAT_UNKNOWN, "succeeded on object 0");
		break;
	default:
		set(r, FEAT_UNKNOWN, "%s", strerror(err));
	}
}

void feat_iommufd_get_dirty_bitmap(const struct feature *f,
				   struct feat_result *r)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = { .size = sizeof(cmd) };

	(void)f;
	iommufd_ioctl_known(r, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

void feat_iommufd_set_dirty_tracking(const struct feature *f,
				     struct feat_result *r)
{
	struct iommu_hwpt_set_dirty_tracking cmd = { .size = sizeof(cmd) };

	(void)f;
	iommufd_ioctl_known(r, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

/*
 * The selftest command with size 0: the dispatcher checks the size against
 * the command's minimum before calling the handler, so a kernel with
 * CONFIG_IOMMUFD_TEST answers EINVAL without running any selftest op, and one
 * without answers ENOTTY (the number is past the end of its command table).
 */
void feat_iommufd_mock(const struct feature *f, struct feat_result *r)
{
	__u32 size = 0;
	int fd, err;

	(void)f;
	fd = open_dev_for_ioctl(IOMMUFD_PATH, r);
	if (fd < 0)
		return;
	err = ioctl_errno(fd, DS_MOCK_CMD, &size);
	close(fd);
	ds_debug("IOMMU_TEST_CMD with size 0: %s", strerror(err));
	if (err == EINVAL)
		set(r, FEAT_AVAILABLE, "selftest mock (EINVAL for size 0)");
	else if (err == ENOTTY)
		set(r, FEAT_MISSING, "no selftest ioctl");
	else
		set(r, FEAT_UNKNOWN, "%s", strerror(err));
}

void feat_vfio_container(const struct feature *f, struct feat_result *r)
{
	int fd, version;

	(void)f;
	fd = open_dev(VFIO_PATH, r);
	if (fd < 0)
		return;
	version = ioctl(fd, VFIO_GET_API_VERSION);
	if (version < 0)
		set(r, FEAT_UNKNOWN, "VFIO_GET_API_VERSION: %s",
		    strerror(errno));
	else if (version != VFIO_API_VERSION)
		set(r, FEAT_MISSING, "API version %d, not %d", version,
		    VFIO_API_VERSION);
	else
		set(r, FEAT_AVAILABLE, "API version %d", version);
	close(fd);
}

/*
 * VFIO_CHECK_EXTENSION on a fresh container (no group, no IOMMU set): VFIO
 * asks every registered IOMMU driver and returns the first positive answer,
 * so > 0 means some driver has it and 0 means none does. On such a
 * container the query changes nothing, and close() frees it.
 */
static int vfio_extension(unsigned long ext, struct feat_result *r)
{
	int fd, ret;

	fd = open_dev_for_ioctl(VFIO_PATH, r);
	if (fd < 0)
		return -1;
	ret = ioctl(fd, VFIO_CHECK_EXTENSION, ext);
	if (ret < 0)
		set(r, FEAT_UNKNOWN, "VFIO_CHECK_EXTENSION: %s",
		    strerror(errno));
	close(fd);
	return ret;
}

void feat_vfio_type1v2(const struct feature *f, struct feat_result *r)
{
	int ret;

	(void)f;
	ret = vfio_extension(VFIO_TYPE1v2_IOMMU, r);
	if (ret > 0)
		set(r, FEAT_AVAILABLE, "offered (extension %d)",
		    VFIO_TYPE1v2_IOMMU);
	else if (ret == 0)
		set(r, FEAT_MISSING, "not offered");
}

/* Upstream has no extension 11 (vfio_manual_clear.h): an answer of 1
 * means the 2021 series, or a future upstream use of the number. */
void feat_vfio_manual_clear(const struct feature *f, struct feat_result *r)
{
	int ret;

	(void)f;
	ret = vfio_extension(VFIO_DIRTY_LOG_MANUAL_CLEAR, r);
	if (ret > 0)
		set(r, FEAT_AVAILABLE, "offered (extension %d)",
		    VFIO_DIRTY_LOG_MANUAL_CLEAR);
	else if (ret == 0)
		set(r, FEAT_MISSING, "not offered");
}

/* A "vfio-dev" character major: CONFIG_VFIO_DEVICE_CDEV registers it when
 * VFIO loads, whether or not any device is bound yet. 1, 0 or -errno. */
static int vfio_cdev_registered(void)
{
	char line[128], name[64];
	bool chars = false;
	int major, found = 0;
	FILE *fp;

	fp = fopen("/proc/devices", "re");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		/* Two sections: "Character devices:" then "Block devices:". */
		if (!strncmp(line, "Character", 9))
			chars = true;
		else if (!strncmp(line, "Block", 5))
			chars = false;
		else if (chars && sscanf(line, "%d %63s", &major, name) == 2 &&
			 !strcmp(name, "vfio-dev"))
			found = 1;
	}
	fclose(fp);
	return found;
}

/*
 * The VFIO device cdev (/dev/vfio/devices/vfioN, bound to iommufd). The
 * directory only appears once a device is bound to a VFIO driver, so the
 * kernel's support is read from /proc/devices and the directory only lists
 * the devices.
 */
void feat_vfio_device_cdev(const struct feature *f, struct feat_result *r)
{
	char names[48] = "";
	struct dirent *d;
	int n = 0, ret;
	size_t len;
	DIR *dir;

	(void)f;
	ret = vfio_cdev_registered();
	if (ret < 0) {
		set(r, FEAT_UNKNOWN, "/proc/devices: %s", strerror(-ret));
		return;
	}
	if (!ret) {
		set(r, FEAT_MISSING, "no vfio-dev major");
		return;
	}
	dir = opendir(VFIO_DEVICES_PATH);
	if (!dir) {
		set(r, FEAT_AVAILABLE, "no device bound to VFIO");
		return;
	}
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		len = strlen(names);
		/* The first few names; the count says how many in all. */
		if (len + strlen(d->d_name) + 2 < sizeof(names))
			snprintf(names + len, sizeof(names) - len, "%s%s",
				 len ? " " : "", d->d_name);
		n++;
	}
	closedir(dir);
	if (n)
		set(r, FEAT_AVAILABLE, "%d device(s): %s", n, names);
	else
		set(r, FEAT_AVAILABLE, "no device bound to VFIO");
}
