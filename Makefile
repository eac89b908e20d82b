# SPDX-License-Identifier: GPL-2.0
# dirtyscope: `make` builds the binary, `make check` runs every test.
.DELETE_ON_ERROR:
# Generated files (BPF objects, skeletons) are kept, not deleted as
# intermediates.
.SECONDARY:
.SUFFIXES:

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null)
BUILD := build
UAPI := $(BUILD)/uapi/usr/include
CLANG ?= clang
BPFTOOL ?= bpftool
CLANG_FORMAT ?= clang-format
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-missing-field-initializers
# src/ holds one folder per layer, headers beside their sources
# (docs/design.md); include/ only what the BPF side shares.
LAYERS := lib backends trace bench gate cli
SRC_INC := -Iinclude $(LAYERS:%=-Isrc/%)
# The 6.12 uAPI headers come first: the host's may be older.
CPPFLAGS += $(SRC_INC) -I$(BUILD) -isystem $(UAPI) -isystem $(UAPI)/$(MULTIARCH) \
	-DDIRTYSCOPE_VERSION='"$(VERSION)"'
LDLIBS += -lbpf -lelf -lz -lm
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall \
	-Ivmlinux/$(ARCH) -Iinclude

SRCS := $(wildcard $(LAYERS:%=src/%/*.c))
OBJS := $(SRCS:src/%.c=$(BUILD)/%.o)
LIB_OBJS := $(filter-out $(BUILD)/cli/main.o,$(OBJS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/%.skel.h)
UAPI_STAMP := $(UAPI)/linux/iommufd.h

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SYSTEM_SRCS := $(wildcard tests/system/test_*.c)
SYSTEM_BINS := $(SYSTEM_SRCS:tests/system/%.c=$(BUILD)/tests/%)

# The unit tests again, library objects included, with ASan and UBSan: any
# report aborts the test (tests/run.sh group unit-asan).
ASAN := $(BUILD)/asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
ASAN_LIB_OBJS := $(LIB_OBJS:$(BUILD)/%.o=$(ASAN)/%.o)
ASAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(ASAN)/tests/%)

# libFuzzer targets (clang), one per parser: `make fuzz [FUZZ_SECONDS=N]`.
# Their inputs are also replayed, without libFuzzer, by `make check`
# (build/asan/tests/replay_fuzz_*, group unit-asan).
FUZZ := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ)/%)
FUZZ_LIB := src/lib/parse.c src/bench/workload.c src/bench/schedule.c \
	src/lib/csv_read.c src/lib/errmsg.c src/lib/outfile.c \
	src/gate/gate_rules.c src/gate/gate_compare.c src/gate/gate_output.c \
	src/lib/mannwhitney.c
FUZZ_HDRS := tests/fuzz/fuzz.h src/lib/parse.h src/lib/prng.h \
	src/bench/schedule.h src/bench/workload.h src/lib/csv_read.h \
	src/lib/outfile.h src/gate/gate.h src/lib/mannwhitney.h src/lib/errmsg.h
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
REPLAY_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(ASAN)/tests/replay_%)

.PHONY: all clean check deps demo fuzz test-bins vmlinux format format-check lint \
	testbed testbed-qemu install bench-self bench-consumer answer-vtd answer-granularity soak
all: dirtyscope

dirtyscope: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

# Kernel uAPI headers of 6.12 (iommufd dirty tracking, VFIO), from Debian's
# linux-libc-dev; fetched once into the build folder.
$(UAPI_STAMP): scripts/fetch-trixie.sh | $(BUILD)
	rm -rf $(BUILD)/uapi
	scripts/fetch-trixie.sh linux-libc-dev $(BUILD)/uapi >/dev/null
	test -f $@ && touch $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.bpf.h) include/trace_event.h vmlinux/$(ARCH)/vmlinux.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

$(BUILD)/%.o: src/%.c $(UAPI_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The objects that include a skeleton header, which must exist first.
SKEL_USERS := trace/tracer.o
$(SKEL_USERS:%=$(BUILD)/%) $(SKEL_USERS:%=$(ASAN)/%): $(SKELS)

-include $(OBJS:.o=.d)

# vmlinux.h is generated from the testbed kernel's BTF and committed, so a
# normal build needs no kernel.
vmlinux:
	kdir=$$(scripts/testbed-kernel.sh) && \
	$(BPFTOOL) btf dump file $$kdir/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h.tmp && \
	mv vmlinux/$(ARCH)/vmlinux.h.tmp vmlinux/$(ARCH)/vmlinux.h

testbed:
	scripts/testbed-kernel.sh

# Our QEMU for the vtd-dirty profile (about 3 minutes the first time).
testbed-qemu:
	scripts/testbed-qemu.sh

# trace with intervals and metrics for SOAK_MINUTES (default 30) beside
# back-to-back bench runs in the mock VM (not part of check):
# docs/reliability.md, Soak.
SOAK_MINUTES ?= 30
soak: dirtyscope
	scripts/testbed-kernel.sh >/dev/null
	scripts/soak.sh $(SOAK_MINUTES)

# Auto against manual clear on the emulated dirty-tracking VT-d, over clear
# chunk and invalidation latency (not part of check): build/answer/.
answer-vtd: dirtyscope
	scripts/testbed-kernel.sh >/dev/null
	scripts/testbed-qemu.sh >/dev/null
	scripts/answer-vtd.sh build/answer

# Dirty granularity: 4 KiB, THP and 2 MiB hugetlb backing on the mock of
# each testbed kernel and on the emulated VT-d (not part of check).
answer-granularity: dirtyscope
	for v in $(TESTBED_KERNELS); do scripts/testbed-kernel.sh $$v >/dev/null; done
	scripts/testbed-qemu.sh >/dev/null
	scripts/answer-granularity.sh build/answer

# Unit tests need the testbed sources only for the mock ABI comparison,
# one test per testbed kernel (scripts/testbed-kernels).
TESTBED_KERNELS := $(shell sed -e 's/\#.*//' scripts/testbed-kernels)
KSRC ?= $(shell d=$$(scripts/testbed-kernel.sh $(firstword $(TESTBED_KERNELS)) 2>/dev/null) && readlink -f $$d/source)
KSRC_NEXT ?= $(shell d=$$(scripts/testbed-kernel.sh $(lastword $(TESTBED_KERNELS)) 2>/dev/null) && readlink -f $$d/source)

$(BUILD)/tests/test_mock_abi: CPPFLAGS += -I$(KSRC)/drivers/iommu/iommufd
$(BUILD)/tests/test_mock_abi_next: CPPFLAGS += -I$(KSRC_NEXT)/drivers/iommu/iommufd
$(BUILD)/tests/test_mock_abi $(BUILD)/tests/test_mock_abi_next \
		$(ASAN)/tests/test_mock_abi $(ASAN)/tests/test_mock_abi_next: \
	tests/unit/mock_abi_checks.h
# The workload tests' harness, in both builds (not a test_*.c: not a program).
$(BUILD)/tests/test_workload $(ASAN)/tests/test_workload: \
	tests/unit/workload_harness.c tests/unit/workload_harness.h
# test_probes reads the program list from the trace skeleton itself, and
# has its own view of the kernel and its reader of the probes table.
$(BUILD)/tests/test_probes: $(SKELS) \
	tests/system/kernel_facts.c tests/system/kernel_facts.h \
	tests/system/probes_report.c tests/system/probes_report.h
# The signal tests share their checks, one of which reads the skeleton.
$(BUILD)/tests/test_signals_vm $(BUILD)/tests/test_signals_vtd_dirty: $(SKELS) \
	tests/system/sigcheck.c tests/system/sigcheck.h
$(BUILD)/tests/test_qtest_vtd: tests/system/qtest.c tests/system/qtest.h
# The tests beside a real QEMU migration share the two QEMUs and QMP.
$(BUILD)/tests/test_qemu_host $(BUILD)/tests/test_qemu_vfio_vm: \
	tests/system/qemu_mig.c tests/system/qemu_mig.h
$(BUILD)/tests/test_mock_vm $(BUILD)/tests/test_faults_vm: \
	tests/system/mock_trace.c tests/system/mock_trace.h
# The fault-injection sweeps share their machinery and its checks.
$(BUILD)/tests/test_faults_vm $(BUILD)/tests/test_faults_vtd \
		$(BUILD)/tests/test_faults_vtd_dirty: \
	tests/system/faultinj.c tests/system/faultinj_checks.c \
	tests/system/faultinj.h tests/system/faultinj_run.h
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(filter %.c %.o,$^) -lcmocka $(LDLIBS)

$(BUILD)/tests/%: tests/system/%.c tests/system/syshelp.c tests/system/syshelp.h $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/system $(CFLAGS) -o $@ $(filter %.c %.o,$^) -lcmocka $(LDLIBS)

$(ASAN) $(ASAN)/tests:
	mkdir -p $@

$(ASAN)/%.o: src/%.c $(UAPI_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

-include $(ASAN_LIB_OBJS:.o=.d)

$(ASAN)/tests/test_mock_abi: CPPFLAGS += -I$(KSRC)/drivers/iommu/iommufd
$(ASAN)/tests/test_mock_abi_next: CPPFLAGS += -I$(KSRC_NEXT)/drivers/iommu/iommufd
$(ASAN)/tests/%: tests/unit/%.c $(ASAN_LIB_OBJS) | $(ASAN)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -o $@ $(filter %.c %.o,$^) -lcmocka $(LDLIBS)

$(ASAN)/tests/replay_%: tests/fuzz/replay.c tests/fuzz/%.c $(FUZZ_HDRS) $(ASAN_LIB_OBJS) | $(ASAN)/tests
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) $(SAN_FLAGS) \
		-DFUZZ_TARGET='"$*"' -o $@ $(filter %.c %.o,$^) -lcmocka $(LDLIBS)

$(FUZZ):
	mkdir -p $@

$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) $(FUZZ_HDRS) | $(FUZZ)
	$(CLANG) $(SRC_INC) -Itests/fuzz $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIB) -lm

