// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (vtd profile: intel_iommu=on, emulated VT-d, QEMU's edu
 * device alone in its IOMMU group): bind edu to vfio-pci and drive a VFIO
 * type1 container through dirtyscope type1-dirty and the library behind it.
 * vfio-pci pins nothing, so type1 must report every mapped 4 KiB page dirty:
 * the test computes that number from the size it asks for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <dirent.h>
#include "syshelp.h"
#include "vfio_type1.h"

#define PAGE 4096 /* the Intel IOMMU's smallest page, type1's bitmap unit */

static char group[64]; /* /dev/vfio/N, from vfio-bind.sh */

static void assert_has(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("missing \"%s\" in:\n%s", want, out);
}

/* One type1-dirty run that must succeed with every page dirty twice. */
static void run_type1(const char *size, uint64_t bytes, const char *iova_arg,
		      uint64_t iova)
{
	const char *argv[] = { dirtyscope_bin(),
			       "type1-dirty",
			       "--group",
			       group,
			       "--size",
			       size,
			       iova_arg ? "--iova" : NULL,
			       iova_arg,
			       NULL };
	uint64_t pages = bytes / PAGE;
	char want[160];
	struct run r;

	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 300), 0);
	assert_string_equal(r.err, "");
	assert_has(r.out, "dirty page size 4096 B");
	snprintf(want, sizeof(want), "%-18s %8" PRIu64 " pages  %s", "map",
		 pages, "");
	assert_has(r.out, want);
	snprintf(want, sizeof(want),
		 "(%" PRIu64 " bytes at iova 0x%" PRIx64 ", pages of 4096 B)\n",
		 bytes, iova);
	assert_has(r.out, want);
	snprintf(want, sizeof(want), "%-18s %8" PRIu64 " dirty ", "read bitmap",
		 pages);
	assert_has(r.out, want);
	snprintf(want, sizeof(want), "%-18s %8" PRIu64 " dirty ",
		 "unmap + bitmap", pages);
	assert_has(r.out, want);
	assert_has(r.out, "\nstart tracking ");
	assert_has(r.out, "\nstop tracking ");
	/* Never upstream: a 6.12 kernel must not claim it. */
	assert_has(r.out, "\nmanual-clear         absent  "
			  "(VFIO_CHECK_EXTENSION 11)\n");
	assert_int_equal(count_lines(r.out), 7);
	run_free(&r);
	assert_group_free(group);
}

static void type1_dirty_16m_reports_every_page(void **state)
{
	(void)state;
	run_type1("16M", 16 << 20, NULL, 1ull << 32);
}

static void type1_dirty_2m_at_other_iova(void **state)
{
	(void)state;
	run_type1("2M", 2 << 20, "0x40000000", 0x40000000);
	/* And again: the first run left nothing behind. */
	run_type1("2M", 2 << 20, "0x40000000", 0x40000000);
}

/* An error line with exit status 1 or 2, and nothing else on stderr. */
static void run_fails(const char *const *argv, int status, const char *err)
{
	struct run r;

	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), status);
	assert_int_equal(count_lines(r.err), 1);
	if (strncmp(r.err, err, strlen(err)))
		fail_msg("stderr \"%s\" does not start with \"%s\"", r.err,
			 err);
	run_free(&r);
}

static void missing_group_names_the_open(void **state)
{
	const char *argv[] = { dirtyscope_bin(), "type1-dirty", "--group",
			       "/dev/vfio/9999", NULL };

	(void)state;
	run_fails(argv, 1,
		  "dirtyscope: type1-dirty: open /dev/vfio/9999 failed: "
		  "No such file or directory\n");
	assert_group_free(group);
}

