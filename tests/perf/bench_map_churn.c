// SPDX-License-Identifier: GPL-2.0
/*
 * bench_map_churn [N]: the vIOMMU pattern, a guest mapping and unmapping
 * one 4 KiB page again and again. On the iommufd selftest mock (testbed
 * VM, profile mock, root): N times (default 20000) IOMMU_IOAS_MAP of one
 * 4 KiB page at a fixed IOVA, then IOMMU_IOAS_UNMAP of it; the whole loop
 * timed with CLOCK_MONOTONIC. Each IOAS_MAP is one iommu_map() on the
 * mock domain and each IOAS_UNMAP one iommu_unmap(), so a trace of the
 * loop counts exactly N of each. Prints one line for
 * scripts/bench-self-guest.sh:
 *   churn iterations=N ops=2N ns=T ops_per_s=R
 * Errors: one line on stderr, exit 1 (2 for bad arguments).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "clock.h"
#include "iommufd_ioctl.h"
#include "iommufd_mock.h"
#include "iommufd_mock_abi.h"
#include "parse.h"

#define CHURN_PAGE	   4096
#define DEFAULT_ITERATIONS 20000
/* Far more than a run needs; keeps 2 * N and the rate in range. */
#define MAX_ITERATIONS	   100000000ull

int main(int argc, char **argv)
{
	uint64_t n = DEFAULT_ITERATIONS, i, t0, ns;
	/* The start of the mock aperture: always a valid, aligned IOVA. */
	const uint64_t iova = DS_MOCK_APERTURE_START;
	struct mock_dev m;
	void *buf;
	int ret, err;

	if (argc > 2 || (argc == 2 && (parse_u64(argv[1], &n) || !n ||
				       n > MAX_ITERATIONS))) {
		fprintf(stderr,
			"bench_map_churn: bad arguments; usage: "
			"bench_map_churn [ITERATIONS] (1 to %llu, default "
			"%d)\n",
			MAX_ITERATIONS, DEFAULT_ITERATIONS);
		return 2;
	}
	buf = mmap(NULL, CHURN_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "bench_map_churn: mmap failed: %s\n",
			strerror(errno));
		return 1;
	}
	/* Fault the page in now, not inside the first timed map. */
	memset(buf, 0, CHURN_PAGE);
	/* An IOAS whose only domain is the mock device's, so every
	 * IOAS_MAP reaches iommu_map() on it. Dirty tracking stays off. */
	ret = mock_dev_open(&m, NULL, 0, BACKING_4K);
	if (ret) {
		fprintf(stderr, "bench_map_churn: %s failed: %s\n", m.failed,
			strerror(-ret));
		goto out;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		ret = iommufd_map_fixed(m.fd, m.ioas_id, iova, buf, CHURN_PAGE,
					&m.failed);
		if (!ret)
			ret = iommufd_unmap(m.fd, m.ioas_id, iova, CHURN_PAGE,
					    &m.failed);
		if (ret)
			break;
	}
	ns = now_ns() - t0;
	if (ret) {
		fprintf(stderr,
			"bench_map_churn: %s failed: %s (iteration %" PRIu64
			")\n",
			m.failed, strerror(-ret), i);
		goto out;
	}
	printf("churn iterations=%" PRIu64 " ops=%" PRIu64 " ns=%" PRIu64
	       " ops_per_s=%.0f\n",
	       n, 2 * n, ns, ns ? 2 * n * 1e9 / ns : 0.0);
out:
	/* Destroying the IOAS also drops a mapping a failed unmap left. */
	err = mock_dev_close(&m);
	if (err && !ret)
		fprintf(stderr, "bench_map_churn: cleanup: %s failed: %s\n",
			m.failed, strerror(-err));
	munmap(buf, CHURN_PAGE);
	return ret || err ? 1 : 0;
}