fuzz: $(FUZZ_BINS)
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# The whole tool with ASan+UBSan, for the leak test of its main paths in
# the VM (tests/system/test_leaks_vm.c).
$(ASAN)/dirtyscope: $(ASAN)/cli/main.o $(ASAN_LIB_OBJS)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

test-bins: dirtyscope $(UNIT_BINS) $(SYSTEM_BINS) $(ASAN_UNIT_BINS) \
	$(REPLAY_BINS) $(ASAN)/dirtyscope $(BUILD)/tests/bench_consumer

deps:
	scripts/deps.sh

# Build (or reuse) the testbed kernels first, with their progress shown:
# the mock ABI tests and the VM tests need them; and fetch (or reuse) the
# QEMU 10 the host test of trace -p migrates (test_qemu_host).
check: lint
	for k in $(TESTBED_KERNELS); do scripts/testbed-kernel.sh $$k >/dev/null || exit 1; done
	scripts/testbed-qemu.sh >/dev/null
	scripts/qemu10.sh >/dev/null
	$(MAKE) test-bins
	@tests/run.sh

# The main job on the testbed: trace one mock dirty-tracking run in the VM.
demo:
	scripts/testbed-kernel.sh >/dev/null
	$(MAKE) dirtyscope
	scripts/vm-run.sh --profile mock -- scripts/demo-mock.sh