static void busy_group_names_the_open(void **state)
{
	const char *argv[] = { dirtyscope_bin(), "type1-dirty", "--group",
			       group, NULL };
	char want[128];
	int fd;

	(void)state;
	/* What assert_group_free() relies on: a held group is busy. */
	fd = open(group, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	snprintf(want, sizeof(want),
		 "dirtyscope: type1-dirty: open %s failed: Device or "
		 "resource busy\n",
		 group);
	run_fails(argv, 1, want);
	close(fd);
	assert_group_free(group);
}

static void unaligned_size_fails_after_open(void **state)
{
	const char *argv[] = {
		dirtyscope_bin(), "type1-dirty", "--group", group,
		"--size",	  "6K",		 NULL
	};

	(void)state;
	run_fails(argv, 1,
		  "dirtyscope: type1-dirty: map size failed: size 6144 and "
		  "iova 0x100000000 must be multiples of the 4096 B IOMMU "
		  "page\n");
	assert_group_free(group);
	run_type1("16M", 16 << 20, NULL, 1ull << 32);
}

static void usage_errors_exit_2(void **state)
{
	const char *no_group[] = { dirtyscope_bin(), "type1-dirty", NULL };
	const char *zero[] = {
		dirtyscope_bin(), "type1-dirty", "--group", group,
		"--size",	  "0",		 NULL
	};
	const char *bad[] = { dirtyscope_bin(), "type1-dirty", "--group", group,
			      "--size",		"12Q",	       NULL };

	(void)state;
	run_fails(no_group, 2,
		  "dirtyscope: type1-dirty: --group /dev/vfio/N is "
		  "required\n");
	run_fails(zero, 2, "dirtyscope: type1-dirty: invalid --size '0'\n");
	run_fails(bad, 2, "dirtyscope: type1-dirty: invalid --size '12Q'\n");
	assert_group_free(group);
}

static void vfio_bind_is_idempotent(void **state)
{
	const char *argv[] = { "scripts/vfio-bind.sh", "1234:11e8", NULL };
	char path[64], want[80];
	struct stat st;
	struct run r;
	ssize_t n;

	(void)state;
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 0);
	snprintf(want, sizeof(want), "%s\n", group);
	assert_string_equal(r.out, want);
	assert_string_equal(r.err, "");
	run_free(&r);
	assert_int_equal(stat(group, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	n = readlink("/sys/bus/pci/devices/0000:00:01.0/driver", path,
		     sizeof(path) - 1);
	assert_true(n > 0);
	path[n] = '\0';
	assert_non_null(strstr(path, "/vfio-pci"));
}

static void vfio_bind_errors(void **state)
{
	const char *absent[] = { "scripts/vfio-bind.sh", "ffff:fffe", NULL };
	const char *usage[] = { "scripts/vfio-bind.sh", "edu", NULL };

	(void)state;
	run_fails(absent, 1, "vfio-bind: no PCI device ffff:fffe\n");
	run_fails(usage, 2, "vfio-bind: usage: ");
}

/* Locked memory of this process in kB: type1 accounts pinned DMA there. */
static long vm_locked_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void close_unpins_and_releases_the_group(void **state)
{
	struct type1 t;
	long base = vm_locked_kb();
	int fds = open_fds();

	(void)state;
	assert_true(base >= 0);
	assert_int_equal(type1_open(&t, group), 0);
	assert_int_equal(type1_map(&t, 1ull << 32, 8 << 20), 0);
	assert_int_equal(vm_locked_kb(), base + 8192);
	assert_int_equal(type1_set_tracking(&t, true), 0);
	/* Closed with tracking on and the buffer mapped. */
	assert_int_equal(type1_close(&t), 0);
	assert_null(t.failed);
	assert_int_equal(vm_locked_kb(), base);
	assert_int_equal(open_fds(), fds);
	assert_group_free(group);
	assert_int_equal(type1_close(&t), 0);

	assert_int_equal(type1_open(&t, "/dev/vfio/9999"), -ENOENT);
	assert_string_equal(t.failed, "open /dev/vfio/9999");
	assert_int_equal(type1_close(&t), 0);
	assert_string_equal(t.failed, "open /dev/vfio/9999");
	assert_int_equal(open_fds(), fds);
}

/* The kernel's rules for GET_BITMAP, as the library reports them. */
static void get_bitmap_covers_whole_mappings(void **state)
{
	uint64_t iova = 1ull << 32, bits[16], n = 0;
	struct type1 t;

	(void)state;
	assert_int_equal(type1_open(&t, group), 0);
	assert_int_equal(t.dirty_pgsize, PAGE);
	assert_int_equal(type1_map(&t, iova, 2 << 20), 0);
	/* Tracking off: no bitmap to read. */
	assert_int_equal(type1_read_dirty(&t, iova, 2 << 20, bits), -EINVAL);
	assert_string_equal(t.failed, "VFIO_IOMMU_DIRTY_PAGES GET_BITMAP");
	assert_int_equal(type1_set_tracking(&t, true), 0);
	/* Half a mapping is refused... */
	assert_int_equal(type1_read_dirty(&t, iova, 1 << 20, bits), -EINVAL);
	/* ...a range around it is fine: 512 bits set, the rest clear. */
	memset(bits, 0, sizeof(bits));
	assert_int_equal(type1_read_dirty(&t, iova, 4 << 20, bits), 0);
	for (int i = 0; i < 16; i++)
		n += __builtin_popcountll(bits[i]);
	assert_int_equal(n, 512);
	for (int i = 0; i < 8; i++)
		assert_true(bits[i] == ~0ull);
	assert_int_equal(type1_has_manual_clear(&t), 0);
	assert_int_equal(type1_close(&t), 0);
	assert_group_free(group);
}

static int setup(void **state)
{
	(void)state;
	return vfio_bind(EDU_ID, group, sizeof(group));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vfio_bind_is_idempotent),
		cmocka_unit_test(vfio_bind_errors),
		cmocka_unit_test(type1_dirty_16m_reports_every_page),
		cmocka_unit_test(type1_dirty_2m_at_other_iova),
		cmocka_unit_test(missing_group_names_the_open),
		cmocka_unit_test(busy_group_names_the_open),
		cmocka_unit_test(unaligned_size_fails_after_open),
		cmocka_unit_test(usage_errors_exit_2),
		cmocka_unit_test(close_unpins_and_releases_the_group),
		cmocka_unit_test(get_bitmap_covers_whole_mappings),
	};

	return cmocka_run_group_tests_name("vtd_vm", tests, setup, NULL);
}
