# The two set-up commands: `make demo` and `make test`. Both install missing
# Debian packages first, then configure and build with CMake (Release).
# build/ (make, make demo, make bench, make demo-kafka) is configured without
# the tests; make test builds them in build-test/. A new build directory uses
# Ninja, which compiles a program's sources while the libraries it links are
# still building (make waits target by target); an existing one keeps the
# generator it was configured with.
#
# make test also runs the libFuzzer targets (fuzz/) for a bounded time each,
# built with clang in build-fuzz/ (make fuzz). make test-asan builds and runs
# the whole suite under AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/.

JOBS ?= $(shell nproc)
BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
FUZZ_BUILD_DIR ?= build-fuzz
ASAN_BUILD_DIR ?= build-asan
FUZZ_CXX ?= clang++-14
DEMO_SECONDS ?= 10

.PHONY: all deps build demo demo-kafka test test-asan fuzz bench clean

all: build

deps:
	@deploy/install-deps.sh

generator = $(if $(wildcard $(1)/CMakeCache.txt),,-G Ninja)
CONFIGURE_BUILD = cmake -S . -B $(BUILD_DIR) $(call generator,$(BUILD_DIR)) \
                  -DCMAKE_BUILD_TYPE=Release -DGALE_BUILD_TESTS=OFF

build: deps
	$(CONFIGURE_BUILD)
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Builds only the gale program and the component libraries the demo loads,
# with progress lines, warnings and errors but no configure chatter; the
# configure log is shown only when it fails.
demo: deps
	@echo "demo: building gale in $(BUILD_DIR)/ (the first build takes about 1.5 minutes on 2 cores)"
	@mkdir -p $(BUILD_DIR) && $(CONFIGURE_BUILD) > $(BUILD_DIR)/configure.log 2>&1 || { cat $(BUILD_DIR)/configure.log; exit 1; }
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target gale
	$(BUILD_DIR)/bin/gale local topologies/wordcount.yaml --duration $(DEMO_SECONDS)

demo-kafka: build
	deploy/demo-kafka.sh

test: deps
	cmake -S . -B $(TEST_BUILD_DIR) $(call generator,$(TEST_BUILD_DIR)) \
	      -DCMAKE_BUILD_TYPE=Release -DGALE_WERROR=ON
	cmake --build $(TEST_BUILD_DIR) -j $(JOBS)
	cd $(TEST_BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600
	$(MAKE) --no-print-directory fuzz

# The fuzz targets (fuzz/README.md), each run for its time budget over its
# seed corpus; a crash fails and leaves the input in $(FUZZ_BUILD_DIR)/artifacts.
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD_DIR) $(call generator,$(FUZZ_BUILD_DIR)) \
	      -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) \
	      -DGALE_FUZZ=ON -DGALE_BUILD_TESTS=OFF
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target gale_fuzz_targets
	cd $(FUZZ_BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L fuzz

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer; any
# report aborts the process that made it. Reports go to files, so that one
# from a process a test started (a gale role whose supervisor restarts it)
# fails the run too; they are printed at the end.
SANITIZER_REPORTS = $(abspath $(ASAN_BUILD_DIR))/sanitizer-reports
test-asan: deps
	cmake -S . -B $(ASAN_BUILD_DIR) $(call generator,$(ASAN_BUILD_DIR)) \
	      -DCMAKE_BUILD_TYPE=Release -DGALE_WERROR=ON -DGALE_SANITIZE=address,undefined
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	rm -rf $(SANITIZER_REPORTS) && mkdir -p $(SANITIZER_REPORTS)
	cd $(ASAN_BUILD_DIR) && \
	  ASAN_OPTIONS=log_path=$(SANITIZER_REPORTS)/asan \
	  UBSAN_OPTIONS=print_stacktrace=1:log_path=$(SANITIZER_REPORTS)/ubsan \
	  ctest --output-on-failure -j $(JOBS) --timeout 1200; rc=$$?; \
	if [ -n "$$(ls -A $(SANITIZER_REPORTS))" ]; then \
	  echo "test-asan: sanitizer reports (one file per process, by pid):" >&2; \
	  tail -n +1 $(SANITIZER_REPORTS)/* >&2; exit 1; \
	fi; exit $$rc

bench: build
	bench/run.sh

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR) $(FUZZ_BUILD_DIR) $(ASAN_BUILD_DIR)