# Self-benchmark (not part of check): sync cost, tracing perturbation and
# per-event cost in the mock VM; bitmap analysis speed and trace consumer
# throughput on the host. Writes $(BUILD)/bench-self.csv; see
# docs/performance.md.
$(BUILD)/tests/bench_bitmap: tests/perf/bench_bitmap.c $(BUILD)/lib/bitmap.o | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^

# Map churn: 4 KiB IOAS_MAP/UNMAP on the mock, run in the VM by
# bench-self-guest.sh (not a test: tests/run.sh runs tests/system only).
CHURN_OBJS := $(addprefix $(BUILD)/,backends/iommufd_mock.o \
	backends/iommufd_ioctl.o lib/backing.o lib/ksyms.o lib/parse.o)
$(BUILD)/tests/bench_map_churn: tests/perf/bench_map_churn.c $(CHURN_OBJS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ -lm

# edu's DMA rate through the emulated dirty-tracking VT-d, on bench's
# iommufd backend; run in the vtd-dirty VM by bench-self-vtd-guest.sh.
$(BUILD)/tests/bench_dma_rate: tests/perf/bench_dma_rate.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ -lpthread $(LDLIBS)

# The consumer benchmark: its own BPF producer (not part of dirtyscope) and
# the library's tracer and report code. Host kernel, root.
CONSUMER_BENCH := tests/perf/consumer_bench.c tests/perf/consumer_bench.h \
	tests/perf/consumer_mix.h $(BUILD)/consumer_bench.skel.h $(SKELS)
$(BUILD)/consumer_bench.bpf.o: tests/perf/consumer_bench.bpf.c tests/perf/consumer_mix.h \
		include/trace_event.h vmlinux/$(ARCH)/vmlinux.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -Itests/perf -c $< -o $@

$(BUILD)/tests/bench_consumer: tests/perf/bench_consumer.c $(CONSUMER_BENCH) \
		$(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/perf $(CFLAGS) -o $@ $(filter %.c %.o,$^) \
		-lpthread $(LDLIBS)

# The host test runs the benchmark's code and its program.
$(BUILD)/tests/test_consumer_host: CPPFLAGS += -Itests/perf
$(BUILD)/tests/test_consumer_host: LDLIBS += -lpthread
$(BUILD)/tests/test_consumer_host: $(CONSUMER_BENCH) $(BUILD)/tests/bench_consumer

# make bench-consumer [BENCH_CONSUMER_ARGS='-n EVENTS -r RUNS -p RATE -s MIB']
bench-consumer: $(BUILD)/tests/bench_consumer
	$(BUILD)/tests/bench_consumer $(BENCH_CONSUMER_ARGS)

bench-self: dirtyscope $(BUILD)/tests/bench_bitmap $(BUILD)/tests/bench_consumer \
		$(BUILD)/tests/bench_map_churn $(BUILD)/tests/bench_dma_rate
	scripts/testbed-kernel.sh >/dev/null
	scripts/testbed-qemu.sh >/dev/null
	scripts/bench-self.sh $(BUILD)/bench-self.csv

# make install [PREFIX=/usr/local] [DESTDIR=...]
PREFIX ?= /usr/local
install: dirtyscope
	install -D -m 0755 dirtyscope $(DESTDIR)$(PREFIX)/sbin/dirtyscope
	install -D -m 0644 docs/dirtyscope.8 $(DESTDIR)$(PREFIX)/share/man/man8/dirtyscope.8
	install -d $(DESTDIR)$(PREFIX)/share/doc/dirtyscope/examples
	install -m 0644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/dirtyscope/
	install -m 0644 docs/examples/* $(DESTDIR)$(PREFIX)/share/doc/dirtyscope/examples/

FORMATTED = src/*/*.c src/*/*.h include/*.h bpf/*.bpf.c bpf/*.bpf.h tests/*/*.c tests/*/*.h

format:
	$(CLANG_FORMAT) -i $(FORMATTED)

format-check:
	$(CLANG_FORMAT) --dry-run --Werror $(FORMATTED)

# Kernel style and no merge conflict left in any tracked file.
lint: format-check
	scripts/check-layers.sh
	@if git grep -n -E '^(<{7} |={7}$$|>{7} )' -- . ':!tests/fuzz/corpus'; then \
		echo 'lint: merge conflict markers in the files above' >&2; exit 1; fi

clean:
	rm -rf $(BUILD) dirtyscope
